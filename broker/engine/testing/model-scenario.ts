// The model-agreement scenario shared by the fast and slow property tests: random
// publish/lease/ack/nack/extend/tick/restart sequences on a PerKey queue with a small
// maxDeliveries, run against the engine and the naive model (model.ts); every delivery, outcome
// and counter must agree, and the delivery guarantees must hold throughout:
// no message leased twice at once, no acked message redelivered, per-key order, none lost.

import fc from 'fast-check';
import { expect } from 'vitest';
import type { Delivery, QueueSpec, SettleOp } from '../types.ts';
import { Harness, item, queueSpec } from './harness.ts';
import { QueueModel } from './model.ts';

const Q = 'm/q';
const DLQ = 'm/dlq';

export type Op =
  | { kind: 'publish'; key: string; priority: number; delayMs: number; ttlMs: number; dtMs: number }
  | { kind: 'lease'; max: number; ackDeadlineMs: number; dtMs: number }
  | { kind: 'settle'; op: SettleOp; pick: number; delayMs: number; deadLetter: boolean; dtMs: number }
  | { kind: 'garbage'; receipt: string; dtMs: number }
  | { kind: 'tick'; dtMs: number }
  | { kind: 'restart'; dtMs: number };

const dt = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 100, max: 2000 }));

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      key: fc.constantFrom('', 'a', 'b', 'c'),
      priority: fc.constantFrom(0, 0, 1, 5),
      delayMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 500 })),
      ttlMs: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 1500 })),
      dtMs: dt,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('lease' as const),
      max: fc.integer({ min: 1, max: 4 }),
      ackDeadlineMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
      dtMs: dt,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      op: fc.constantFrom('ack' as const, 'ack' as const, 'nack' as const, 'extend' as const),
      pick: fc.nat(),
      delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
      deadLetter: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      dtMs: dt,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('garbage' as const), receipt: fc.string({ maxLength: 12 }), dtMs: dt }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), dtMs: dt }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), dtMs: dt }) },
);

export const specArb: fc.Arbitrary<QueueSpec> = fc
  .record({
    maxDeliveries: fc.integer({ min: 0, max: 3 }),
    ackDeadlineMs: fc.integer({ min: 50, max: 300 }),
    retryBackoffMinMs: fc.constantFrom(0, 10, 100),
    retryBackoffMaxMs: fc.constantFrom(0, 150, 1000),
  })
  .map((s) =>
    queueSpec({
      ordering: 'PerKey',
      maxDeliveries: s.maxDeliveries,
      ackDeadlineMs: s.ackDeadlineMs,
      retryBackoffMinMs: s.retryBackoffMinMs,
      retryBackoffMaxMs: s.retryBackoffMinMs === 0 ? 0 : Math.max(s.retryBackoffMinMs, s.retryBackoffMaxMs),
      deadLetterQueue: DLQ,
      dedupWindowMs: 0,
    }),
  );

interface Tracked {
  readonly key: string;
  readonly messageId: string;
  readonly index: number;
  /** The end of the current lease, if leased: no second lease may start before it. */
  leasedUntilMs: number | undefined;
  acked: boolean;
}

