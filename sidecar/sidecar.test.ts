// A real sidecar in front of a real broker (both in-process, loopback, port 0), driven by the
// Wharf client exactly as an app would drive localhost:7070.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminProto, brokerProto, connect, type WharfClient } from '../client/index.ts';
import { ATTR_WHARF_DELIVERY_ATTEMPT } from '../common/tracing.ts';
import type { Delivery__Output } from '../proto/gen/wharf/v1/Delivery.ts';
import type { PublishBatchRequest__Output } from '../proto/gen/wharf/v1/PublishBatchRequest.ts';
import type { PublishBatchResponse__Output } from '../proto/gen/wharf/v1/PublishBatchResponse.ts';
import { eventually, startTestBroker, startTestSidecar, type TestBroker, type TestSidecar } from './testing.ts';

const require = createRequire(import.meta.url);
const healthProto = path.join(
  path.dirname(require.resolve('grpc-health-check/package.json')),
  'proto/health/v1/health.proto',
);
type HealthClient = grpc.Client & {
  Check(req: { service: string }, cb: (e: grpc.ServiceError | null, r?: { status: string }) => void): void;
};
const Health = (
  grpc.loadPackageDefinition(protoLoader.loadSync(healthProto, { keepCase: true, enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => HealthClient } } };
  }
).grpc.health.v1.Health;

function healthOf(address: string): Promise<string> {
  const client = new Health(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.Check({ service: 'wharf.v1.BrokerService' }, (error, response) => {
      client.close();
      resolve(error ? `error ${error.code}` : (response?.status ?? 'none'));
    });
  });
}

const body = (text: string) => ({ payload: Buffer.from(text) });

