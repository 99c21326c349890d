// Publish, PublishBatch and PublishStream: validate every message first (bad input stores
// nothing), then propose one publish command per batch, and one per group of single publishes
// that arrived together (publish-coalescer.ts); the answer waits for the fsync that covers it.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { invalidArgument, notFound, WharfError } from '../../common/errors.ts';
import type { PublishBatchRequest__Output } from '../../proto/gen/wharf/v1/PublishBatchRequest.ts';
import type { PublishBatchResponse } from '../../proto/gen/wharf/v1/PublishBatchResponse.ts';
import type { PublishRequest__Output } from '../../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishResponse } from '../../proto/gen/wharf/v1/PublishResponse.ts';
import type { PublishItem, PublishOutcome } from '../engine/types.ts';
import { toPublishItem } from './delivery-convert.ts';
import { type ApiContext, proposeExpect } from './handlers.ts';
import { PublishCoalescer } from './publish-coalescer.ts';
import { SPEC_LIMITS } from './spec-defaults.ts';
import { toServiceError } from './status.ts';

/** Bodies above this size are checked against the destination's limit before they are logged. */
const PRECHECK_BYTES_MIN = 64 * 1024;
/** Unanswered requests one PublishStream may have before the broker stops reading it. */
const STREAM_IN_FLIGHT_MAX = 4_096;

function checkItem(ctx: ApiContext, item: PublishItem): void {
  const engine = ctx.replica.engine;
  const kind = engine.kindOf(item.destination);
  if (kind === undefined) throw notFound(`no such destination ${item.destination}`);
  if (item.payload.byteLength > PRECHECK_BYTES_MIN) {
    const nowMs = ctx.replica.nowMs();
    const limit =
      kind === 'queue'
        ? engine.getQueue(item.destination, nowMs)?.spec.maxMessageBytes
        : engine.getTopic(item.destination, nowMs)?.spec.maxMessageBytes;
    if (limit !== undefined && item.payload.byteLength > limit) {
      throw invalidArgument(
        `message of ${item.payload.byteLength} bytes is larger than ${item.destination}'s maxMessageBytes (${limit})`,
      );
    }
  }
}

function toItem(ctx: ApiContext, request: PublishRequest__Output): PublishItem {
  const item = toPublishItem(request.destination, request.message, ctx.defaultNamespace);
  checkItem(ctx, item);
  return item;
}

function toResponse(requestId: string, outcome: PublishOutcome): PublishResponse {
  if (!outcome.ok) throw new WharfError(outcome.kind, outcome.message);
  return {
    requestId,
    messageId: outcome.messageId,
    sequence: outcome.sequence,
    partition: outcome.partition,
    duplicate: outcome.duplicate,
  };
}

async function publishItems(ctx: ApiContext, items: readonly PublishItem[]): Promise<readonly PublishOutcome[]> {
  const traced = ctx.tracing?.enqueue(items);
  const result = await proposeExpect(ctx.replica, { type: 'publish', nowMs: ctx.replica.nowMs(), items }, 'published');
  traced?.(result.outcomes.map((o) => (o.ok ? o.messageId : '')));
  return result.outcomes;
}

const coalescers = new WeakMap<ApiContext, PublishCoalescer>();

function coalescerOf(ctx: ApiContext): PublishCoalescer {
  let coalescer = coalescers.get(ctx);
  if (coalescer === undefined) {
    coalescer = new PublishCoalescer((items) => publishItems(ctx, items));
    coalescers.set(ctx, coalescer);
  }
  return coalescer;
}

export async function publishOne(ctx: ApiContext, request: PublishRequest__Output): Promise<PublishResponse> {
  const outcome = await coalescerOf(ctx).publish(toItem(ctx, request));
  return toResponse(request.requestId, outcome);
}

export async function publishBatch(
  ctx: ApiContext,
  request: PublishBatchRequest__Output,
): Promise<PublishBatchResponse> {
  if (request.requests.length === 0) return { responses: [] };
  if (request.requests.length > SPEC_LIMITS.batchRequestsMax) {
    throw invalidArgument(
      `a batch holds at most ${SPEC_LIMITS.batchRequestsMax} requests, got ${request.requests.length}`,
    );
  }
  const items = request.requests.map((r, i) => {
    try {
      return toItem(ctx, r);
    } catch (error) {
      if (error instanceof WharfError) throw new WharfError(error.kind, `requests[${i}]: ${error.message}`);
      throw error;
    }
  });
  const outcomes = await publishItems(ctx, items);
  const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [{ i, o }]));
  const first = failed[0];
  if (first !== undefined && !first.o.ok) {
    // Items are applied one by one: the others were stored. Say so, so a retry uses dedup ids.
    throw new WharfError(
      first.o.kind,
      `requests[${first.i}]: ${first.o.message} (${outcomes.length - failed.length} of ${outcomes.length} messages were stored; retry with the same dedup_id)`,
    );
  }
  return { responses: outcomes.map((o, i) => toResponse(request.requests[i]?.requestId ?? '', o)) };
}

export function publishStream(
  ctx: ApiContext,
  call: ServerDuplexStream<PublishRequest__Output, PublishResponse>,
): void {
  let inFlight = 0;
  let ended = false;
  let failed = false;
  const finishIfDone = (): void => {
    if (ended && inFlight === 0 && !failed) call.end();
  };
  call.on('data', (request: PublishRequest__Output) => {
    if (failed) return;
    inFlight++;
    if (inFlight >= STREAM_IN_FLIGHT_MAX) call.pause();
    publishOne(ctx, request).then(
      (response) => {
        inFlight--;
        if (failed) return;
        call.write(response);
        if (inFlight === STREAM_IN_FLIGHT_MAX - 1) call.resume();
        finishIfDone();
      },
      (error: unknown) => {
        inFlight--;
        if (failed) return;
        failed = true;
        const status = toServiceError(error, ctx.logger, 'PublishStream');
        call.emit('error', { ...status, details: `request_id ${request.requestId}: ${status.details ?? ''}` });
      },
    );
  });
  call.on('end', () => {
    ended = true;
    finishIfDone();
  });
  call.on('error', () => {
    failed = true;
  });
}
