// Receive (long-poll pull), Consume (push within credit), settling (Ack, Nack, ExtendLease) and
// the subscription rules shared by both: a Queue's subscription is '', a topic needs one; an
// unknown subscription on a topic is created as an ephemeral one and removed with its last consumer.
import { randomBytes } from 'node:crypto';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { protoDurationMs } from '../../common/duration.ts';
import { invalidArgument, notFound } from '../../common/errors.ts';
import { canonicalDestination, checkSubscriptionName } from '../../common/names.ts';
import type { ConsumeRequest__Output } from '../../proto/gen/wharf/v1/ConsumeRequest.ts';
import type { ConsumeResponse } from '../../proto/gen/wharf/v1/ConsumeResponse.ts';
import type { Delivery as ProtoDelivery } from '../../proto/gen/wharf/v1/Delivery.ts';
import type { Outcome } from '../../proto/gen/wharf/v1/Outcome.ts';
import type { ReceiveRequest__Output } from '../../proto/gen/wharf/v1/ReceiveRequest.ts';
import type { ReceiveResponse } from '../../proto/gen/wharf/v1/ReceiveResponse.ts';
import type { Settle__Output } from '../../proto/gen/wharf/v1/Settle.ts';
import type { SettleResult } from '../../proto/gen/wharf/v1/SettleResult.ts';
import type { SettleOp, SettleOutcome } from '../engine/types.ts';
import { REDELIVER_NOW_MS } from './dispatcher.ts';
import { type ApiContext, proposeExpect } from './handlers.ts';
import { queueSpecFromProto } from './spec-convert.ts';
import { SPEC_LIMITS } from './spec-defaults.ts';
import { toServiceError } from './status.ts';

const RECEIVE_DEFAULT_MESSAGES = 10;
const CONSUME_DEFAULT_IN_FLIGHT = 100;
const CONSUME_IN_FLIGHT_MAX = 10_000;
const SETTLE_RECEIPTS_MAX = 10_000;

const OUTCOME: Record<SettleOutcome, Outcome> = {
  ok: 'OUTCOME_OK',
  expired: 'OUTCOME_EXPIRED',
  unknown: 'OUTCOME_UNKNOWN',
};

interface Target {
  readonly destination: string;
  readonly subscription: string;
  readonly ephemeral: boolean;
}

/** Resolves (and for topics, creates if needed) the subscription a consumer reads from. */
async function resolveTarget(
  ctx: ApiContext,
  rawDestination: string,
  rawSubscription: string,
  createEphemeral: boolean,
): Promise<Target> {
  const destination = canonicalDestination(rawDestination, ctx.defaultNamespace, { allowInbox: true });
  checkSubscriptionName(rawSubscription);
  const engine = ctx.replica.engine;
  const kind = engine.kindOf(destination);
  if (kind === undefined) throw notFound(`no such destination ${destination}`);
  if (kind === 'queue') {
    if (rawSubscription !== '') {
      throw invalidArgument(`${destination} is a Queue: leave subscription empty (subscriptions are for Topics)`);
    }
    return { destination, subscription: '', ephemeral: false };
  }
  const topic = engine.getTopic(destination, ctx.replica.nowMs());
  if (topic?.subscriptions.some((s) => s.name === rawSubscription && !s.ephemeral)) {
    return { destination, subscription: rawSubscription, ephemeral: false };
  }
  if (!createEphemeral) {
    throw rawSubscription === ''
      ? invalidArgument(`${destination} is a Topic: name one of its subscriptions`)
      : notFound(`${destination} has no subscription "${rawSubscription}"`);
  }
  // Plain fan-out: an unnamed consumer gets a private subscription; a named unknown one is shared.
  const subscription = rawSubscription === '' ? `eph-${randomBytes(6).toString('hex')}` : rawSubscription;
  const defaults = queueSpecFromProto(destination, null);
  await proposeExpect(
    ctx.replica,
    {
      type: 'subscribe',
      nowMs: ctx.replica.nowMs(),
      destination,
      spec: {
        name: subscription,
        ackDeadlineMs: defaults.ackDeadlineMs,
        maxDeliveries: defaults.maxDeliveries,
        deadLetterQueue: '',
        retryBackoffMinMs: defaults.retryBackoffMinMs,
        retryBackoffMaxMs: defaults.retryBackoffMaxMs,
        ordering: 'None',
        filter: '',
        startAt: 'Latest',
      },
    },
    'applied',
  );
  return { destination, subscription, ephemeral: true };
}

