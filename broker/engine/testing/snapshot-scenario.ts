// The snapshot scenarios shared by the fast and slow property tests: random command sequences
// over queues, a dead-letter queue and a topic (filters, PerKey, retention, TTL, dedup,
// ephemeral subscriptions, redrive, spec updates, delete and recreate).

import fc from 'fast-check';
import { expect } from 'vitest';
import type { Engine } from '../engine.ts';
import type { Delivery, SettleOp, TopicSpec } from '../types.ts';
import { equalBytes, Harness, item, queueSpec, subSpec, topicSpec } from './harness.ts';

const Q = 's/q';
const R = 's/r';
const DLQ = 's/dlq';
const T = 's/t';

export type Op =
  | {
      kind: 'publish';
      dest: string;
      key: string;
      priority: number;
      delayMs: number;
      ttlMs: number;
      dedupId: string;
      type: string;
    }
  | { kind: 'lease'; dest: string; sub: string; max: number; ackDeadlineMs: number }
  | { kind: 'settle'; op: SettleOp; pick: number; delayMs: number; deadLetter: boolean }
  | { kind: 'tick' }
  | { kind: 'subscribe'; startAt: 'Earliest' | 'Latest' }
  | { kind: 'unsubscribe' }
  | { kind: 'redrive'; max: number }
  | { kind: 'topicSpec'; withC: boolean; partitions: number; orderingB: 'None' | 'PerKey' }
  | { kind: 'recreateR'; drain: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      dest: fc.constantFrom(Q, Q, R, T, T, 's/missing'),
      key: fc.constantFrom('', 'a', 'b'),
      priority: fc.constantFrom(0, 0, 3, 9),
      delayMs: fc.constantFrom(0, 0, 0, 50, 400),
      ttlMs: fc.constantFrom(0, 0, 0, 100, 900),
      dedupId: fc.constantFrom('', '', '', 'd1', 'd2'),
      type: fc.constantFrom('invoice', 'refund'),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('lease' as const),
      dest: fc.constantFrom(Q, Q, R, DLQ, T, T),
      sub: fc.constantFrom('a', 'a', 'b', 'b', 'c', 'e'),
      max: fc.integer({ min: 1, max: 3 }),
      ackDeadlineMs: fc.constantFrom(0, 0, 30, 200),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      op: fc.constantFrom('ack' as const, 'ack' as const, 'nack' as const, 'extend' as const),
      pick: fc.nat(),
      delayMs: fc.constantFrom(0, 0, 20, 300),
      deadLetter: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'tick' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('subscribe' as const),
      startAt: fc.constantFrom('Earliest' as const, 'Latest' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'unsubscribe' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redrive' as const), max: fc.constantFrom(0, 1, 2) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('topicSpec' as const),
      withC: fc.boolean(),
      partitions: fc.constantFrom(2, 3),
      orderingB: fc.constantFrom('None' as const, 'PerKey' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('recreateR' as const), drain: fc.boolean() }) },
);

export const stepArb = fc.record({ op: opArb, dtMs: fc.constantFrom(0, 0, 1, 10, 10, 40, 150, 600) });

function topic(withC: boolean, partitions: number, orderingB: 'None' | 'PerKey'): TopicSpec {
  return topicSpec({
    partitions,
    retention: { maxAgeMs: 5000, maxMessages: 12, maxBytes: 0 },
    dedupWindowMs: 300,
    subscriptions: [
      subSpec('a', {
        ordering: 'PerKey',
        filter: "headers.type == 'invoice'",
        maxDeliveries: 2,
        deadLetterQueue: DLQ,
        ackDeadlineMs: 100,
        retryBackoffMinMs: 10,
        retryBackoffMaxMs: 40,
      }),
      subSpec('b', { ordering: orderingB, ackDeadlineMs: 80 }),
      ...(withC ? [subSpec('c', { startAt: 'Earliest', filter: "has(headers.type) && headers.type != 'x'" })] : []),
    ],
  });
}

const rSpec = (drain: boolean) =>
  queueSpec({
    retention: { maxAgeMs: 2000, maxMessages: 5, maxBytes: 40 },
    overflow: 'DropOldest',
    dedupWindowMs: 250,
    deletionPolicy: drain ? 'Drain' : 'Delete',
    maxDeliveries: 3,
    deadLetterQueue: DLQ,
    ackDeadlineMs: 60,
  });

export function setup(h: Harness): void {
  h.applyQueue(DLQ, queueSpec({ ackDeadlineMs: 50 }));
  h.applyQueue(
    Q,
    queueSpec({
      ordering: 'PerKey',
      maxDeliveries: 2,
      deadLetterQueue: DLQ,
      ackDeadlineMs: 100,
      retryBackoffMinMs: 20,
      retryBackoffMaxMs: 100,
      dedupWindowMs: 500,
    }),
  );
  h.applyQueue(R, rSpec(false));
  h.applyTopic(T, topic(true, 2, 'None'));
}

