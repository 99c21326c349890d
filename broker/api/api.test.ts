// The public API through a real gRPC client against a real broker on loopback: the contract of
// DESIGN.md §1, and precise status codes for bad input that never lose or corrupt stored data.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isServiceError } from '../../client/index.ts';
import { startTestBroker, type TestBroker } from './testing.ts';

let t: TestBroker;
const text = (s: string) => Buffer.from(s);

beforeAll(async () => {
  t = await startTestBroker();
  await t.client.applyQueue({ name: 'shop/orders-dlq' });
  await t.client.applyQueue({
    name: 'shop/orders',
    spec: {
      deadLetterQueue: 'orders-dlq',
      maxDeliveries: 2,
      retryBackoff: { min: { nanos: 1e6 }, max: { nanos: 2e6 } },
    },
  });
  await t.client.applyQueue({ name: 'shop/tiny', spec: { maxMessageBytes: 1024 } });
  await t.client.applyQueue({ name: 'shop/bounded', spec: { retention: { maxMessages: 2 } } });
  await t.client.applyTopic({ name: 'shop/payments', spec: { subscriptions: [{ name: 'ledger' }] } });
});
afterAll(async () => {
  await t?.close();
});

async function expectStatus(promise: Promise<unknown>, code: status, fragment: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isServiceError(error)) throw new Error(`expected ${status[code]} with "${fragment}", got ${String(error)}`);
  expect(status[error.code]).toBe(status[code]);
  expect(error.details).toContain(fragment);
}

