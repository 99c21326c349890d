import { describe, expect, it } from 'vitest';
import { Harness, item, queueSpec, seqs } from './testing/harness.ts';
import { DEAD_LETTER_HEADERS, type Delivery } from './types.ts';

const Q = 'shop/orders';
const DLQ = 'shop/orders-dlq';

function setup(spec = queueSpec()): Harness {
  const h = new Harness();
  h.applyQueue(Q, spec);
  return h;
}

function stats(h: Harness, name = Q) {
  const view = h.engine.getQueue(name, h.nowMs);
  if (view === undefined) throw new Error(`no queue ${name}`);
  return view.stats;
}

describe('definitions', () => {
  it('applies a queue idempotently and updates it in place', () => {
    const h = setup();
    h.publishOk(item(Q));
    h.applyQueue(Q, queueSpec({ ackDeadlineMs: 5000 }));
    const view = h.engine.getQueue(Q, h.nowMs);
    expect(view?.spec.ackDeadlineMs).toBe(5000);
    expect(view?.stats.depth).toBe(1);
    expect(h.engine.kindOf(Q)).toBe('queue');
    expect(h.engine.kindOf('shop/none')).toBeUndefined();
  });

  it('shares one name space between queues and topics', () => {
    const h = setup();
    const asTopic = h.run({
      type: 'applyTopic',
      name: Q,
      spec: {
        partitions: 1,
        replicas: 1,
        retention: { maxAgeMs: 0, maxMessages: 0, maxBytes: 0 },
        subscriptions: [],
        dedupWindowMs: 0,
        maxMessageBytes: 0,
        deletionPolicy: 'Delete',
      },
    });
    expect(asTopic).toMatchObject({ ok: false, kind: 'alreadyExists' });
  });

  it.each([
    ['ackDeadlineMs 0', { ackDeadlineMs: 0 }, /ackDeadlineMs/],
    ['negative maxDeliveries', { maxDeliveries: -1 }, /maxDeliveries/],
    ['backoff min above max', { retryBackoffMinMs: 10, retryBackoffMaxMs: 5 }, /retryBackoffMinMs/],
    ['dead-letter queue is itself', { deadLetterQueue: Q }, /itself/],
    ['bad ordering', { ordering: 'Sorted' as 'None' }, /ordering/],
  ])('refuses a spec with %s', (_name, overrides, message) => {
    const h = new Harness();
    const result = h.run({ type: 'applyQueue', name: Q, spec: queueSpec(overrides) });
    expect(result).toMatchObject({ ok: false, kind: 'invalidArgument', message: expect.stringMatching(message) });
  });

  it('lists queues by namespace, sorted', () => {
    const h = new Harness();
    for (const name of ['b/z', 'a/y', 'b/a']) h.applyQueue(name);
    expect(h.engine.listQueues('b', h.nowMs).map((q) => q.name)).toEqual(['b/a', 'b/z']);
    expect(h.engine.listQueues('', h.nowMs).map((q) => q.name)).toEqual(['a/y', 'b/a', 'b/z']);
    expect(h.engine.listTopics('', h.nowMs)).toEqual([]);
  });

  it('refuses to change ordering while messages are in flight', () => {
    const h = setup();
    h.publishOk(item(Q, { key: 'k' }));
    const [d] = h.lease(Q);
    const result = h.run({ type: 'applyQueue', name: Q, spec: queueSpec({ ordering: 'PerKey' }) });
    expect(result).toMatchObject({ ok: false, kind: 'failedPrecondition' });
    h.ack(d as Delivery);
    h.applyQueue(Q, queueSpec({ ordering: 'PerKey' }));
  });
});

