// wharf.v1.BrokerService: each handler is a plain async function of the typed request (in
// publish.ts, consume.ts, call.ts) behind the one error boundary.
import { protoDurationMs } from '../../common/duration.ts';
import type { BrokerServiceHandlers } from '../../proto/gen/wharf/v1/BrokerService.ts';
import { call } from './call.ts';
import { requireLeader } from './cluster.ts';
import { consume, receive, settle } from './consume.ts';
import { type ApiContext, unary } from './handlers.ts';
import { publishBatch, publishOne, publishStream } from './publish.ts';
import { toServiceError } from './status.ts';

export function brokerService(ctx: ApiContext): BrokerServiceHandlers {
  const log = ctx.logger;
  // In cluster mode only the leader serves these; a follower answers with the leader's address.
  const lead = (): void => requireLeader(ctx.cluster);
  return {
    Publish: unary(log, 'Publish', async (request) => {
      lead();
      return publishOne(ctx, request);
    }),
    PublishBatch: unary(log, 'PublishBatch', async (request) => {
      lead();
      return publishBatch(ctx, request);
    }),
    PublishStream: (stream) => {
      if (ctx.cluster !== undefined && !ctx.cluster.isLeader()) {
        stream.emit('error', toServiceError(ctx.cluster.notLeader(), log, 'PublishStream'));
        return;
      }
      publishStream(ctx, stream);
    },
    Receive: unary(log, 'Receive', async (request) => {
      lead();
      return receive(ctx, request);
    }),
    Consume: (stream) => {
      if (ctx.cluster !== undefined && !ctx.cluster.isLeader()) {
        stream.emit('error', toServiceError(ctx.cluster.notLeader(), log, 'Consume'));
        return;
      }
      consume(ctx, stream);
    },
    Ack: unary(log, 'Ack', async (request) => ({
      results: await settle(ctx, 'ack', request.receipts, { delayMs: 0, deadLetter: false, reason: '' }),
    })),
    Nack: unary(log, 'Nack', async (request) => ({
      results: await settle(ctx, 'nack', request.receipts, {
        delayMs: protoDurationMs(request.delay, 'delay') ?? 0,
        deadLetter: request.deadLetter,
        reason: request.reason.slice(0, 1024),
      }),
    })),
    ExtendLease: unary(log, 'ExtendLease', async (request) => ({
      results: await settle(ctx, 'extend', request.receipts, {
        delayMs: protoDurationMs(request.extension, 'extension') ?? 0,
        deadLetter: false,
        reason: '',
      }),
    })),
    Call: unary(log, 'Call', async (request) => {
      lead();
      return call(ctx, request);
    }),
  };
}