async function take(iterator: AsyncIterator<Delivery__Output>, count: number): Promise<Delivery__Output[]> {
  const out: Delivery__Output[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/** Receives directly from the broker until `count` deliveries arrived or 3s passed. */
async function receiveAll(destination: string, count: number): Promise<Delivery__Output[]> {
  const out: Delivery__Output[] = [];
  const deadline = Date.now() + 3_000;
  while (out.length < count && Date.now() < deadline) {
    const { deliveries } = await direct.receive({ destination, maxMessages: count - out.length, wait: { seconds: 1 } });
    out.push(...deliveries);
  }
  return out;
}

let broker: TestBroker;
let direct: WharfClient;
let t: TestSidecar;

beforeAll(async () => {
  broker = await startTestBroker();
  direct = connect(broker.address);
  for (const name of ['orders', 'calls', 'restart', 'flaky', 'drain', 'traced', 'burst']) {
    await direct.applyQueue({ name: `shop/${name}` });
  }
  t = await startTestSidecar([broker.address], { metrics: true });
});
afterAll(async () => {
  await t?.close();
  direct?.close();
  await broker?.close();
});

describe('through the sidecar', () => {
  it('is SERVING once it reached a broker; NOT_SERVING while it cannot', async () => {
    await eventually(async () => (await healthOf(t.sidecar.address)) === 'SERVING');
    const lonely = await startTestSidecar(['127.0.0.1:1']);
    try {
      await lonely.sidecar.router.refresh();
      expect(await healthOf(lonely.sidecar.address)).toBe('NOT_SERVING');
    } finally {
      await lonely.close();
    }
  });

  it('publishes, receives and acks, filling in the namespace', async () => {
    const published = await t.client.publish('orders', { ...body('one'), replyTo: 'answers' }, 'req-1');
    expect(published).toMatchObject({ requestId: 'req-1', duplicate: false });
    const { deliveries } = await t.client.receive({ destination: 'orders', maxMessages: 10 });
    expect(deliveries).toHaveLength(1);
    const d = deliveries[0] as Delivery__Output;
    expect(d.destination).toBe('shop/orders');
    expect(d.message?.payload.toString()).toBe('one');
    expect(d.message?.replyTo).toBe('shop/answers');
    // The sidecar gave the message a dedup id so its own retries are idempotent.
    expect(d.message?.dedupId).toMatch(/^sc-/);
    expect((await t.client.ack([d.receipt])).results).toEqual([{ receipt: d.receipt, outcome: 'OUTCOME_OK' }]);
  });

  it('forwards AdminService calls, statuses included, so the CLI works against it', async () => {
    const applied = await t.client.applyQueue({ name: 'shop/admin-through-sidecar' });
    expect(applied.name).toBe('shop/admin-through-sidecar');
    expect((await t.client.listQueues('shop')).map((q) => q.name)).toContain('shop/admin-through-sidecar');
    const missing = await t.client.getQueue('shop/nope').then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(missing?.code).toBe(grpc.status.NOT_FOUND);
    expect(missing?.details).toContain('shop/nope');
  });

  it('serves Prometheus metrics', async () => {
    await t.client.publish('orders', body('counted'));
    const { deliveries } = await t.client.receive({ destination: 'orders', maxMessages: 1 });
    const scrape = async () => (await fetch(`http://127.0.0.1:${t.sidecar.metricsPort}/metrics`)).text();
    // The gauge is read from the ledger at scrape time.
    expect(await scrape()).toMatch(/^wharf_sidecar_held_deliveries [1-9]/m);
    await t.client.ack(deliveries.map((d) => d.receipt));
    await t.client.publish('nope', body('x')).catch(() => {});
    const text = await scrape();
    expect(text).toMatch(/^wharf_sidecar_publishes_total\{outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^wharf_sidecar_deliveries_total\{source="receive"\} [1-9]/m);
    expect(text).toMatch(/^wharf_sidecar_acks_total\{outcome="OUTCOME_OK"\} [1-9]/m);
    expect(text).toMatch(/^wharf_sidecar_errors_total\{method="Publish",code="NOT_FOUND"\} [1-9]/m);
    expect(text).toMatch(
      /^wharf_sidecar_upstream_request_duration_seconds_bucket\{le="0.005",method="PublishBatch"\}/m,
    );
  });

  it('fails over from a dead seed and learns the members from the live one', async () => {
    const s = await startTestSidecar(['127.0.0.1:1', broker.address]);
    try {
      expect((await s.client.publish('orders', body('via the live seed'))).messageId).not.toBe('');
      await s.sidecar.router.refresh();
      expect(s.sidecar.router.table.members[0]).toBe(broker.address);
      expect(s.sidecar.router.table.addressFor('shop/anything')).toBe(broker.address);
      const { deliveries } = await direct.receive({ destination: 'shop/orders', maxMessages: 10 });
      await direct.ack(deliveries.map((d) => d.receipt));
    } finally {
      await s.close();
    }
  });

  it('passes broker errors through with their code', async () => {
    await expect(t.client.publish('nope', body('x'))).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(t.client.publish('Bad Name', body('x'))).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('coalesces concurrent publishes into batches, answering each in order', async () => {
    const before = (await t.sidecar.metrics.publishBatchRequests.get()).values.find(
      (v) => v.metricName === 'wharf_sidecar_publish_batch_requests_count',
    )?.value;
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => t.client.publish('burst', body(`m${i}`), `r${i}`)),
    );
    expect(answers.map((a) => a.requestId)).toEqual(Array.from({ length: 300 }, (_, i) => `r${i}`));
    const after = (await t.sidecar.metrics.publishBatchRequests.get()).values.find(
      (v) => v.metricName === 'wharf_sidecar_publish_batch_requests_count',
    )?.value;
    const batches = (after ?? 0) - (before ?? 0);
    expect(batches).toBeLessThan(300);
    const { deliveries } = await direct.receive({ destination: 'shop/burst', maxMessages: 1000 });
    expect(deliveries).toHaveLength(300);
    await direct.ack(deliveries.map((d) => d.receipt));
  });

  it('fails only the bad requests of a coalesced batch', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.client.publish(i % 4 === 3 ? 'nope' : 'burst', body(`mixed${i}`)).then(
          () => 'ok',
          (e: grpc.ServiceError) => `${e.code} ${e.details}`,
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(30);
    expect(results.filter((r) => r !== 'ok')).toEqual(
      Array.from({ length: 10 }, () => `${grpc.status.NOT_FOUND} no such destination shop/nope`),
    );
    const got = await receiveAll('shop/burst', 30);
    expect(got).toHaveLength(30);
    await direct.ack(got.map((d) => d.receipt));
  });

  it('streams publishes and consumes with ack through the bidi proxy', async () => {
    const stream = t.client.openPublishStream();
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((p) => stream.publish({ destination: 'orders', message: body(p) })),
    );
    expect(answers.every((a) => a.messageId !== '')).toBe(true);
    await stream.end();
    const counted = async () => ({
      deliveries:
        (await t.sidecar.metrics.deliveries.get()).values.find((v) => v.labels.source === 'consume')?.value ?? 0,
      acks: (await t.sidecar.metrics.acks.get()).values.find((v) => v.labels.outcome === 'OUTCOME_OK')?.value ?? 0,
    });
    const before = await counted();
    const consumer = t.client.consume({ destination: 'orders', maxInFlight: 10 });
    const iterator = consumer[Symbol.asyncIterator]();
    const got = await take(iterator, 3);
    expect(got.map((d) => d.message?.payload.toString()).sort()).toEqual(['a', 'b', 'c']);
    const results = await consumer.ack(got.map((d) => d.receipt));
    expect(results.map((r) => r.outcome)).toEqual(['OUTCOME_OK', 'OUTCOME_OK', 'OUTCOME_OK']);
    // Counted on the stream and added to the counters once per turn of the event loop.
    await eventually(async () => {
      const now = await counted();
      return now.deliveries - before.deliveries === 3 && now.acks - before.acks === 3;
    });
    await consumer.close();
  });

  it('serves request/reply with Call', async () => {
    const responder = t.client.consume({ destination: 'calls' });
    const serve = (async () => {
      const [request] = await take(responder[Symbol.asyncIterator](), 1);
      if (request?.message === null || request === undefined) throw new Error('no request');
      await t.client.publish(request.message.replyTo, {
        payload: Buffer.from(`re: ${request.message.payload.toString()}`),
        correlationId: request.message.correlationId,
      });
      await responder.ack([request.receipt]);
    })();
    const reply = await t.client.call('calls', body('ping'), 5_000);
    expect(reply.reply?.payload.toString()).toBe('re: ping');
    await serve;
    await responder.close();
  });

  it('retries a publish across a broker restart, storing it once', async () => {
    await broker.stop();
    const pending = t.client.publish('restart', body('survivor'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await broker.start();
    const answer = await pending;
    expect(answer.duplicate).toBe(false);
    await eventually(async () => (await healthOf(t.sidecar.address)) === 'SERVING');
    const { deliveries } = await direct.receive({ destination: 'shop/restart', maxMessages: 10, wait: { seconds: 1 } });
    expect(deliveries.map((d) => d.message?.payload.toString())).toEqual(['survivor']);
    await direct.ack(deliveries.map((d) => d.receipt));
  });

  it('resends with the same dedup id when an answer is lost: no duplicate', async () => {
    // A broker-shaped proxy that stores the first batch upstream, then "loses" the answer.
    let calls = 0;
    const seenDedupIds: string[] = [];
    const proxy = new grpc.Server();
    proxy.addService(brokerProto.wharf.v1.BrokerService.service, {
      PublishBatch: (
        call: grpc.ServerUnaryCall<PublishBatchRequest__Output, unknown>,
        callback: grpc.sendUnaryData<PublishBatchResponse__Output>,
      ) => {
        calls++;
        seenDedupIds.push(...call.request.requests.map((r) => r.message?.dedupId ?? ''));
        direct.publishBatch(call.request.requests).then(
          (response) =>
            calls === 1
              ? callback({ code: grpc.status.UNAVAILABLE, details: 'connection reset' })
              : callback(null, response),
          (error: grpc.ServiceError) => callback(error),
        );
      },
    });
    let proxyAddress = '';
    proxy.addService(adminProto.wharf.v1.AdminService.service, {
      GetClusterStatus: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback(null, { members: [{ id: 'proxy', address: proxyAddress, leader: true }] }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      proxy.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    proxyAddress = `127.0.0.1:${port}`;
    const flaky = await startTestSidecar([proxyAddress]);
    try {
      const answer = await flaky.client.publish('flaky', body('once'));
      expect(calls).toBe(2);
      expect(new Set(seenDedupIds).size).toBe(1);
      expect(answer.duplicate).toBe(false);
      const { deliveries } = await direct.receive({ destination: 'shop/flaky', maxMessages: 10, wait: { seconds: 1 } });
      expect(deliveries.map((d) => d.message?.payload.toString())).toEqual(['once']);
      await direct.ack(deliveries.map((d) => d.receipt));
    } finally {
      await flaky.close();
      proxy.forceShutdown();
    }
  });

  it('stops retrying an app batch once the app cancels it', async () => {
    let calls = 0;
    const refusing = new grpc.Server();
    refusing.addService(brokerProto.wharf.v1.BrokerService.service, {
      PublishBatch: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
        calls++;
        callback({ code: grpc.status.UNAVAILABLE, details: 'no quorum' });
      },
    });
    let address = '';
    refusing.addService(adminProto.wharf.v1.AdminService.service, {
      GetClusterStatus: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback(null, { members: [{ id: 'refusing', address, leader: true }] }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      refusing.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
    const s = await startTestSidecar([address]);
    const failed = async () =>
      (await s.sidecar.metrics.publishes.get()).values.find((v) => v.labels.outcome === 'error')?.value ?? 0;
    try {
      // A deadline far away: without cancellation the sidecar would retry for a minute.
      const call = s.client.broker.PublishBatch(
        { requests: [{ destination: 'shop/x', message: body('a') }] },
        { deadline: Date.now() + 60_000 },
        () => {},
      );
      await eventually(() => calls >= 2);
      call.cancel();
      // The batch ends with its one request failed (cancelled) within a backoff, not the deadline.
      await eventually(async () => (await failed()) === 1, 3_000);
    } finally {
      await s.close();
      refusing.forceShutdown();
    }
  });

  it('bounds the bytes of app batches it holds: one goes alone, the next is refused until it is answered', async () => {
    const held: (() => void)[] = [];
    const slow = new grpc.Server();
    slow.addService(brokerProto.wharf.v1.BrokerService.service, {
      PublishBatch: (
        call: grpc.ServerUnaryCall<PublishBatchRequest__Output, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => held.push(() => callback(null, { responses: call.request.requests.map(() => ({ messageId: 'm' })) })),
    });
    let address = '';
    slow.addService(adminProto.wharf.v1.AdminService.service, {
      GetClusterStatus: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback(null, { members: [{ id: 'slow', address, leader: true }] }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      slow.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
    const s = await startTestSidecar([address], { publish: { queuedBytesMax: 4_000 } });
    try {
      const batch = (n: number) =>
        Array.from({ length: n }, () => ({ destination: 'x', message: { payload: Buffer.alloc(1_000) } }));
      // Larger than the limit, but alone: admitted.
      const first = s.client.publishBatch(batch(5));
      await eventually(() => held.length === 1);
      await expect(s.client.publishBatch(batch(1))).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/bytes of batches in flight/),
      });
      held.shift()?.();
      expect((await first).responses).toHaveLength(5);
      // Answered, its bytes are released.
      const second = s.client.publishBatch(batch(1));
      await eventually(() => held.length === 1);
      held.shift()?.();
      expect((await second).responses).toHaveLength(1);
    } finally {
      for (const release of held) release();
      await s.close();
      slow.forceShutdown();
    }
  });

  it('traces send → process → nack → process → ack in one trace', async () => {
    t.spans.reset();
    const appTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const appSpanId = '00f067aa0ba902b7';
    await t.client.publish('traced', {
      ...body('traced'),
      headers: { traceparent: `00-${appTraceId}-${appSpanId}-01` },
    });
    const consumer = t.client.consume({ destination: 'traced' });
    const iterator = consumer[Symbol.asyncIterator]();
    const [first] = await take(iterator, 1);
    await consumer.nack([first?.receipt ?? ''], { delayMs: 1 });
    const [second] = await take(iterator, 1);
    expect(second?.attempt).toBe(2);
    await consumer.ack([second?.receipt ?? '']);
    await consumer.close();

    const spans = t.spans.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [send] = named('send shop/traced') as [ReadableSpan];
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.spanContext().traceId).toBe(appTraceId);
    expect(send.parentSpanContext?.spanId).toBe(appSpanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'wharf',
      'messaging.destination.name': 'shop/traced',
      'messaging.operation.type': 'send',
    });
    expect(send.attributes['messaging.message.id']).toBe(first?.message?.id);
    // The delivered message carries the send span's context.
    expect(first?.message?.headers.traceparent).toContain(send.spanContext().spanId);
    const processes = named('process shop/traced');
    expect(processes).toHaveLength(2);
    for (const p of processes) {
      expect(p.kind).toBe(SpanKind.CONSUMER);
      expect(p.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(p.links[0]?.context.spanId).toBe(send.spanContext().spanId);
      expect(p.attributes['messaging.operation.type']).toBe('process');
    }
    expect(processes.map((p) => p.attributes[ATTR_WHARF_DELIVERY_ATTEMPT]).sort()).toEqual([1, 2]);
    const [nack] = named('nack shop/traced');
    const [ack] = named('ack shop/traced');
    const byAttempt = (n: number) => processes.find((p) => p.attributes[ATTR_WHARF_DELIVERY_ATTEMPT] === n);
    expect(nack?.parentSpanContext?.spanId).toBe(byAttempt(1)?.spanContext().spanId);
    expect(ack?.parentSpanContext?.spanId).toBe(byAttempt(2)?.spanContext().spanId);
    expect(ack?.attributes['messaging.operation.type']).toBe('settle');
  });

  it('names the consumer group of a topic subscription on process and settle spans', async () => {
    await direct.applyTopic({ name: 'shop/payments', spec: { subscriptions: [{ name: 'ledger' }] } });
    t.spans.reset();
    await t.client.publish('payments', body('invoice'));
    const { deliveries } = await t.client.receive({ destination: 'payments', subscription: 'ledger', maxMessages: 1 });
    expect(deliveries).toHaveLength(1);
    await t.client.ack(deliveries.map((d) => d.receipt));
    const spans = t.spans.getFinishedSpans();
    const process = spans.find((s) => s.name === 'process shop/payments');
    const ack = spans.find((s) => s.name === 'ack shop/payments');
    expect(process?.attributes['messaging.consumer.group.name']).toBe('ledger');
    expect(process?.attributes['messaging.destination.subscription.name']).toBe('ledger');
    expect(ack?.attributes['messaging.consumer.group.name']).toBe('ledger');
    // No app context: the send span is a root, and the process span its child.
    const send = spans.find((s) => s.name === 'send shop/payments');
    expect(send?.parentSpanContext).toBeUndefined();
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
  });

  it('an app batch keeps its order, request ids and headers; trace context replaced, tracestate kept', async () => {
    t.spans.reset();
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { responses } = await t.client.publishBatch([
      {
        destination: 'traced',
        requestId: 'b1',
        message: { ...body('one'), headers: { traceparent: parent, tracestate: 'vendor=1', 'x-app': 'kept' } },
      },
      { destination: 'shop/traced', requestId: 'b2', message: { ...body('two'), dedupId: 'app-dedup' } },
      { destination: 'traced', requestId: 'b3', message: { ...body('three'), headers: { tracestate: 'orphan=1' } } },
    ]);
    expect(responses.map((r) => r.requestId)).toEqual(['b1', 'b2', 'b3']);
    const got = await receiveAll('shop/traced', 3);
    const byPayload = new Map(got.map((d) => [d.message?.payload.toString(), d.message]));
    const sends = t.spans.getFinishedSpans().filter((s) => s.name === 'send shop/traced');
    expect(sends).toHaveLength(3);
    const sendOf = (id: string | undefined) => sends.find((s) => s.attributes['messaging.message.id'] === id);
    const one = byPayload.get('one');
    const send = sendOf(one?.id);
    expect(send?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(one?.headers).toEqual({
      traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${send?.spanContext().spanId}-01`,
      tracestate: 'vendor=1',
      'x-app': 'kept',
    });
    expect(one?.dedupId).toMatch(/^sc-/);
    expect(byPayload.get('two')?.dedupId).toBe('app-dedup');
    // A tracestate without its traceparent belongs to no span of this trace: it is dropped.
    const three = byPayload.get('three');
    expect(three?.headers.tracestate).toBeUndefined();
    expect(three?.headers.traceparent).toContain(sendOf(three?.id)?.spanContext().spanId);
    await direct.ack(got.map((d) => d.receipt));
  });

  it('takes the parent from the call metadata when the message has no traceparent', async () => {
    t.spans.reset();
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    await new Promise<void>((resolve, reject) =>
      t.client.broker.Publish({ destination: 'traced', message: body('m') }, metadata, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    const send = t.spans.getFinishedSpans().find((s) => s.name === 'send shop/traced');
    expect(send?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(send?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const { deliveries } = await direct.receive({ destination: 'shop/traced', maxMessages: 1 });
    await direct.ack(deliveries.map((d) => d.receipt));
  });

  it('on drain, nacks what the app holds so it is redelivered at once', async () => {
    const d = await startTestSidecar([broker.address]);
    await Promise.all(['x', 'y', 'z'].map((p) => d.client.publish('drain', body(p))));
    const consumer = d.client.consume({ destination: 'drain', maxInFlight: 2 });
    const held = await take(consumer[Symbol.asyncIterator](), 2);
    const received = await d.client.receive({ destination: 'drain', maxMessages: 5 });
    expect(held.length + received.deliveries.length).toBe(3);
    await d.sidecar.drain();
    await expect(d.client.publish('drain', body('after'))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    d.client.close();
    // Deliverable again right away (the ack deadline is 30s), at attempt 2.
    const again = await receiveAll('shop/drain', 3);
    expect(again.map((x) => x.message?.payload.toString()).sort()).toEqual(['x', 'y', 'z']);
    expect(again.map((x) => x.attempt)).toEqual([2, 2, 2]);
    await direct.ack(again.map((x) => x.receipt));
  });

  it('on drain, finishes a publish that is still being retried', async () => {
    const d = await startTestSidecar([broker.address], { drainGrace: '10s' });
    await d.client.publish('drain', body('warm-up'));
    await broker.stop();
    const pending = d.client.publish('drain', body('in-flight'));
    await eventually(async () => (await d.sidecar.metrics.publishRetries.get()).values[0]?.value !== 0);
    const drained = d.sidecar.drain();
    await broker.start();
    await drained;
    expect((await pending).messageId).not.toBe('');
    d.client.close();
    const got = await receiveAll('shop/drain', 2);
    expect(got.map((x) => x.message?.payload.toString())).toEqual(['warm-up', 'in-flight']);
    await direct.ack(got.map((x) => x.receipt));
  });
});