describe('publish', () => {
  it('numbers messages from 1 and fails bad items alone', () => {
    const h = setup();
    const outcomes = h.publish(
      item(Q),
      item('shop/missing'),
      item(Q, { priority: 10 }),
      item(Q, { body: 'x'.repeat(20) }),
      item(Q, { delayMs: -1 }),
      item(Q),
    );
    expect(outcomes.map((o) => (o.ok ? o.sequence : o.kind))).toEqual([
      1,
      'notFound',
      'invalidArgument',
      2,
      'invalidArgument',
      3,
    ]);
  });

  it('refuses messages above maxMessageBytes', () => {
    const h = setup(queueSpec({ maxMessageBytes: 4 }));
    const [small, big] = h.publish(item(Q, { body: 'abcd' }), item(Q, { body: 'abcde' }));
    expect(small?.ok).toBe(true);
    expect(big).toMatchObject({
      ok: false,
      kind: 'invalidArgument',
      message: expect.stringMatching(/maxMessageBytes/),
    });
  });

  it('keeps producer ids and derives unique ones otherwise, even across delete and recreate', () => {
    const h = setup();
    const [mine, derived] = h.publish(item(Q, { id: 'my-id' }), item(Q));
    expect(mine).toMatchObject({ ok: true, messageId: 'my-id' });
    h.ok(h.run({ type: 'deleteQueue', name: Q }));
    h.applyQueue(Q);
    const [again] = h.publish(item(Q));
    expect(again).toMatchObject({ ok: true, sequence: 1 });
    expect(again?.ok && derived?.ok && again.messageId !== derived.messageId).toBe(true);
  });

  it.each([
    ['inside the window: stored once', 119_999, true],
    ['after the window: stored again', 120_000, false],
  ])('deduplicates by dedupId %s', (_name, laterMs, duplicate) => {
    const h = setup();
    const [first] = h.publish(item(Q, { dedupId: 'd1' }));
    h.advance(laterMs);
    const [second] = h.publish(item(Q, { dedupId: 'd1' }));
    expect(second).toMatchObject({ ok: true, duplicate });
    if (duplicate && first?.ok && second?.ok) {
      expect(second.messageId).toBe(first.messageId);
      expect(second.sequence).toBe(first.sequence);
    }
    expect(stats(h).depth).toBe(duplicate ? 1 : 2);
  });

  it('deduplicates inside one batch and after the original was acked', () => {
    const h = setup();
    const outcomes = h.publish(item(Q, { dedupId: 'a' }), item(Q, { dedupId: 'a' }), item(Q, { dedupId: 'b' }));
    expect(outcomes.map((o) => o.ok && o.duplicate)).toEqual([false, true, false]);
    h.ack(...h.lease(Q));
    expect(h.publish(item(Q, { dedupId: 'a' }))[0]).toMatchObject({ duplicate: true, sequence: 1 });
  });

  it('does not deduplicate when the window is 0', () => {
    const h = setup(queueSpec({ dedupWindowMs: 0 }));
    expect(h.publish(item(Q, { dedupId: 'a' }), item(Q, { dedupId: 'a' })).map((o) => o.ok && o.duplicate)).toEqual([
      false,
      false,
    ]);
  });
});

describe('lease order', () => {
  it('delivers higher priority first, FIFO within a priority', () => {
    const h = setup();
    h.publishOk(
      item(Q, { priority: 0 }),
      item(Q, { priority: 5 }),
      item(Q, { priority: 9 }),
      item(Q, { priority: 5 }),
      item(Q, { priority: 0 }),
    );
    expect(seqs(h.lease(Q, 2))).toEqual([3, 2]);
    expect(seqs(h.lease(Q, 10))).toEqual([4, 1, 5]);
    expect(h.lease(Q, 10)).toEqual([]);
  });

  it('puts redelivered messages back in their place', () => {
    const h = setup();
    h.publishOk(item(Q), item(Q), item(Q));
    const [first] = h.lease(Q, 1);
    h.settle('nack', [(first as Delivery).receipt]);
    expect(h.lease(Q, 3).map((d) => [d.sequence, d.attempt])).toEqual([
      [1, 2],
      [2, 1],
      [3, 1],
    ]);
  });

  it('refuses a lease of an unknown destination or subscription', () => {
    const h = setup();
    expect(h.run({ type: 'lease', destination: 'x/y', subscription: '', max: 1, ackDeadlineMs: 0 })).toMatchObject({
      kind: 'notFound',
    });
    expect(h.run({ type: 'lease', destination: Q, subscription: 'sub', max: 1, ackDeadlineMs: 0 })).toMatchObject({
      kind: 'notFound',
    });
    expect(h.run({ type: 'lease', destination: Q, subscription: '', max: 0, ackDeadlineMs: 0 })).toMatchObject({
      kind: 'invalidArgument',
    });
  });

  it('stamps attempt, lease expiry, receipt and reference on each delivery', () => {
    const h = setup();
    h.publishOk(item(Q), item(Q));
    const [a, b] = h.lease(Q, 2, '', 5000);
    expect(a).toMatchObject({
      destination: Q,
      subscription: '',
      sequence: 1,
      attempt: 1,
      leaseExpiresMs: h.nowMs + 5000,
      publishMs: h.nowMs,
      ref: { index: 2, slot: 0 },
      extraHeaders: {},
    });
    expect(b?.ref).toEqual({ index: 2, slot: 1 });
    expect(a?.receipt).not.toBe(b?.receipt);
  });
});

