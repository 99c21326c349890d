// wharf.v1.BrokerService: each handler is a plain async function of the typed request (in
// publish.ts, consume.ts, call.ts) behind the one error boundary.
import { protoDurationMs } from '../../common/duration.ts';
import type { BrokerServiceHandlers } from '../../proto/gen/wharf/v1/BrokerService.ts';
import { call } from './call.ts';
import { consume, receive, settle } from './consume.ts';
import { type ApiContext, unary } from './handlers.ts';
import { publishBatch, publishOne, publishStream } from './publish.ts';

export function brokerService(ctx: ApiContext): BrokerServiceHandlers {
  const log = ctx.logger;
  return {
    Publish: unary(log, 'Publish', (request) => publishOne(ctx, request)),
    PublishBatch: unary(log, 'PublishBatch', (request) => publishBatch(ctx, request)),
    PublishStream: (stream) => publishStream(ctx, stream),
    Receive: unary(log, 'Receive', (request) => receive(ctx, request)),
    Consume: (stream) => consume(ctx, stream),
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
    Call: unary(log, 'Call', (request) => call(ctx, request)),
  };
}
