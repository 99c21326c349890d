import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionOfKey } from './hash.ts';
import { Harness, item, queueSpec, seqs, subSpec, topicSpec } from './testing/harness.ts';
import { DEAD_LETTER_HEADERS, type Delivery, type SubscriptionSpec, type TopicSpec } from './types.ts';

const T = 'shop/payments';

function setup(spec: TopicSpec = topicSpec({ subscriptions: [subSpec('ledger'), subSpec('audit')] })): Harness {
  const h = new Harness();
  h.applyTopic(T, spec);
  return h;
}

function subStats(h: Harness, name: string) {
  const stats = h.engine.getTopic(T, h.nowMs)?.subscriptions.find((s) => s.name === name);
  if (stats === undefined) throw new Error(`no subscription ${name}`);
  return stats;
}

function ids(deliveries: readonly Delivery[]): string[] {
  return deliveries.map((d) => d.messageId);
}

describe('fan-out', () => {
  it('gives every subscription every message, acked independently; the topic keeps them', () => {
    const h = setup();
    h.publishOk(item(T, { id: 'a' }), item(T, { id: 'b' }));
    const ledger = h.lease(T, 10, 'ledger');
    expect(ids(ledger)).toEqual(['a', 'b']);
    expect(h.ack(...ledger)).toEqual(['ok', 'ok']);
    const audit = h.lease(T, 10, 'audit');
    expect(ids(audit)).toEqual(['a', 'b']);
    expect(audit[0]?.ref).toEqual(ledger[0]?.ref);
    expect(subStats(h, 'ledger')).toMatchObject({ depth: 0, inFlight: 0, acked: 2 });
    expect(subStats(h, 'audit')).toMatchObject({ depth: 0, inFlight: 2 });
    expect(h.engine.getTopic(T, h.nowMs)).toMatchObject({ messages: 2, bytes: 2 });
    // A receipt of one subscription says nothing to the other.
    expect(h.ack(ledger[0] as Delivery)).toEqual(['unknown']);
  });

  it('needs a subscription name to lease', () => {
    const h = setup();
    expect(h.run({ type: 'lease', destination: T, subscription: '', max: 1, ackDeadlineMs: 0 })).toMatchObject({
      kind: 'notFound',
    });
  });

  it('keeps messages nobody subscribes to, for later subscriptions', () => {
    const h = setup(topicSpec());
    h.publishOk(item(T), item(T));
    h.applyTopic(T, topicSpec({ subscriptions: [subSpec('late')] }));
    expect(seqs(h.lease(T, 10, 'late'))).toEqual([1, 2]);
  });
});

describe('filters on subscriptions', () => {
  it('delivers only matching messages', () => {
    const h = setup(
      topicSpec({
        subscriptions: [
          subSpec('invoices', { filter: "headers.type == 'invoice'" }),
          subSpec('eu', { filter: "headers.region in ['eu']" }),
          subSpec('all'),
        ],
      }),
    );
    h.publishOk(
      item(T, { id: '1', headers: { type: 'invoice', region: 'eu' } }),
      item(T, { id: '2', headers: { type: 'refund', region: 'eu' } }),
      item(T, { id: '3', headers: { type: 'invoice' } }),
      item(T, { id: '4' }),
    );
    expect(ids(h.lease(T, 10, 'invoices'))).toEqual(['1', '3']);
    expect(ids(h.lease(T, 10, 'eu'))).toEqual(['1', '2']);
    expect(ids(h.lease(T, 10, 'all'))).toEqual(['1', '2', '3', '4']);
  });

  it('evaluates filters of later subscriptions on the kept headers', () => {
    const h = setup(topicSpec());
    h.publishOk(item(T, { id: '1', headers: { type: 'invoice', traceparent: '00-x' } }), item(T, { id: '2' }));
    h.ok(h.run({ type: 'subscribe', destination: T, spec: subSpec('e', { filter: "headers.type == 'invoice'" }) }));
    expect(ids(h.lease(T, 10, 'e'))).toEqual(['1']);
  });

  it('refuses a topic with an invalid filter, naming the position', () => {
    const h = new Harness();
    const result = h.run({
      type: 'applyTopic',
      name: T,
      spec: topicSpec({ subscriptions: [subSpec('bad', { filter: 'headers.a ==' })] }),
    });
    expect(result).toMatchObject({
      ok: false,
      kind: 'invalidArgument',
      message: expect.stringMatching(/bad.*position 13/),
    });
    expect(h.engine.kindOf(T)).toBeUndefined();
  });
});