describe('delay and TTL', () => {
  it('holds a delayed message until it is due', () => {
    const h = setup();
    h.publishOk(item(Q, { delayMs: 1000 }), item(Q));
    expect(stats(h)).toMatchObject({ depth: 2, delayed: 1 });
    expect(seqs(h.lease(Q))).toEqual([2]);
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + 1000);
    expect(h.engine.readyCount(Q, '', h.nowMs + 999)).toBe(0);
    expect(h.engine.readyCount(Q, '', h.nowMs + 1000)).toBe(1);
    h.advance(999);
    expect(h.lease(Q)).toEqual([]);
    h.advance(1);
    expect(seqs(h.lease(Q))).toEqual([1]);
    expect(stats(h).delayed).toBe(0);
  });

  it('expires a waiting message at its TTL and counts it', () => {
    const h = setup();
    h.publishOk(item(Q, { ttlMs: 500 }), item(Q));
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + 500);
    h.tick(500);
    expect(stats(h)).toMatchObject({ depth: 1, expired: 1 });
    expect(seqs(h.lease(Q))).toEqual([2]);
  });

  it('reports what expired during the last command, whatever the command', () => {
    const h = setup();
    h.publishOk(item(Q, { id: 'short', ttlMs: 500 }), item(Q));
    expect(h.engine.lastExpired).toEqual([]);
    h.advance(500);
    expect(seqs(h.lease(Q))).toEqual([2]); // a lease, not a tick: time moved first, the message expired
    const expired = h.engine.lastExpired;
    expect(expired).toEqual([{ destination: Q, messageId: 'short', ref: { index: 2, slot: 0 }, timeMs: h.nowMs }]);
    h.tick(1);
    expect(h.engine.lastExpired).toEqual([]);
    expect(expired).toHaveLength(1); // the array handed out before is left alone
  });

  it('never delivers an expired message even without a tick', () => {
    const h = setup();
    h.publishOk(item(Q, { ttlMs: 500 }));
    h.advance(600);
    expect(h.lease(Q)).toEqual([]);
  });

  it('lets a leased message whose TTL passes be acked, but not redelivered', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q, { ttlMs: 500 }), item(Q, { ttlMs: 500 }));
    const [a, b] = h.lease(Q);
    h.tick(600);
    expect(stats(h)).toMatchObject({ inFlight: 2, expired: 0 });
    expect(h.ack(a as Delivery)).toEqual(['ok']);
    h.tick(1000);
    expect(stats(h)).toMatchObject({ inFlight: 0, depth: 0, expired: 1, acked: 1 });
    expect(h.ack(b as Delivery)).toEqual(['unknown']);
  });
});