/** Runs one scenario; fails on the first disagreement with the model or broken guarantee. */
export function runScenario(spec: QueueSpec, ops: readonly Op[], withDeadLetterNacks: boolean): void {
  const h = new Harness({ viaCodec: false });
  h.applyQueue(DLQ, queueSpec({ dedupWindowMs: 0 }));
  h.applyQueue(Q, spec);
  const model = new QueueModel(spec);
  model.advance(h.nowMs);
  const deliveries: Delivery[] = [];
  const tracked = new Map<number, Tracked>();

  const checkDelivery = (d: Delivery) => {
    const t = tracked.get(d.sequence);
    if (t === undefined) throw new Error(`delivery of unknown message ${d.sequence}`);
    if (t.acked) throw new Error(`acked message ${d.sequence} was redelivered`);
    if (t.leasedUntilMs !== undefined && t.leasedUntilMs > h.nowMs) {
      throw new Error(
        `message ${d.sequence} leased twice at once (first lease ends ${t.leasedUntilMs}, now ${h.nowMs})`,
      );
    }
    if (t.key !== '') {
      for (const [seq, other] of tracked) {
        if (seq >= d.sequence) break;
        if (other.key === t.key && !settledFor(seq))
          throw new Error(`message ${d.sequence} of key ${t.key} delivered before ${seq} was settled`);
      }
    }
    t.leasedUntilMs = d.leaseExpiresMs;
  };
  const settledFor = (seq: number) => model.messages[seq - 1]?.settled !== undefined;

  for (const op of ops) {
    h.advance(op.dtMs);
    model.advance(h.nowMs);
    switch (op.kind) {
      case 'publish': {
        const [outcome] = h.publish(
          item(Q, { key: op.key, priority: op.priority, delayMs: op.delayMs, ttlMs: op.ttlMs }),
        );
        const seq = model.publish(op.key, op.priority, op.delayMs, op.ttlMs);
        expect(outcome).toMatchObject({ ok: true, sequence: seq });
        const messageId = outcome?.ok ? outcome.messageId : '';
        tracked.set(seq, { key: op.key, messageId, index: h.index, leasedUntilMs: undefined, acked: false });
        break;
      }
      case 'lease': {
        const got = h.lease(Q, op.max, '', op.ackDeadlineMs);
        const want = model.lease(op.max, op.ackDeadlineMs);
        expect(got.map((d) => ({ seq: d.sequence, attempt: d.attempt, leaseExpiresMs: d.leaseExpiresMs }))).toEqual(
          want,
        );
        for (const d of got) checkDelivery(d);
        deliveries.push(...got);
        break;
      }
      case 'settle': {
        // Mostly one of the last few deliveries, sometimes any earlier one (stale receipts).
        const back = op.pick % 8 < 6 ? op.pick % 4 : op.pick;
        const d = deliveries[Math.max(0, deliveries.length - 1 - (back % Math.max(1, deliveries.length)))];
        if (d === undefined) {
          h.run({ type: 'tick' });
          break;
        }
        const deadLetter = withDeadLetterNacks && op.deadLetter;
        const [got] = h.settle(op.op, [d.receipt], { delayMs: op.delayMs, deadLetter, reason: 'test' });
        const want = model.settle(d.sequence, d.attempt, op.op, op.delayMs, deadLetter);
        expect(got).toBe(want);
        const t = tracked.get(d.sequence);
        if (got === 'ok' && t !== undefined && op.op !== 'extend') t.leasedUntilMs = undefined;
        if (got === 'ok' && t !== undefined && op.op === 'ack') t.acked = true;
        if (got === 'ok' && t !== undefined && op.op === 'extend') {
          t.leasedUntilMs = model.messages[d.sequence - 1]?.leaseExpiresMs;
        }
        break;
      }
      case 'garbage':
        expect(h.settle('ack', [op.receipt])).toEqual(['unknown']);
        break;
      case 'tick':
        h.run({ type: 'tick' });
        break;
      case 'restart':
        // A replica restart: snapshot, restore, carry on (the model does not notice).
        h.restart();
        h.run({ type: 'tick' });
        break;
    }
    const view = h.engine.getQueue(Q, h.nowMs);
    const { depth, delayed, inFlight, acked, deadLettered, expired } = view?.stats ?? {};
    expect({ depth, delayed, inFlight, acked, deadLettered, expired }).toEqual(model.stats());
    expect(h.engine.getQueue(DLQ, h.nowMs)?.stats.depth).toBe(model.deadLetters.length);
    h.engine.checkInvariants();
  }

  // Nothing is lost: drain the queue, acking everything, and account for every message.
  for (let round = 0; round < 200; round++) {
    const stats = h.engine.getQueue(Q, h.nowMs)?.stats;
    if (stats === undefined || stats.depth + stats.inFlight === 0) break;
    h.advance(10_000);
    model.advance(h.nowMs);
    const got = h.lease(Q, 100);
    const want = model.lease(100, 0);
    expect(got.map((d) => [d.sequence, d.attempt])).toEqual(want.map((d) => [d.seq, d.attempt]));
    for (const d of got) checkDelivery(d);
    expect(h.ack(...got).every((o) => o === 'ok')).toBe(true);
    for (const d of got) {
      model.settle(d.sequence, d.attempt, 'ack', 0, false);
      const t = tracked.get(d.sequence);
      if (t !== undefined) t.acked = true;
    }
  }
  const final = h.engine.getQueue(Q, h.nowMs)?.stats;
  expect(final).toMatchObject({ depth: 0, inFlight: 0 });
  expect((final?.acked ?? 0) + (final?.deadLettered ?? 0) + (final?.expired ?? 0)).toBe(tracked.size);
  // The dead-letter queue holds exactly the model's dead letters, in the order they were moved.
  const dead = h.lease(DLQ, 4096);
  // (They keep their priority there, so higher ones come first.)
  const moved = model.deadLetters
    .map((seq, order) => ({ seq, order, priority: model.messages[seq - 1]?.priority ?? 0 }))
    .sort((a, b) => b.priority - a.priority || a.order - b.order);
  expect(dead.map((d) => [d.messageId, d.ref])).toEqual(
    moved.map(({ seq }) => [tracked.get(seq)?.messageId, { index: tracked.get(seq)?.index, slot: 0 }]),
  );
}