describe('startAt', () => {
  const atMs = (h: Harness) => h.nowMs;
  it.each<[string, (startMs: number) => SubscriptionSpec['startAt'], string[]]>([
    ['Earliest', () => 'Earliest', ['1', '2', '3', '4']],
    ['Latest', () => 'Latest', ['4']],
    ['a time', (startMs) => startMs + 1000, ['2', '3', '4']],
  ])('%s', (_name, startAt, expected) => {
    const h = setup(topicSpec());
    const startMs = atMs(h);
    h.publishOk(item(T, { id: '1' }));
    h.advance(1000);
    h.publishOk(item(T, { id: '2' }));
    h.advance(1000);
    h.publishOk(item(T, { id: '3' }));
    h.applyTopic(T, topicSpec({ subscriptions: [subSpec('s', { startAt: startAt(startMs) })] }));
    h.publishOk(item(T, { id: '4' }));
    expect(ids(h.lease(T, 10, 's'))).toEqual(expected);
  });
});

describe('partitions', () => {
  it('hashes keys with FNV-1a and spreads keyless messages round-robin', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('é')).toBe(fnv1a32('\u00e9'));
    const h = setup(topicSpec({ partitions: 3, subscriptions: [subSpec('s')] }));
    const keyed = h.publish(item(T, { key: 'order-1' }), item(T, { key: 'order-1' }), item(T, { key: 'order-2' }));
    const p1 = partitionOfKey('order-1', 3);
    expect(keyed.map((o) => o.ok && o.partition)).toEqual([p1, p1, partitionOfKey('order-2', 3)]);
    const keyless = h.publish(item(T), item(T), item(T), item(T));
    expect(keyless.map((o) => o.ok && o.partition)).toEqual([0, 1, 2, 0]);
  });

  it('numbers messages per partition from 1', () => {
    const h = setup(topicSpec({ partitions: 2, subscriptions: [subSpec('s')] }));
    const outcomes = h.publish(item(T), item(T), item(T), item(T), item(T));
    expect(outcomes.map((o) => o.ok && [o.partition, o.sequence])).toEqual([
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
      [0, 3],
    ]);
    const deliveries = h.lease(T, 10, 's');
    expect(deliveries.map((d) => [d.partition, d.sequence])).toEqual([
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
      [0, 3],
    ]);
  });

  it('only grows', () => {
    const h = setup(topicSpec({ partitions: 2 }));
    h.applyTopic(T, topicSpec({ partitions: 4 }));
    expect(h.publish(item(T), item(T), item(T), item(T)).map((o) => o.ok && o.partition)).toEqual([0, 1, 2, 3]);
    expect(h.run({ type: 'applyTopic', name: T, spec: topicSpec({ partitions: 3 }) })).toMatchObject({
      kind: 'invalidArgument',
      message: expect.stringMatching(/only grow/),
    });
  });
});