describe('settle', () => {
  it('acks: the message is gone, a second ack is unknown', () => {
    const h = setup();
    h.publishOk(item(Q));
    const [d] = h.lease(Q) as [Delivery];
    expect(h.ack(d)).toEqual(['ok']);
    expect(h.ack(d)).toEqual(['unknown']);
    expect(stats(h)).toMatchObject({ depth: 0, inFlight: 0, acked: 1 });
    expect(h.engine.getQueue(Q, h.nowMs)?.bytes).toBe(0);
  });

  it.each([
    ['empty', ''],
    ['junk', 'not a receipt'],
    ['too many parts', '1.2.3.4.5'],
    ['attempt 0', '1.2.1.0'],
    ['unknown destination', 'zz.2.1.1'],
    ['unknown subscription', '1.zz.1.1'],
    ['unknown message', '1.2.zz.1'],
    ['future attempt', '1.2.1.9'],
    ['huge numbers', 'zzzzzzzzzz.zzzzzzzzzz.zzzzzzzzzz.zzzzzzzzzz'],
  ])('answers unknown for a garbage receipt (%s) and never throws', (_name, receipt) => {
    const h = setup();
    h.publishOk(item(Q));
    h.lease(Q);
    for (const op of ['ack', 'nack', 'extend'] as const) expect(h.settle(op, [receipt])).toEqual(['unknown']);
    expect(stats(h).inFlight).toBe(1);
  });

  it('answers expired for a lease that ran out before the command, even without a tick', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q));
    const [d] = h.lease(Q) as [Delivery];
    h.advance(1000);
    expect(h.ack(d)).toEqual(['expired']);
    expect(stats(h).depth).toBe(1);
  });

  it('answers expired for a stale receipt of an earlier attempt', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q));
    const [first] = h.lease(Q) as [Delivery];
    h.tick(1000);
    const [second] = h.lease(Q) as [Delivery];
    expect(second.attempt).toBe(2);
    expect(h.ack(first)).toEqual(['expired']);
    expect(h.ack(second)).toEqual(['ok']);
  });

  it('nacks with an explicit delay', () => {
    const h = setup(queueSpec({ retryBackoffMinMs: 1000 }));
    h.publishOk(item(Q));
    const [d] = h.lease(Q) as [Delivery];
    expect(h.settle('nack', [d.receipt], { delayMs: 200 })).toEqual(['ok']);
    expect(stats(h)).toMatchObject({ depth: 1, inFlight: 0 });
    h.advance(199);
    expect(h.lease(Q)).toEqual([]);
    h.advance(1);
    expect(h.lease(Q).map((x) => x.attempt)).toEqual([2]);
  });

  it.each([
    // attempt → backoff with min 100, max 1000
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [9, 1000],
  ])('backs off after attempt %i by %i ms', (attempts, backoffMs) => {
    const h = setup(queueSpec({ retryBackoffMinMs: 100, retryBackoffMaxMs: 1000 }));
    h.publishOk(item(Q));
    for (let attempt = 1; attempt < attempts; attempt++) {
      const [d] = h.lease(Q) as [Delivery];
      h.settle('nack', [d.receipt], { delayMs: 1 });
      h.advance(1);
    }
    const [d] = h.lease(Q) as [Delivery];
    expect(d.attempt).toBe(attempts);
    h.settle('nack', [d.receipt]);
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + backoffMs);
    h.advance(backoffMs - 1);
    expect(h.lease(Q)).toEqual([]);
    h.advance(1);
    expect(h.lease(Q)).toHaveLength(1);
  });

  it('backs off from the lease expiry, not from the tick that noticed it', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000, retryBackoffMinMs: 500 }));
    h.publishOk(item(Q));
    h.lease(Q);
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + 1000);
    h.tick(1200);
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs - 200 + 500);
    h.advance(299);
    expect(h.lease(Q)).toEqual([]);
    h.advance(1);
    expect(h.lease(Q)).toHaveLength(1);
  });

  it('extends a lease from now, by the ack deadline when no delay is given', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q), item(Q));
    const [a, b] = h.lease(Q) as [Delivery, Delivery];
    h.advance(900);
    expect(h.settle('extend', [a.receipt], { delayMs: 5000 })).toEqual(['ok']);
    expect(h.settle('extend', [b.receipt])).toEqual(['ok']);
    h.tick(1000);
    expect(stats(h).inFlight).toBe(1);
    expect(h.ack(a, b)).toEqual(['ok', 'expired']);
  });

  it('dead-letters on request with the reason and the origin in headers', () => {
    const h = setup(queueSpec({ deadLetterQueue: DLQ }));
    h.applyQueue(DLQ);
    h.publishOk(item(Q, { id: 'm1', key: 'k', priority: 3 }));
    const [d] = h.lease(Q) as [Delivery];
    h.advance(10);
    expect(h.settle('nack', [d.receipt], { deadLetter: true, reason: 'bad payload' })).toEqual(['ok']);
    expect(stats(h)).toMatchObject({ depth: 0, deadLettered: 1 });
    const [dl] = h.lease(DLQ) as [Delivery];
    expect(dl).toMatchObject({ messageId: 'm1', ref: d.ref, destination: DLQ, attempt: 1 });
    expect(dl.extraHeaders).toEqual({
      [DEAD_LETTER_HEADERS.origin]: Q,
      [DEAD_LETTER_HEADERS.subscription]: '',
      [DEAD_LETTER_HEADERS.attempts]: '1',
      [DEAD_LETTER_HEADERS.reason]: 'bad payload',
      [DEAD_LETTER_HEADERS.timeMs]: String(h.nowMs),
      [DEAD_LETTER_HEADERS.originalId]: 'm1',
    });
  });
});