describe('publish, receive, ack', () => {
  it('round-trips payload, headers and key, and acks', async () => {
    const published = await t.client.publish('shop/orders', {
      payload: text('hello'),
      headers: { type: 'order' },
      key: 'c1',
    });
    expect(published.sequence).toBeGreaterThan(0);
    const { deliveries } = await t.client.receive({ destination: 'shop/orders', maxMessages: 10 });
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0];
    expect(delivery?.message?.payload.toString()).toBe('hello');
    expect(delivery?.message?.headers).toEqual({ type: 'order' });
    expect(delivery?.message?.id).toBe(published.messageId);
    expect(delivery?.attempt).toBe(1);
    const acked = await t.client.ack([delivery?.receipt ?? '']);
    expect(acked.results[0]?.outcome).toBe('OUTCOME_OK');
    const again = await t.client.ack([delivery?.receipt ?? '']);
    expect(again.results[0]?.outcome).toBe('OUTCOME_UNKNOWN');
  });

  it('deduplicates a retried publish with the same dedup_id', async () => {
    const first = await t.client.publish('shop/payments', { payload: text('p'), dedupId: 'pay-1' });
    const retry = await t.client.publish('shop/payments', { payload: text('p'), dedupId: 'pay-1' });
    expect(retry.duplicate).toBe(true);
    expect(retry.messageId).toBe(first.messageId);
    const { deliveries } = await t.client.receive({
      destination: 'shop/payments',
      subscription: 'ledger',
      maxMessages: 10,
    });
    expect(deliveries.map((d) => d.message?.id)).toEqual([first.messageId]);
    await t.client.ack(deliveries.map((d) => d.receipt));
  });

  it('long-polls: a Receive waiting on an empty queue returns the message published meanwhile', async () => {
    await t.client.applyQueue({ name: 'shop/poll' });
    const waiting = t.client.receive({ destination: 'shop/poll', maxMessages: 5, wait: { seconds: 20 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.client.publish('shop/poll', { payload: text('late') });
    const { deliveries } = await waiting;
    expect(deliveries.map((d) => d.message?.payload.toString())).toEqual(['late']);
    await t.client.ack(deliveries.map((d) => d.receipt));
  });

  it('answers a PublishBatch in order', async () => {
    const { responses } = await t.client.publishBatch(
      Array.from({ length: 5 }, (_, i) => ({
        destination: 'shop/orders',
        message: { payload: text(`b${i}`) },
        requestId: `r${i}`,
      })),
    );
    expect(responses.map((r) => r.requestId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    const seqs = responses.map((r) => r.sequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const { deliveries } = await t.client.receive({ destination: 'shop/orders', maxMessages: 10 });
    expect(deliveries.map((d) => d.message?.payload.toString())).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    await t.client.ack(deliveries.map((d) => d.receipt));
  });
});

describe('bad input gets a precise status and loses nothing', () => {
  const cases: ReadonlyArray<readonly [string, () => Promise<unknown>, status, string]> = [
    [
      'bad destination name',
      () => t.client.publish('Shop/Orders', { payload: text('x') }),
      status.INVALID_ARGUMENT,
      'lowercase',
    ],
    [
      'too many slashes',
      () => t.client.publish('a/b/c', { payload: text('x') }),
      status.INVALID_ARGUMENT,
      "more than one '/'",
    ],
    ['unknown destination', () => t.client.publish('shop/nope', { payload: text('x') }), status.NOT_FOUND, 'shop/nope'],
    [
      'priority above 9',
      () => t.client.publish('shop/orders', { payload: text('x'), priority: 12 }),
      status.INVALID_ARGUMENT,
      'priority',
    ],
    [
      'negative delay',
      () => t.client.publish('shop/orders', { payload: text('x'), delay: { seconds: -1 } }),
      status.INVALID_ARGUMENT,
      'negative',
    ],
    [
      'malformed duration',
      () => t.client.publish('shop/orders', { payload: text('x'), ttl: { seconds: 1, nanos: 2e9 } }),
      status.INVALID_ARGUMENT,
      'nanos',
    ],
    [
      'message over maxMessageBytes',
      () => t.client.publish('shop/tiny', { payload: Buffer.alloc(2048) }),
      status.INVALID_ARGUMENT,
      '1024',
    ],
    [
      'ack deadline below 1s',
      () => t.client.applyQueue({ name: 'shop/q2', spec: { ackDeadline: { nanos: 5e8 } } }),
      status.INVALID_ARGUMENT,
      'ackDeadline',
    ],
    [
      'own dead-letter queue',
      () => t.client.applyQueue({ name: 'shop/q3', spec: { deadLetterQueue: 'q3' } }),
      status.INVALID_ARGUMENT,
      'own dead-letter',
    ],
    [
      'backoff min above max',
      () =>
        t.client.applyQueue({ name: 'shop/q4', spec: { retryBackoff: { min: { seconds: 10 }, max: { seconds: 1 } } } }),
      status.INVALID_ARGUMENT,
      'min',
    ],
    [
      'topic with a bad filter',
      () =>
        t.client.applyTopic({
          name: 'shop/t2',
          spec: { subscriptions: [{ name: 's', filter: "headers.type = 'x'" }] },
        }),
      status.INVALID_ARGUMENT,
      'filter',
    ],
    [
      'queue named like a topic',
      () => t.client.applyQueue({ name: 'shop/payments' }),
      status.ALREADY_EXISTS,
      'payments',
    ],
    ['receive from unknown', () => t.client.receive({ destination: 'shop/nope' }), status.NOT_FOUND, 'shop/nope'],
    [
      'receive too many',
      () => t.client.receive({ destination: 'shop/orders', maxMessages: 5000 }),
      status.INVALID_ARGUMENT,
      'max_messages',
    ],
    [
      'topic without subscription',
      () => t.client.receive({ destination: 'shop/payments' }),
      status.INVALID_ARGUMENT,
      'subscription',
    ],
    [
      'queue with a subscription',
      () => t.client.receive({ destination: 'shop/orders', subscription: 'x' }),
      status.INVALID_ARGUMENT,
      'Queue',
    ],
    [
      'unknown topic subscription',
      () => t.client.receive({ destination: 'shop/payments', subscription: 'nobody' }),
      status.NOT_FOUND,
      'nobody',
    ],
    ['delete unknown queue', () => t.client.deleteQueue('shop/nope'), status.NOT_FOUND, 'shop/nope'],
    ['redrive unknown queue', () => t.client.redriveDeadLetters('shop/nope'), status.NOT_FOUND, 'shop/nope'],
    [
      'membership before Raft',
      () =>
        new Promise((resolve, reject) => t.client.admin.AddMember({ id: 'x' }, (e, r) => (e ? reject(e) : resolve(r)))),
      status.UNIMPLEMENTED,
      'Raft',
    ],
  ];

  it.each(cases)('%s', async (_name, call, code, fragment) => {
    await expectStatus(call(), code, fragment);
  });

  it('rejects publishes to a full RejectPublish queue and keeps what it stored', async () => {
    await t.client.publish('shop/bounded', { payload: text('1') });
    await t.client.publish('shop/bounded', { payload: text('2') });
    await expectStatus(
      t.client.publish('shop/bounded', { payload: text('3') }),
      status.RESOURCE_EXHAUSTED,
      'maxMessages',
    );
    const { deliveries } = await t.client.receive({ destination: 'shop/bounded', maxMessages: 10 });
    expect(deliveries.map((d) => d.message?.payload.toString())).toEqual(['1', '2']);
  });

  it('answers garbage receipts with OUTCOME_UNKNOWN, not an error', async () => {
    const { results } = await t.client.ack(['garbage', '']);
    expect(results.map((r) => r.outcome)).toEqual(['OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN']);
  });

  it('rejects a whole batch with one bad message, storing none of it', async () => {
    const before = await t.client.getQueue('shop/orders');
    await expectStatus(
      t.client.publishBatch([
        { destination: 'shop/orders', message: { payload: text('ok') } },
        { destination: 'shop/orders', message: { payload: text('bad'), priority: 99 } },
      ]),
      status.INVALID_ARGUMENT,
      'requests[1]',
    );
    const after = await t.client.getQueue('shop/orders');
    expect(after.status?.depth).toBe(before.status?.depth);
  });
});

describe('redelivery and dead letters', () => {
  it('redelivers a nacked message, then dead-letters it after maxDeliveries, and redrives it back', async () => {
    const published = await t.client.publish('shop/orders', { payload: text('poison') });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const { deliveries } = await t.client.receive({
        destination: 'shop/orders',
        maxMessages: 1,
        wait: { seconds: 5 },
      });
      expect(deliveries[0]?.message?.id).toBe(published.messageId);
      expect(deliveries[0]?.attempt).toBe(attempt);
      await t.client.nack([deliveries[0]?.receipt ?? ''], { reason: 'cannot parse' });
    }
    const dead = await t.client.receive({ destination: 'shop/orders-dlq', maxMessages: 1, wait: { seconds: 5 } });
    const headers = dead.deliveries[0]?.message?.headers ?? {};
    expect(dead.deliveries[0]?.message?.payload.toString()).toBe('poison');
    expect(headers['wharf-dlq-origin']).toBe('shop/orders');
    expect(headers['wharf-dlq-attempts']).toBe('2');
    expect(headers['wharf-dlq-reason']).toBe('max-deliveries');
    await t.client.nack([dead.deliveries[0]?.receipt ?? ''], { delayMs: 1 });
    expect(await t.client.redriveDeadLetters('shop/orders-dlq')).toBe(1);
    const back = await t.client.receive({ destination: 'shop/orders', maxMessages: 1, wait: { seconds: 5 } });
    expect(back.deliveries[0]?.message?.payload.toString()).toBe('poison');
    await t.client.ack([back.deliveries[0]?.receipt ?? '']);
  });
});

describe('Consume', () => {
  it('pushes within max_in_flight and refills as messages are acked', async () => {
    await t.client.applyQueue({ name: 'shop/work' });
    await t.client.publishBatch(
      Array.from({ length: 10 }, (_, i) => ({ destination: 'shop/work', message: { payload: text(`w${i}`) } })),
    );
    const consumer = t.client.consume({ destination: 'shop/work', maxInFlight: 3 });
    const seen: string[] = [];
    let held: string[] = [];
    for await (const delivery of consumer) {
      seen.push(delivery.message?.payload.toString() ?? '');
      held.push(delivery.receipt);
      expect(held.length).toBeLessThanOrEqual(3);
      if (held.length === 3 || seen.length === 10) {
        const results = await consumer.ack(held);
        expect(results.every((r) => r.outcome === 'OUTCOME_OK')).toBe(true);
        held = [];
      }
      if (seen.length === 10) break;
    }
    await consumer.close();
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`));
  });

  it('gives a fan-out consumer on a topic its own ephemeral subscription', async () => {
    const consumer = t.client.consume({ destination: 'shop/payments' });
    const iterator = consumer[Symbol.asyncIterator]();
    // The subscription starts at Latest: wait until it exists before publishing.
    for (let i = 0; i < 100; i++) {
      const topic = await t.client.getTopic('shop/payments');
      if (topic.status?.subscriptions.some((s) => s.ephemeral)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await t.client.publish('shop/payments', { payload: text('fan') });
    const next = await iterator.next();
    expect(next.done).toBe(false);
    expect(next.value?.message?.payload.toString()).toBe('fan');
    await consumer.ack([next.value?.receipt ?? '']);
    await consumer.close();
    // The ledger subscription still has its own copy.
    const ledger = await t.client.receive({ destination: 'shop/payments', subscription: 'ledger', maxMessages: 5 });
    expect(ledger.deliveries.map((d) => d.message?.payload.toString())).toEqual(['fan']);
    await t.client.ack(ledger.deliveries.map((d) => d.receipt));
  });
});

describe('Call', () => {
  it('does request/reply through a generated inbox', async () => {
    await t.client.applyQueue({ name: 'shop/rpc' });
    const responder = t.client.consume({ destination: 'shop/rpc' });
    const serving = (async () => {
      for await (const request of responder) {
        await t.client.publish(request.message?.replyTo ?? '', {
          payload: text(`re: ${request.message?.payload.toString()}`),
          correlationId: request.message?.correlationId ?? '',
        });
        await responder.ack([request.receipt]);
        break;
      }
    })();
    const { reply } = await t.client.call('shop/rpc', { payload: text('ping') }, 10_000);
    expect(reply?.payload.toString()).toBe('re: ping');
    await serving;
    await responder.close();
    const queues = await t.client.listQueues('shop');
    expect(queues.some((q) => q.name.includes('_inbox'))).toBe(false);
  });
});

describe('restart', () => {
  it('finds every queue, topic and unsettled message again', async () => {
    await t.client.applyQueue({ name: 'shop/durable' });
    await t.client.publishBatch(
      Array.from({ length: 20 }, (_, i) => ({
        destination: 'shop/durable',
        message: { payload: text(`d${i}`), key: `k${i % 3}` },
      })),
    );
    const leased = await t.client.receive({ destination: 'shop/durable', maxMessages: 5 });
    await t.client.ack(leased.deliveries.slice(0, 2).map((d) => d.receipt));
    await t.restart();
    const topics = await t.client.listTopics('shop');
    expect(topics.map((x) => x.name)).toContain('shop/payments');
    const queue = await t.client.getQueue('shop/durable');
    expect((queue.status?.depth ?? 0) + (queue.status?.inFlight ?? 0)).toBe(18);
    const rest = await t.client.receive({ destination: 'shop/durable', maxMessages: 100 });
    const payloads = new Set(rest.deliveries.map((d) => d.message?.payload.toString()));
    for (let i = 5; i < 20; i++) expect(payloads.has(`d${i}`)).toBe(true);
  });
});