function ackDeadlineMs(value: ReceiveRequest__Output['ackDeadline'], field: string): number {
  const ms = protoDurationMs(value, field) ?? 0;
  if (ms !== 0 && (ms < SPEC_LIMITS.ackDeadlineMsMin || ms > SPEC_LIMITS.ackDeadlineMsMax)) {
    throw invalidArgument(
      `${field}: ${ms}ms is out of range (${SPEC_LIMITS.ackDeadlineMsMin}ms..${SPEC_LIMITS.ackDeadlineMsMax}ms)`,
    );
  }
  return ms;
}

export async function receive(ctx: ApiContext, request: ReceiveRequest__Output): Promise<ReceiveResponse> {
  const max = request.maxMessages === 0 ? RECEIVE_DEFAULT_MESSAGES : request.maxMessages;
  if (max > SPEC_LIMITS.receiveMessagesMax) {
    throw invalidArgument(`max_messages: ${max} is above ${SPEC_LIMITS.receiveMessagesMax}`);
  }
  const waitMs = protoDurationMs(request.wait, 'wait') ?? 0;
  if (waitMs > SPEC_LIMITS.waitMsMax) throw invalidArgument(`wait: at most ${SPEC_LIMITS.waitMsMax / 1000}s`);
  const leaseMs = ackDeadlineMs(request.ackDeadline, 'ack_deadline');
  const target = await resolveTarget(ctx, request.destination, request.subscription, false);
  const deliveries = await ctx.dispatcher.receive(target.destination, target.subscription, max, waitMs, leaseMs);
  return { deliveries };
}

export async function settle(
  ctx: ApiContext,
  op: SettleOp,
  receipts: readonly string[],
  options: { delayMs: number; deadLetter: boolean; reason: string },
): Promise<SettleResult[]> {
  if (receipts.length === 0) return [];
  if (receipts.length > SETTLE_RECEIPTS_MAX) {
    throw invalidArgument(`at most ${SETTLE_RECEIPTS_MAX} receipts per call, got ${receipts.length}`);
  }
  const result = await proposeExpect(
    ctx.replica,
    { type: 'settle', nowMs: ctx.replica.nowMs(), op, receipts, ...options },
    'settled',
  );
  return result.outcomes.map((outcome, i) => ({ receipt: receipts[i] ?? '', outcome: OUTCOME[outcome] }));
}

function settleOptions(frame: Settle__Output, op: SettleOp) {
  const field = op === 'extend' ? 'extension' : 'delay';
  return {
    delayMs: protoDurationMs(frame.delay, field) ?? 0,
    deadLetter: op === 'nack' && frame.deadLetter,
    reason: frame.reason.slice(0, 1024),
  };
}