describe('subscriptions', () => {
  it('adds, updates and removes declared subscriptions with the spec; removal drops their state', () => {
    const h = setup(topicSpec({ subscriptions: [subSpec('a'), subSpec('b')] }));
    h.publishOk(item(T));
    const [d] = h.lease(T, 1, 'a') as [Delivery];
    h.applyTopic(T, topicSpec({ subscriptions: [subSpec('b', { ackDeadlineMs: 5 }), subSpec('c')] }));
    const view = h.engine.getTopic(T, h.nowMs);
    expect(view?.subscriptions.map((s) => s.name)).toEqual(['b', 'c']);
    expect(h.ack(d)).toEqual(['unknown']);
    const [b] = h.lease(T, 1, 'b') as [Delivery];
    expect(b.leaseExpiresMs).toBe(h.nowMs + 5);
    // Re-adding a removed name starts afresh (its old receipts stay unknown).
    h.applyTopic(T, topicSpec({ subscriptions: [subSpec('a'), subSpec('b'), subSpec('c')] }));
    expect(h.ack(d)).toEqual(['unknown']);
    expect(seqs(h.lease(T, 1, 'a'))).toEqual([1]);
  });

  it('refuses to change the ordering of a subscription with messages in flight', () => {
    const h = setup(topicSpec({ subscriptions: [subSpec('a')] }));
    h.publishOk(item(T));
    const [d] = h.lease(T, 1, 'a') as [Delivery];
    const perKey = topicSpec({ subscriptions: [subSpec('a', { ordering: 'PerKey' })] });
    expect(h.run({ type: 'applyTopic', name: T, spec: perKey })).toMatchObject({ kind: 'failedPrecondition' });
    h.ack(d);
    h.applyTopic(T, perKey);
  });

  it('creates ephemeral subscriptions at run time, idempotently, and removes them', () => {
    const h = setup(topicSpec({ subscriptions: [subSpec('declared')] }));
    h.publishOk(item(T, { id: 'old' }));
    const spec = subSpec('live', { startAt: 'Latest' });
    expect(h.run({ type: 'subscribe', destination: T, spec })).toEqual({ type: 'applied', name: T });
    h.publishOk(item(T, { id: 'new' }));
    expect(h.run({ type: 'subscribe', destination: T, spec })).toEqual({ type: 'applied', name: T });
    expect(h.engine.ephemeralSubscriptions()).toEqual([{ destination: T, subscription: 'live' }]);
    expect(subStats(h, 'live')).toMatchObject({ ephemeral: true, depth: 1 });
    const [d] = h.lease(T, 10, 'live') as [Delivery];
    expect(d.messageId).toBe('new');
    // Applying the topic again leaves ephemeral subscriptions alone.
    h.applyTopic(T, topicSpec({ subscriptions: [subSpec('declared')] }));
    expect(h.engine.ephemeralSubscriptions()).toHaveLength(1);
    expect(h.run({ type: 'unsubscribe', destination: T, subscription: 'live' })).toMatchObject({ type: 'deleted' });
    expect(h.run({ type: 'unsubscribe', destination: T, subscription: 'live' })).toMatchObject({ type: 'deleted' });
    expect(h.engine.ephemeralSubscriptions()).toEqual([]);
    expect(h.ack(d)).toEqual(['unknown']);
    expect(h.run({ type: 'unsubscribe', destination: T, subscription: 'declared' })).toMatchObject({
      kind: 'failedPrecondition',
    });
  });

  it.each([
    ['a missing topic', 'shop/none', subSpec('x'), 'notFound'],
    ['a queue', 'shop/q', subSpec('x'), 'failedPrecondition'],
    ['a bad filter', T, subSpec('x', { filter: '!!' }), 'invalidArgument'],
    ['no name', T, subSpec(''), 'invalidArgument'],
  ])('refuses to subscribe to %s', (_name, destination, spec, kind) => {
    const h = setup();
    h.applyQueue('shop/q');
    expect(h.run({ type: 'subscribe', destination, spec })).toMatchObject({ ok: false, kind });
  });

  it('orders per key within a subscription', () => {
    const h = setup(topicSpec({ subscriptions: [subSpec('ordered', { ordering: 'PerKey' }), subSpec('free')] }));
    h.publishOk(item(T, { key: 'a' }), item(T, { key: 'a' }), item(T, { key: 'b' }));
    expect(seqs(h.lease(T, 10, 'ordered'))).toEqual([1, 3]);
    expect(seqs(h.lease(T, 10, 'free'))).toEqual([1, 2, 3]);
  });
});

describe('topic retention', () => {
  it('drops the oldest retained messages past maxMessages, pending or not', () => {
    const h = setup(
      topicSpec({
        retention: { maxAgeMs: 0, maxMessages: 2, maxBytes: 0 },
        subscriptions: [subSpec('a'), subSpec('b')],
      }),
    );
    h.publishOk(item(T, { id: '1' }), item(T, { id: '2' }));
    const [leased] = h.lease(T, 1, 'a') as [Delivery];
    h.publishOk(item(T, { id: '3' }));
    expect(h.engine.getTopic(T, h.nowMs)?.messages).toBe(2);
    expect(subStats(h, 'b')).toMatchObject({ depth: 2, dropped: 1 });
    // The leased copy can still be acked; it was dropped for everyone else.
    expect(h.ack(leased)).toEqual(['ok']);
    expect(ids(h.lease(T, 10, 'a'))).toEqual(['2', '3']);
  });

  it('drops by age on tick and by bytes on publish', () => {
    const h = setup(
      topicSpec({ retention: { maxAgeMs: 1000, maxMessages: 0, maxBytes: 6 }, subscriptions: [subSpec('a')] }),
    );
    h.publishOk(item(T, { body: 'aaa' }), item(T, { body: 'bbb' }));
    h.publishOk(item(T, { body: 'cc' }));
    expect(h.engine.getTopic(T, h.nowMs)).toMatchObject({ messages: 2, bytes: 5 });
    h.tick(1000);
    expect(h.engine.getTopic(T, h.nowMs)).toMatchObject({ messages: 0, bytes: 0 });
    expect(subStats(h, 'a')).toMatchObject({ depth: 0, dropped: 3 });
    expect(h.publish(item(T, { body: 'x'.repeat(7) }))[0]).toMatchObject({ kind: 'resourceExhausted' });
  });

  it('expires messages by TTL for every subscription', () => {
    const h = setup();
    h.publishOk(item(T, { ttlMs: 100 }), item(T));
    h.tick(100);
    expect(h.engine.getTopic(T, h.nowMs)?.messages).toBe(1);
    expect(subStats(h, 'ledger')).toMatchObject({ depth: 1, expired: 1 });
    expect(subStats(h, 'audit')).toMatchObject({ depth: 1, expired: 1 });
    // Reported once, however many subscriptions held it.
    expect(h.engine.lastExpired.map((m) => m.destination)).toEqual([T]);
  });
});