describe('max deliveries and dead letters', () => {
  const spec = queueSpec({ ackDeadlineMs: 1000, maxDeliveries: 2, deadLetterQueue: DLQ });

  it('dead-letters when the last allowed lease expires', () => {
    const h = setup(spec);
    h.applyQueue(DLQ);
    h.publishOk(item(Q));
    h.lease(Q);
    h.tick(1000);
    expect(h.lease(Q).map((d) => d.attempt)).toEqual([2]);
    h.tick(1000);
    expect(h.lease(Q)).toEqual([]);
    expect(stats(h)).toMatchObject({ depth: 0, inFlight: 0, deadLettered: 1 });
    const [dl] = h.lease(DLQ) as [Delivery];
    expect(dl.extraHeaders[DEAD_LETTER_HEADERS.reason]).toBe('max-deliveries');
    expect(dl.extraHeaders[DEAD_LETTER_HEADERS.attempts]).toBe('2');
  });

  it('dead-letters when the last allowed delivery is nacked', () => {
    const h = setup(spec);
    h.applyQueue(DLQ);
    h.publishOk(item(Q));
    h.settle('nack', [(h.lease(Q)[0] as Delivery).receipt]);
    h.settle('nack', [(h.lease(Q)[0] as Delivery).receipt]);
    expect(stats(h).deadLettered).toBe(1);
    expect(stats(h, DLQ).depth).toBe(1);
  });

  it('discards and counts when the dead-letter queue does not exist', () => {
    const h = setup(spec);
    h.publishOk(item(Q));
    h.lease(Q);
    h.tick(1000);
    h.lease(Q);
    h.tick(1000);
    expect(stats(h)).toMatchObject({ depth: 0, deadLettered: 1 });
    expect(h.engine.minLiveIndex()).toBeUndefined();
  });

  it('redrives dead letters back to their origin with fresh attempts', () => {
    const h = setup(spec);
    h.applyQueue(DLQ);
    h.applyQueue('shop/other', queueSpec({ deadLetterQueue: DLQ, maxDeliveries: 1, ackDeadlineMs: 1000 }));
    h.publishOk(item(Q, { id: 'a' }), item(Q, { id: 'b' }), item('shop/other', { id: 'c' }));
    for (let i = 0; i < 2; i++) {
      h.lease(Q);
      h.lease('shop/other');
      h.tick(1000);
    }
    expect(stats(h, DLQ).depth).toBe(3);
    h.ok(h.run({ type: 'deleteQueue', name: 'shop/other' }));
    expect(h.run({ type: 'redrive', deadLetterQueue: DLQ, max: 1 })).toEqual({ type: 'redriven', count: 1 });
    expect(h.run({ type: 'redrive', deadLetterQueue: DLQ, max: 0 })).toEqual({ type: 'redriven', count: 1 });
    expect(stats(h, DLQ).depth).toBe(1); // 'c' stays: its origin is gone
    const back = h.lease(Q);
    expect(back.map((d) => [d.messageId, d.attempt, d.extraHeaders])).toEqual([
      ['a', 1, {}],
      ['b', 1, {}],
    ]);
    expect(h.run({ type: 'redrive', deadLetterQueue: 'shop/nope', max: 0 })).toMatchObject({ kind: 'notFound' });
  });

  it('keeps the dead letter on the original log entry', () => {
    const h = setup(spec);
    h.applyQueue(DLQ);
    h.publishOk(item(Q));
    const publishIndex = h.index;
    h.publishOk(item(Q));
    h.ack(h.lease(Q, 1)[0] as Delivery);
    expect(h.engine.minLiveIndex()).toBe(publishIndex + 1);
    h.lease(Q);
    h.tick(1000);
    h.lease(Q);
    h.tick(1000);
    expect(stats(h, DLQ).depth).toBe(1);
    expect(h.engine.minLiveIndex()).toBe(publishIndex + 1);
  });
});