/** Push delivery on a bidirectional stream; see ConsumeRequest in broker.proto for the frames. */
export function consume(ctx: ApiContext, call: ServerDuplexStream<ConsumeRequest__Output, ConsumeResponse>): void {
  let target: Target | undefined;
  let subscribing = false;
  let closed = false;
  let credit = 0;
  let autoCredit = true;
  let writable = true;
  const unsettled = new Set<string>();

  const push = {
    demand: (): number => (closed || !writable ? 0 : credit),
    capacity: (): number => (closed ? 0 : credit),
    deliver: (delivery: ProtoDelivery): void => {
      credit--;
      unsettled.add(delivery.receipt ?? '');
      writable = call.write({ delivery });
    },
  };
  call.on('drain', () => {
    writable = true;
    if (target !== undefined) ctx.dispatcher.wake(target.destination);
  });

  /** Ends the stream with `error`; resolves once what this consumer held is given back. */
  const fail = (error: unknown): Promise<void> => {
    if (closed) return Promise.resolve();
    closed = true;
    call.emit('error', toServiceError(error, ctx.logger, 'Consume'));
    return cleanup();
  };

  let unwatch: (() => void) | undefined;
  const cleanup = async (): Promise<void> => {
    closed = true;
    unwatch?.();
    unwatch = undefined;
    if (target === undefined) return;
    const left = ctx.dispatcher.detach(target.destination, target.subscription, push);
    const receipts = [...unsettled];
    unsettled.clear();
    try {
      // Whatever this consumer held goes back at once, not after its leases run out.
      if (receipts.length > 0) {
        await settle(ctx, 'nack', receipts, { delayMs: REDELIVER_NOW_MS, deadLetter: false, reason: 'consumer left' });
      }
      if (target.ephemeral && left === 0) {
        await ctx.replica.propose({
          type: 'unsubscribe',
          nowMs: ctx.replica.nowMs(),
          destination: target.destination,
          subscription: target.subscription,
        });
      }
    } catch (error) {
      ctx.logger.warn({ err: error, destination: target.destination }, 'consumer cleanup failed');
    }
  };

  const onSettle = (op: SettleOp, frame: Settle__Output): void => {
    settle(ctx, op, frame.receipts, settleOptions(frame, op)).then((results) => {
      let freed = 0;
      for (const r of results) {
        if (op !== 'extend' && unsettled.delete(r.receipt ?? '')) freed++;
        if (!closed) call.write({ settled: r });
      }
      if (autoCredit && freed > 0) {
        credit = Math.min(credit + freed, CONSUME_IN_FLIGHT_MAX);
        if (target !== undefined) ctx.dispatcher.wake(target.destination);
      }
    }, fail);
  };

  call.on('data', (frame: ConsumeRequest__Output) => {
    if (closed) return;
    switch (frame.frame) {
      case 'subscribe': {
        const sub = frame.subscribe;
        if (target !== undefined || subscribing || sub === null || sub === undefined) {
          fail(invalidArgument('subscribe must be the first frame of a Consume stream, and only once'));
          return;
        }
        subscribing = true;
        try {
          const maxInFlight = sub.maxInFlight === 0 ? CONSUME_DEFAULT_IN_FLIGHT : sub.maxInFlight;
          if (maxInFlight > CONSUME_IN_FLIGHT_MAX) {
            throw invalidArgument(`max_in_flight: at most ${CONSUME_IN_FLIGHT_MAX}`);
          }
          credit = maxInFlight;
          const leaseMs = ackDeadlineMs(sub.ackDeadline, 'subscribe.ack_deadline');
          resolveTarget(ctx, sub.destination, sub.subscription, true).then((resolved) => {
            target = resolved;
            if (closed) {
              void cleanup();
              return;
            }
            ctx.dispatcher.attach(resolved.destination, resolved.subscription, push, leaseMs);
            // Cluster mode: a leader that hands over or steps down ends its consumers' streams, so
            // they resume at the new leader. Handing over, it still leads and gives back their
            // unsettled deliveries at once; stepping down, their leases run out.
            const cluster = ctx.cluster;
            if (cluster !== undefined) unwatch = cluster.onLeadershipLost(() => fail(cluster.notLeader()));
          }, fail);
        } catch (error) {
          fail(error);
        }
        return;
      }
      case 'ack':
      case 'nack':
      case 'extend': {
        const settleFrame = frame[frame.frame];
        if (settleFrame === null || settleFrame === undefined) return;
        try {
          onSettle(frame.frame, settleFrame);
        } catch (error) {
          fail(error);
        }
        return;
      }
      case 'credit': {
        if (target === undefined && !subscribing) {
          fail(invalidArgument('subscribe must be the first frame of a Consume stream'));
          return;
        }
        autoCredit = true;
        credit = Math.min(credit + (frame.credit ?? 0), CONSUME_IN_FLIGHT_MAX);
        if (target !== undefined) ctx.dispatcher.wake(target.destination);
        return;
      }
      default:
        fail(invalidArgument('empty ConsumeRequest frame'));
    }
  });
  call.on('end', () => {
    void cleanup().then(() => call.end());
  });
  call.on('cancelled', () => {
    void cleanup();
  });
  call.on('error', () => {
    void cleanup();
  });
}