/** Applies one step; returns its result (or a marker for steps that had nothing to do). */
function apply(h: Harness, deliveries: Delivery[], op: Op, dtMs: number): unknown {
  h.advance(dtMs);
  switch (op.kind) {
    case 'publish':
      return h.run({
        type: 'publish',
        items: [
          item(op.dest, {
            key: op.key,
            priority: op.priority,
            delayMs: op.delayMs,
            ttlMs: op.ttlMs,
            dedupId: op.dedupId,
            headers: { type: op.type, traceparent: '00-trace' },
            body: op.type,
          }),
        ],
      });
    case 'lease': {
      const sub = op.dest === T ? op.sub : '';
      const result = h.run({
        type: 'lease',
        destination: op.dest,
        subscription: sub,
        max: op.max,
        ackDeadlineMs: op.ackDeadlineMs,
      });
      if ('type' in result && result.type === 'leased') deliveries.push(...result.deliveries);
      return result;
    }
    case 'settle': {
      // Mostly one of the last few deliveries, sometimes any earlier one (stale receipts).
      const back = op.pick % 8 < 6 ? op.pick % 4 : op.pick;
      const d = deliveries[Math.max(0, deliveries.length - 1 - (back % Math.max(1, deliveries.length)))];
      return h.run({
        type: 'settle',
        op: op.op,
        receipts: d === undefined ? ['junk'] : [d.receipt],
        delayMs: op.delayMs,
        deadLetter: op.deadLetter,
        reason: 'r',
      });
    }
    case 'tick':
      return h.run({ type: 'tick' });
    case 'subscribe':
      return h.run({
        type: 'subscribe',
        destination: T,
        spec: subSpec('e', { startAt: op.startAt, filter: "headers.type == 'refund'" }),
      });
    case 'unsubscribe':
      return h.run({ type: 'unsubscribe', destination: T, subscription: 'e' });
    case 'redrive':
      return h.run({ type: 'redrive', deadLetterQueue: DLQ, max: op.max });
    case 'topicSpec':
      return h.run({ type: 'applyTopic', name: T, spec: topic(op.withC, op.partitions, op.orderingB) });
    case 'recreateR': {
      const deleted = h.run({ type: 'deleteQueue', name: R });
      const applied = h.run({ type: 'applyQueue', name: R, spec: rSpec(op.drain) });
      return [deleted, applied];
    }
  }
}

export function views(engine: Engine, nowMs: number): unknown {
  return {
    queues: engine.listQueues('', nowMs),
    topics: engine.listTopics('', nowMs),
    next: engine.nextDeadlineMs(),
    min: engine.minLiveIndex(),
    ready: [Q, R, DLQ].map((q) => engine.readyCount(q, '', nowMs + 100)),
    ephemeral: engine.ephemeralSubscriptions(),
  };
}

export type Step = { readonly op: Op; readonly dtMs: number };

/** Straight through vs. restored from a snapshot before step `cut`: same results, same final bytes. */
export function runRestoreScenario(steps: readonly Step[], cut: number): void {
  const straight = new Harness({ viaCodec: false });
  const restarted = new Harness({ viaCodec: false });
  setup(straight);
  setup(restarted);
  const d1: Delivery[] = [];
  const d2: Delivery[] = [];
  steps.forEach(({ op, dtMs }, i) => {
    if (i === cut) restarted.restart();
    const a = apply(straight, d1, op, dtMs);
    const b = apply(restarted, d2, op, dtMs);
    expect(b).toEqual(a);
  });
  if (cut === steps.length) restarted.restart();
  straight.engine.checkInvariants();
  restarted.engine.checkInvariants();
  expect(views(restarted.engine, restarted.nowMs)).toEqual(views(straight.engine, straight.nowMs));
  expect(equalBytes(restarted.engine.snapshot(), straight.engine.snapshot())).toBe(true);
}

/** Two replicas, one going through the codec and answering queries in between: same bytes. */
export function runDeterminismScenario(steps: readonly Step[]): void {
  const a = new Harness({ viaCodec: false });
  const b = new Harness();
  setup(a);
  setup(b);
  const da: Delivery[] = [];
  const db: Delivery[] = [];
  for (const { op, dtMs } of steps) {
    apply(a, da, op, dtMs);
    apply(b, db, op, dtMs);
    views(b.engine, b.nowMs); // queries tidy heaps; they must not change replicated state
  }
  expect(equalBytes(a.engine.snapshot(), b.engine.snapshot())).toBe(true);
}