describe('retention', () => {
  it.each([
    ['maxMessages', { maxAgeMs: 0, maxMessages: 2, maxBytes: 0 }, /maxMessages \(2\)/],
    ['maxBytes', { maxAgeMs: 0, maxMessages: 0, maxBytes: 2 }, /maxBytes \(2\)/],
  ])('RejectPublish refuses past %s, naming the limit', (_name, retention, message) => {
    const h = setup(queueSpec({ retention, overflow: 'RejectPublish' }));
    const outcomes = h.publish(item(Q), item(Q), item(Q));
    expect(outcomes[2]).toMatchObject({
      ok: false,
      kind: 'resourceExhausted',
      message: expect.stringMatching(message),
    });
    expect(stats(h).depth).toBe(2);
  });

  it('DropOldest drops the oldest waiting messages, never leased ones', () => {
    const h = setup(queueSpec({ retention: { maxAgeMs: 0, maxMessages: 3, maxBytes: 0 }, overflow: 'DropOldest' }));
    h.publishOk(item(Q), item(Q), item(Q));
    const [leased] = h.lease(Q, 1) as [Delivery];
    h.publishOk(item(Q), item(Q));
    expect(stats(h)).toMatchObject({ depth: 2, inFlight: 1, dropped: 2 });
    expect(h.ack(leased)).toEqual(['ok']);
    expect(seqs(h.lease(Q))).toEqual([4, 5]);
  });

  it('DropOldest refuses when every message is in flight', () => {
    const h = setup(queueSpec({ retention: { maxAgeMs: 0, maxMessages: 1, maxBytes: 0 }, overflow: 'DropOldest' }));
    h.publishOk(item(Q));
    h.lease(Q);
    expect(h.publish(item(Q))[0]).toMatchObject({ ok: false, kind: 'resourceExhausted' });
  });

  it('drops messages older than maxAge on tick', () => {
    const h = setup(queueSpec({ retention: { maxAgeMs: 1000, maxMessages: 0, maxBytes: 0 } }));
    h.publishOk(item(Q));
    h.advance(500);
    h.publishOk(item(Q));
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + 500);
    h.tick(500);
    expect(stats(h)).toMatchObject({ depth: 1, dropped: 1 });
    h.tick(500);
    expect(stats(h)).toMatchObject({ depth: 0, dropped: 2 });
  });
});

describe('deletion', () => {
  it('Delete removes the queue at once; its receipts become unknown', () => {
    const h = setup();
    h.publishOk(item(Q));
    const [d] = h.lease(Q) as [Delivery];
    expect(h.run({ type: 'deleteQueue', name: Q })).toEqual({ type: 'deleted', name: Q, draining: false });
    expect(h.engine.getQueue(Q, h.nowMs)).toBeUndefined();
    expect(h.ack(d)).toEqual(['unknown']);
    expect(h.run({ type: 'deleteQueue', name: Q })).toMatchObject({ kind: 'notFound' });
  });

  it('Drain refuses publishes and deletes once empty', () => {
    const h = setup(queueSpec({ deletionPolicy: 'Drain' }));
    h.publishOk(item(Q), item(Q));
    expect(h.run({ type: 'deleteQueue', name: Q })).toEqual({ type: 'deleted', name: Q, draining: true });
    expect(h.publish(item(Q))[0]).toMatchObject({
      ok: false,
      kind: 'failedPrecondition',
      message: expect.stringMatching(/draining/),
    });
    expect(h.engine.getQueue(Q, h.nowMs)?.draining).toBe(true);
    const [a, b] = h.lease(Q) as [Delivery, Delivery];
    h.ack(a);
    expect(h.engine.kindOf(Q)).toBe('queue');
    h.ack(b);
    expect(h.engine.kindOf(Q)).toBeUndefined();
  });

  it('Drain deletes on tick once TTLs empty it', () => {
    const h = setup(queueSpec({ deletionPolicy: 'Drain' }));
    h.publishOk(item(Q, { ttlMs: 100 }));
    h.ok(h.run({ type: 'deleteQueue', name: Q }));
    h.tick(100);
    expect(h.engine.kindOf(Q)).toBeUndefined();
  });

  it('Drain of an empty queue deletes at once', () => {
    const h = setup(queueSpec({ deletionPolicy: 'Drain' }));
    expect(h.run({ type: 'deleteQueue', name: Q })).toEqual({ type: 'deleted', name: Q, draining: false });
  });
});

