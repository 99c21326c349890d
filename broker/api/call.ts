// Request/reply: the broker makes a private inbox queue, publishes the request with reply_to set
// to it, waits for one reply carrying the same correlation_id, and removes the inbox. A responder
// answers by publishing to the delivery's reply_to with the same correlation_id.
import { randomBytes } from 'node:crypto';
import { protoDurationMs } from '../../common/duration.ts';
import { deadlineExceeded, invalidArgument } from '../../common/errors.ts';
import { canonicalDestination, INBOX_PREFIX, splitDestination } from '../../common/names.ts';
import type { CallRequest__Output } from '../../proto/gen/wharf/v1/CallRequest.ts';
import type { CallResponse } from '../../proto/gen/wharf/v1/CallResponse.ts';
import { settle } from './consume.ts';
import { type ApiContext, proposeExpect } from './handlers.ts';
import { publishOne } from './publish.ts';
import { queueSpecFromProto } from './spec-convert.ts';
import { SPEC_LIMITS } from './spec-defaults.ts';

const CALL_DEFAULT_TIMEOUT_MS = 30_000;

export async function call(ctx: ApiContext, request: CallRequest__Output): Promise<CallResponse> {
  const timeoutMs = protoDurationMs(request.timeout, 'timeout') ?? CALL_DEFAULT_TIMEOUT_MS;
  if (timeoutMs > SPEC_LIMITS.waitMsMax) throw invalidArgument(`timeout: at most ${SPEC_LIMITS.waitMsMax / 1000}s`);
  if (request.message === null) throw invalidArgument('message is missing');
  const destination = canonicalDestination(request.destination, ctx.defaultNamespace, { allowInbox: true });
  const { namespace } = splitDestination(destination);
  const inbox = `${namespace}/${INBOX_PREFIX}${randomBytes(8).toString('hex')}`;
  const correlationId = request.message.correlationId || randomBytes(8).toString('hex');
  const spec = { ...queueSpecFromProto(inbox, null), replicas: 1, dedupWindowMs: 0, maxDeliveries: 0 };
  await proposeExpect(ctx.replica, { type: 'applyQueue', nowMs: ctx.replica.nowMs(), name: inbox, spec }, 'applied');
  try {
    await publishOne(ctx, {
      destination,
      requestId: '',
      message: { ...request.message, replyTo: inbox, correlationId },
    });
    const deadlineMs = ctx.replica.nowMs() + timeoutMs;
    for (;;) {
      const leftMs = deadlineMs - ctx.replica.nowMs();
      if (leftMs <= 0) break;
      const deliveries = await ctx.dispatcher.receive(inbox, '', 1, leftMs, 0);
      const reply = deliveries[0];
      if (reply === undefined) break;
      await settle(ctx, 'ack', [reply.receipt ?? ''], { delayMs: 0, deadLetter: false, reason: '' });
      // Replies to an earlier, timed-out use of the inbox cannot happen (inboxes are fresh); still check.
      if (reply.message?.correlationId === correlationId) return { reply: reply.message };
    }
    throw deadlineExceeded(`no reply from ${destination} within ${timeoutMs}ms (correlation_id ${correlationId})`);
  } finally {
    await ctx.replica
      .propose({ type: 'deleteQueue', nowMs: ctx.replica.nowMs(), name: inbox })
      .catch((error: unknown) => ctx.logger.warn({ err: error, inbox }, 'could not delete call inbox'));
  }
}