describe('topic dead letters', () => {
  const spec = topicSpec({
    partitions: 2,
    subscriptions: [
      subSpec('ledger', { maxDeliveries: 1, deadLetterQueue: 'shop/ledger-dlq', ackDeadlineMs: 1000 }),
      subSpec('audit'),
    ],
  });

  it('dead-letters per subscription and redrives to that subscription only', () => {
    const h = setup(spec);
    h.applyQueue('shop/ledger-dlq', queueSpec());
    h.publishOk(item(T, { id: 'm', key: 'k' }));
    const [first] = h.lease(T, 1, 'ledger') as [Delivery];
    h.tick(1000);
    expect(subStats(h, 'ledger')).toMatchObject({ depth: 0, deadLettered: 1 });
    const [dl] = h.lease('shop/ledger-dlq') as [Delivery];
    expect(dl.ref).toEqual(first.ref);
    expect(dl.extraHeaders[DEAD_LETTER_HEADERS.origin]).toBe(T);
    expect(dl.extraHeaders[DEAD_LETTER_HEADERS.subscription]).toBe('ledger');
    h.settle('nack', [dl.receipt], { delayMs: 1 });
    h.advance(1);
    expect(h.run({ type: 'redrive', deadLetterQueue: 'shop/ledger-dlq', max: 0 })).toEqual({
      type: 'redriven',
      count: 1,
    });
    const [back] = h.lease(T, 10, 'ledger') as [Delivery];
    expect(back).toMatchObject({
      messageId: 'm',
      attempt: 1,
      partition: first.partition,
      ref: first.ref,
      extraHeaders: {},
    });
    expect(seqs(h.lease(T, 10, 'audit'))).toEqual([1]);
    h.ok(h.run({ type: 'subscribe', destination: T, spec: subSpec('new') }));
    expect(ids(h.lease(T, 10, 'new'))).toEqual(['m']);
  });

  it('leaves dead letters whose subscription is gone', () => {
    const h = setup(spec);
    h.applyQueue('shop/ledger-dlq', queueSpec());
    h.publishOk(item(T));
    h.lease(T, 1, 'ledger');
    h.tick(1000);
    h.applyTopic(T, topicSpec({ partitions: 2, subscriptions: [subSpec('audit')] }));
    expect(h.run({ type: 'redrive', deadLetterQueue: 'shop/ledger-dlq', max: 0 })).toEqual({
      type: 'redriven',
      count: 0,
    });
  });
});

describe('topic deletion', () => {
  it('drains until every subscription is settled', () => {
    const h = setup(topicSpec({ deletionPolicy: 'Drain', subscriptions: [subSpec('a'), subSpec('b')] }));
    h.publishOk(item(T));
    expect(h.run({ type: 'deleteTopic', name: T })).toMatchObject({ draining: true });
    expect(h.publish(item(T))[0]).toMatchObject({ kind: 'failedPrecondition' });
    h.ack(...h.lease(T, 10, 'a'));
    expect(h.engine.kindOf(T)).toBe('topic');
    h.ack(...h.lease(T, 10, 'b'));
    expect(h.engine.kindOf(T)).toBeUndefined();
  });

  it('deleteQueue does not delete a topic', () => {
    const h = setup();
    expect(h.run({ type: 'deleteQueue', name: T })).toMatchObject({
      kind: 'notFound',
      message: expect.stringMatching(/topic/),
    });
  });
});

describe('topic bookkeeping', () => {
  it('keeps log segments of retained topic messages', () => {
    const h = setup();
    h.publishOk(item(T));
    const index = h.index;
    h.ack(...h.lease(T, 10, 'ledger'), ...h.lease(T, 10, 'audit'));
    expect(h.engine.minLiveIndex()).toBe(index);
  });

  it('limits the number of subscriptions', () => {
    const h = setup(topicSpec());
    for (let i = 0; i < 1024; i++) {
      h.ok(h.run({ type: 'subscribe', destination: T, spec: subSpec(`s${i}`, { startAt: 'Latest' }) }));
    }
    expect(h.run({ type: 'subscribe', destination: T, spec: subSpec('one-more') })).toMatchObject({
      kind: 'resourceExhausted',
    });
  });
});