describe('per-key ordering on a queue', () => {
  it('delivers one message per key at a time, in order; unkeyed ones freely', () => {
    const h = setup(queueSpec({ ordering: 'PerKey' }));
    h.publishOk(
      item(Q, { key: 'a' }),
      item(Q, { key: 'a' }),
      item(Q, { key: 'b' }),
      item(Q),
      item(Q),
      item(Q, { key: 'b', priority: 9 }),
    );
    const first = h.lease(Q);
    expect(seqs(first)).toEqual([1, 3, 4, 5]);
    expect(stats(h)).toMatchObject({ depth: 2, inFlight: 4 });
    h.ack(first[1] as Delivery);
    expect(seqs(h.lease(Q))).toEqual([6]);
    h.settle('nack', [(first[0] as Delivery).receipt], { delayMs: 100 });
    expect(h.lease(Q)).toEqual([]);
    h.advance(100);
    const again = h.lease(Q);
    expect(again.map((d) => [d.sequence, d.attempt])).toEqual([[1, 2]]);
    h.ack(again[0] as Delivery);
    expect(seqs(h.lease(Q))).toEqual([2]);
  });

  it('unblocks the key when its head is dead-lettered or expires', () => {
    const h = setup(queueSpec({ ordering: 'PerKey', maxDeliveries: 1, ackDeadlineMs: 100 }));
    h.publishOk(item(Q, { key: 'a' }), item(Q, { key: 'a', ttlMs: 50 }), item(Q, { key: 'a' }));
    h.lease(Q);
    h.tick(100);
    expect(stats(h)).toMatchObject({ deadLettered: 1, expired: 1 });
    expect(seqs(h.lease(Q))).toEqual([3]);
  });

  it('blocks a key behind its delayed head', () => {
    const h = setup(queueSpec({ ordering: 'PerKey' }));
    h.publishOk(item(Q, { key: 'a', delayMs: 100 }), item(Q, { key: 'a' }));
    expect(h.lease(Q)).toEqual([]);
    h.advance(100);
    expect(seqs(h.lease(Q))).toEqual([1]);
  });
});

describe('bookkeeping', () => {
  it('reports oldest message age, bytes and in-flight counts', () => {
    const h = setup();
    h.publishOk(item(Q, { body: 'abc' }));
    h.advance(1000);
    h.publishOk(item(Q, { body: 'de' }));
    h.advance(500);
    const view = h.engine.getQueue(Q, h.nowMs);
    expect(view?.bytes).toBe(5);
    expect(view?.stats).toMatchObject({ depth: 2, inFlight: 0, oldestMessageAgeMs: 1500 });
    h.ack(h.lease(Q, 1)[0] as Delivery);
    expect(h.engine.getQueue(Q, h.nowMs)?.stats.oldestMessageAgeMs).toBe(500);
  });

  it('reports the smallest live log index', () => {
    const h = setup();
    expect(h.engine.minLiveIndex()).toBeUndefined();
    h.publishOk(item(Q));
    const firstIndex = h.index;
    h.publishOk(item(Q));
    expect(h.engine.minLiveIndex()).toBe(firstIndex);
    h.ack(h.lease(Q, 1)[0] as Delivery);
    expect(h.engine.minLiveIndex()).toBe(firstIndex + 1);
  });

  it('keeps time from going backwards', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q));
    const [d] = h.lease(Q) as [Delivery];
    h.advance(2000);
    h.run({ type: 'tick' });
    h.advance(-1500);
    expect(h.engine.clockMs).toBe(h.nowMs + 1500);
    expect(h.ack(d)).toEqual(['expired']);
  });

  it('asserts on log indexes that do not increase', () => {
    const h = setup();
    expect(() => h.engine.apply(h.index, { type: 'tick', nowMs: h.nowMs })).toThrow(/index/);
  });
});

describe('more rules', () => {
  it('switching to PerKey with retries pending lets only the head of each key through', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q, { key: 'a' }), item(Q, { key: 'a' }), item(Q, { key: 'b' }));
    const leased = h.lease(Q);
    expect(seqs(leased)).toEqual([1, 2, 3]);
    h.settle(
      'nack',
      leased.map((d) => d.receipt),
      { delayMs: 100 },
    );
    h.applyQueue(Q, queueSpec({ ackDeadlineMs: 1000, ordering: 'PerKey' }));
    h.advance(100);
    const next = h.lease(Q);
    expect(seqs(next)).toEqual([1, 3]);
    h.ack(...next);
    const second = h.lease(Q);
    expect(seqs(second)).toEqual([2]);
    h.ack(...second);
    // And back: every waiting message is free again.
    h.publishOk(item(Q, { key: 'c' }), item(Q, { key: 'c' }));
    h.ack(...h.lease(Q));
    h.publishOk(item(Q, { key: 'd' }), item(Q, { key: 'd' }));
    h.applyQueue(Q, queueSpec({ ackDeadlineMs: 1000, ordering: 'None' }));
    expect(seqs(h.lease(Q))).toEqual([5, 6, 7]);
    h.engine.checkInvariants();
  });

  it('forgets dedup entries that fell out of the window even when the window grows later', () => {
    const h = setup(queueSpec({ dedupWindowMs: 100 }));
    h.publishOk(item(Q, { dedupId: 'old' }));
    h.advance(150);
    h.publishOk(item(Q, { dedupId: 'recent' }));
    h.applyQueue(Q, queueSpec({ dedupWindowMs: 10_000 }));
    const [old, recent] = h.publish(item(Q, { dedupId: 'old' }), item(Q, { dedupId: 'recent' }));
    expect(old).toMatchObject({ duplicate: false });
    expect(recent).toMatchObject({ duplicate: true, sequence: 2 });
  });

  it('tidies deadlines that no longer matter', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q));
    const [d] = h.lease(Q) as [Delivery];
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + 1000);
    h.ack(d);
    expect(h.engine.nextDeadlineMs()).toBeUndefined();
  });

  it('extends by the lease length the consumer asked for', () => {
    const h = setup(queueSpec({ ackDeadlineMs: 1000 }));
    h.publishOk(item(Q));
    const [d] = h.lease(Q, 1, '', 200) as [Delivery];
    h.advance(150);
    h.settle('extend', [d.receipt]);
    expect(h.engine.nextDeadlineMs()).toBe(h.nowMs + 200);
  });

  it('takes dead letters into a full RejectPublish queue rather than lose them', () => {
    const h = setup(queueSpec({ maxDeliveries: 1, deadLetterQueue: DLQ }));
    h.applyQueue(DLQ, queueSpec({ retention: { maxAgeMs: 0, maxMessages: 1, maxBytes: 0 } }));
    h.publishOk(item(DLQ));
    h.publishOk(item(Q), item(Q));
    h.settle(
      'nack',
      h.lease(Q).map((d) => d.receipt),
    );
    expect(stats(h, DLQ).depth).toBe(3);
    expect(h.publish(item(DLQ))[0]).toMatchObject({ kind: 'resourceExhausted' });
  });

  it('counts messages deliverable at a later time for the dispatcher', () => {
    const h = setup(queueSpec({ ordering: 'PerKey', ackDeadlineMs: 1000 }));
    h.publishOk(item(Q, { key: 'a' }), item(Q, { key: 'a' }), item(Q), item(Q, { delayMs: 50 }));
    expect(h.engine.readyCount(Q, '', h.nowMs)).toBe(2);
    expect(h.engine.readyCount(Q, '', h.nowMs + 50)).toBe(3);
    const [a] = h.lease(Q, 1) as [Delivery];
    h.settle('nack', [a.receipt], { delayMs: 10 });
    expect(h.engine.readyCount(Q, '', h.nowMs)).toBe(1);
    expect(h.engine.readyCount(Q, '', h.nowMs + 10)).toBe(2);
    expect(h.engine.readyCount(Q, 'nope', h.nowMs)).toBe(0);
  });
});
