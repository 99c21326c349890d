// End-to-end traces in a real Jaeger (built from source by scripts/jaeger.sh): a broker process,
// a producer-side and a consumer-side sidecar process, all three exporting OTLP/gRPC to Jaeger.
// The app publishes two messages under its own traceparent through one sidecar and consumes
// through the other: the first is nacked, redelivered and acked; the second is dead-lettered and
// consumed from the dead-letter queue; a third, that nobody consumes, outlives its TTL. Jaeger's
// query API must then hold one trace with the sidecars' spans and the broker's (enqueue, lease,
// redeliver, dead-letter, expire), with the right parents, links, span kinds and messaging.*
// attributes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ATTR_WHARF_DEAD_LETTER_REASON, ATTR_WHARF_MESSAGE_TTL_MS } from '../../broker/api/tracing.ts';
import { connect, type WharfClient } from '../../client/index.ts';
import { ATTR_WHARF_DELIVERY_ATTEMPT, ATTR_WHARF_SETTLE_OUTCOME, MESSAGING_SYSTEM } from '../../common/tracing.ts';
import type { Delivery__Output } from '../../proto/gen/wharf/v1/Delivery.ts';
import { type Child, freePort, jaegerScript, type SidecarChild, spawnBroker, spawnSidecar } from './processes.ts';

/** A cold Go build of Jaeger takes minutes on 2 cores (measured ~7.5 min); leave room. */
const BUILD_TIMEOUT_MS = 40 * 60_000;
const START_TIMEOUT_MS = 90_000;
const QUERY_POLL_MS = 30_000;
const PRODUCER_SERVICE = 'wharf-sidecar-producer';
const CONSUMER_SERVICE = 'wharf-sidecar-consumer';
const BROKER_SERVICE = 'wharf-broker-traced';

interface JaegerTag {
  key: string;
  type: string;
  value: string | number | boolean;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  tags: JaegerTag[];
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

interface OtlpSpan {
  spanId: string;
  parentSpanId?: string;
  kind: number;
  links?: { traceId: string; spanId: string }[];
}
/** OTLP's SpanKind numbers. */
const SPAN_KIND = { INTERNAL: 1, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

const tmp = mkdtempSync(path.join(tmpdir(), 'wharf-tracing-'));
const jaegerEnv = { JAEGER_STATE_DIR: path.join(tmp, 'jaeger') } as Record<string, string>;
let queryUrl = '';
let jaegerStarted = false;
let broker: Child | undefined;
let producer: SidecarChild | undefined;
let consumer: SidecarChild | undefined;
let admin: WharfClient | undefined;

beforeAll(
  async () => {
    const build = await jaegerScript(['build'], jaegerEnv, BUILD_TIMEOUT_MS);
    expect(build.code, 'scripts/jaeger.sh build failed (see its output above)').toBe(0);
    jaegerEnv.JAEGER_OTLP_GRPC_PORT = String(await freePort());
    jaegerEnv.JAEGER_QUERY_PORT = String(await freePort());
    const started = await jaegerScript(['start'], jaegerEnv, START_TIMEOUT_MS);
    expect(started.code, 'scripts/jaeger.sh start failed').toBe(0);
    jaegerStarted = true;
    const vars = Object.fromEntries(
      started.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=') as [string, string]),
    );
    queryUrl = vars.JAEGER_QUERY ?? '';
    const otlp = `http://${vars.JAEGER_OTLP_GRPC ?? ''}`;

    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', WHARF_NAMESPACE: 'shop' };
    broker = await spawnBroker(path.join(tmp, 'broker'), { ...otel, OTEL_SERVICE_NAME: BROKER_SERVICE });
    admin = connect(broker.address);
    await admin.applyQueue({ name: 'shop/traced' });
    await admin.applyQueue({ name: 'shop/traced-dlq' });
    await admin.applyQueue({ name: 'shop/poison', spec: { deadLetterQueue: 'traced-dlq', maxDeliveries: 5 } });
    await admin.applyQueue({ name: 'shop/expiring' });
    [producer, consumer] = await Promise.all([
      spawnSidecar(broker.address, { ...otel, OTEL_SERVICE_NAME: PRODUCER_SERVICE }),
      spawnSidecar(broker.address, { ...otel, OTEL_SERVICE_NAME: CONSUMER_SERVICE }),
    ]);
  },
  BUILD_TIMEOUT_MS + 5 * 60_000,
);

afterAll(async () => {
  admin?.close();
  await Promise.all([producer?.stop(), consumer?.stop()]);
  await broker?.stop();
  if (jaegerStarted) await jaegerScript(['stop'], jaegerEnv, 30_000);
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

async function next(iterator: AsyncIterator<Delivery__Output>): Promise<Delivery__Output> {
  const result = await iterator.next();
  if (result.done) throw new Error('the Consume stream ended early');
  return result.value;
}

/** Polls Jaeger's query API (bounded) until the trace holds `spans` spans. */
async function fetchTrace(traceId: string, spans: number): Promise<JaegerTrace> {
  const deadline = Date.now() + QUERY_POLL_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const response = await fetch(`${queryUrl}/api/traces?service=${CONSUMER_SERVICE}&lookback=1h&limit=20`);
    if (response.ok) {
      const body = (await response.json()) as { data: JaegerTrace[] };
      const trace = body.data.find((t) => t.traceID === traceId);
      last = `${body.data.length} traces, ours with ${trace?.spans.length ?? 0} spans`;
      if (trace !== undefined && trace.spans.length >= spans) return trace;
    } else {
      last = `HTTP ${response.status}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Jaeger did not show trace ${traceId} with ${spans} spans within ${QUERY_POLL_MS}ms (${last})`);
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

it('shows publish → nack → redelivery → ack, a dead-lettering and an expiry as one trace with the broker in it', async () => {
  if (producer === undefined || consumer === undefined || broker === undefined) throw new Error('setup failed');
  const traceId = randomBytes(16).toString('hex');
  const appSpanId = randomBytes(8).toString('hex');
  const app = connect(producer.address);
  const headers = { traceparent: `00-${traceId}-${appSpanId}-01` };
  const published = await app.publish('traced', { payload: Buffer.from('hello'), headers });
  const poisoned = await app.publish('poison', { payload: Buffer.from('bad'), headers });
  const expiring = await app.publish('expiring', { payload: Buffer.from('stale'), headers, ttl: { nanos: 100e6 } });
  app.close();

  const reader = connect(consumer.address);
  const stream = reader.consume({ destination: 'traced', maxInFlight: 1 });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await next(iterator);
  expect(first.attempt).toBe(1);
  await stream.nack([first.receipt], { delayMs: 1, reason: 'try again' });
  const second = await next(iterator);
  expect(second.attempt).toBe(2);
  expect(second.message?.id).toBe(published.messageId);
  await stream.ack([second.receipt]);
  await stream.close();

  const poison = reader.consume({ destination: 'poison', maxInFlight: 1 });
  const bad = await next(poison[Symbol.asyncIterator]());
  expect(bad.message?.id).toBe(poisoned.messageId);
  await poison.nack([bad.receipt], { deadLetter: true, reason: 'unparseable' });
  await poison.close();
  const dlq = reader.consume({ destination: 'traced-dlq', maxInFlight: 1 });
  const dead = await next(dlq[Symbol.asyncIterator]());
  expect(dead.destination).toBe('shop/traced-dlq');
  await dlq.ack([dead.receipt]);
  await dlq.close();
  reader.close();
  // The broker expires the third message on its own time: wait (bounded) until it has.
  const expiredBy = Date.now() + 10_000;
  while ((await admin?.getQueue('shop/expiring'))?.status?.depth !== 0) {
    if (Date.now() > expiredBy) throw new Error('shop/expiring still holds its message after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // SIGTERM makes each process flush its spans before it exits 0.
  expect(await producer.stop()).toBe(0);
  expect(await consumer.stop()).toBe(0);
  expect(await broker.stop()).toBe(0);

  // Producer 3 (send), consumer 8 (process ×4, nack ×2, ack ×2), broker 9 (below).
  const trace = await fetchTrace(traceId, 20);
  expect(trace.spans).toHaveLength(20);
  const service = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
  const named = (name: string) => trace.spans.filter((s) => s.operationName === name);
  const only = (name: string) => {
    const found = named(name);
    expect(found, name).toHaveLength(1);
    return found[0] as JaegerSpan;
  };
  const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

  const send = only('send shop/traced');
  const sendPoison = only('send shop/poison');
  const sendExpiring = only('send shop/expiring');
  for (const [span, destination, messageId] of [
    [send, 'shop/traced', published.messageId],
    [sendPoison, 'shop/poison', poisoned.messageId],
    [sendExpiring, 'shop/expiring', expiring.messageId],
  ] as const) {
    expect(service(span)).toBe(PRODUCER_SERVICE);
    expect(tag(span, 'span.kind')).toBe('producer');
    expect(parentOf(span)).toBe(appSpanId);
    expect(tag(span, ATTR_MESSAGING_SYSTEM)).toBe(MESSAGING_SYSTEM);
    expect(tag(span, ATTR_MESSAGING_DESTINATION_NAME)).toBe(destination);
    expect(tag(span, ATTR_MESSAGING_OPERATION_TYPE)).toBe('send');
    expect(tag(span, ATTR_MESSAGING_MESSAGE_ID)).toBe(messageId);
  }

  // Every consumer-side and broker-side span hangs off the send span of its message.
  const processes = named('process shop/traced');
  expect(processes).toHaveLength(2);
  const processPoison = only('process shop/poison');
  const processDead = only('process shop/traced-dlq');
  for (const [p, producerSpan] of [
    ...processes.map((p) => [p, send] as const),
    [processPoison, sendPoison] as const,
    [processDead, sendPoison] as const,
  ]) {
    expect(service(p)).toBe(CONSUMER_SERVICE);
    expect(tag(p, 'span.kind')).toBe('consumer');
    // Jaeger's v1 model folds a link to the parent into the parent reference and calls it
    // FOLLOWS_FROM (the OpenTracing name for "caused by, not waited for"); the OTLP view below
    // shows the parent and the link separately.
    expect(p.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: producerSpan.spanID }]);
    expect(tag(p, ATTR_MESSAGING_SYSTEM)).toBe(MESSAGING_SYSTEM);
    expect(tag(p, ATTR_MESSAGING_OPERATION_TYPE)).toBe('process');
  }
  for (const p of processes) {
    expect(tag(p, ATTR_MESSAGING_DESTINATION_NAME)).toBe('shop/traced');
    expect(tag(p, ATTR_MESSAGING_MESSAGE_ID)).toBe(published.messageId);
  }
  expect(tag(processDead, ATTR_MESSAGING_DESTINATION_NAME)).toBe('shop/traced-dlq');
  const attempt = (n: number) => processes.find((p) => Number(tag(p, ATTR_WHARF_DELIVERY_ATTEMPT)) === n) as JaegerSpan;
  expect(attempt(1)).toBeDefined();
  expect(attempt(2)).toBeDefined();

  const nack = only('nack shop/traced');
  const ack = only('ack shop/traced');
  const nackPoison = only('nack shop/poison');
  const ackDead = only('ack shop/traced-dlq');
  expect(parentOf(nack)).toBe(attempt(1).spanID);
  expect(parentOf(ack)).toBe(attempt(2).spanID);
  expect(parentOf(nackPoison)).toBe(processPoison.spanID);
  expect(parentOf(ackDead)).toBe(processDead.spanID);
  for (const [span, op] of [
    [nack, 'nack'],
    [ack, 'ack'],
    [nackPoison, 'nack'],
    [ackDead, 'ack'],
  ] as const) {
    expect(service(span)).toBe(CONSUMER_SERVICE);
    expect(tag(span, 'span.kind')).toBe('client');
    expect(tag(span, ATTR_MESSAGING_OPERATION_TYPE)).toBe('settle');
    expect(tag(span, ATTR_MESSAGING_OPERATION_NAME)).toBe(op);
    expect(tag(span, ATTR_WHARF_SETTLE_OUTCOME)).toBe('OUTCOME_OK');
  }

  // The broker's own spans: what happened to each message inside it.
  const brokerSpans = trace.spans.filter((s) => service(s) === BROKER_SERVICE);
  expect(brokerSpans.map((s) => s.operationName).sort()).toEqual([
    'dead-letter shop/poison',
    'enqueue shop/expiring',
    'enqueue shop/poison',
    'enqueue shop/traced',
    'expire shop/expiring',
    'lease shop/poison',
    'lease shop/traced',
    'lease shop/traced-dlq',
    'redeliver shop/traced',
  ]);
  const deadId = dead.message?.id ?? '';
  expect(deadId).not.toBe('');
  const expectations: [string, JaegerSpan, string, string, string, number | undefined][] = [
    ['enqueue shop/traced', send, 'shop/traced', 'enqueue', published.messageId, undefined],
    ['lease shop/traced', send, 'shop/traced', 'lease', published.messageId, 1],
    ['redeliver shop/traced', send, 'shop/traced', 'redeliver', published.messageId, 2],
    ['enqueue shop/poison', sendPoison, 'shop/poison', 'enqueue', poisoned.messageId, undefined],
    ['lease shop/poison', sendPoison, 'shop/poison', 'lease', poisoned.messageId, 1],
    ['dead-letter shop/poison', sendPoison, 'shop/poison', 'dead-letter', poisoned.messageId, 1],
    ['lease shop/traced-dlq', sendPoison, 'shop/traced-dlq', 'lease', deadId, 1],
    ['enqueue shop/expiring', sendExpiring, 'shop/expiring', 'enqueue', expiring.messageId, undefined],
    ['expire shop/expiring', sendExpiring, 'shop/expiring', 'expire', expiring.messageId, undefined],
  ];
  for (const [name, producerSpan, destination, operation, messageId, deliveryAttempt] of expectations) {
    const span = only(name);
    expect(span.references, name).toEqual([{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: producerSpan.spanID }]);
    expect(tag(span, ATTR_MESSAGING_SYSTEM), name).toBe(MESSAGING_SYSTEM);
    expect(tag(span, ATTR_MESSAGING_DESTINATION_NAME), name).toBe(destination);
    expect(tag(span, ATTR_MESSAGING_OPERATION_NAME), name).toBe(operation);
    expect(tag(span, ATTR_MESSAGING_MESSAGE_ID), name).toBe(messageId);
    if (deliveryAttempt !== undefined)
      expect(Number(tag(span, ATTR_WHARF_DELIVERY_ATTEMPT)), name).toBe(deliveryAttempt);
  }
  expect(tag(only('dead-letter shop/poison'), ATTR_WHARF_DEAD_LETTER_REASON)).toBe('unparseable');
  expect(Number(tag(only('expire shop/expiring'), ATTR_WHARF_MESSAGE_TTL_MS))).toBe(100);
  // Every span is in the app's trace.
  expect(new Set(trace.spans.map((s) => s.traceID))).toEqual(new Set([traceId]));

  // The same trace as OTLP (Jaeger v2's /api/v3): parents, links and kinds exactly as exported.
  const otlp = (await (await fetch(`${queryUrl}/api/v3/traces/${traceId}`)).json()) as {
    result: { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
  };
  const spans = otlp.result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const byId = (id: string) => spans.find((s) => s.spanId === id) as OtlpSpan;
  expect(byId(send.spanID)).toMatchObject({ kind: SPAN_KIND.PRODUCER, parentSpanId: appSpanId });
  expect(byId(sendPoison.spanID)).toMatchObject({ kind: SPAN_KIND.PRODUCER, parentSpanId: appSpanId });
  expect(byId(sendExpiring.spanID)).toMatchObject({ kind: SPAN_KIND.PRODUCER, parentSpanId: appSpanId });
  const childAndLink = (producerSpan: JaegerSpan) => ({
    parentSpanId: producerSpan.spanID,
    links: [expect.objectContaining({ traceId, spanId: producerSpan.spanID })],
  });
  for (const p of processes) expect(byId(p.spanID)).toMatchObject({ kind: SPAN_KIND.CONSUMER, ...childAndLink(send) });
  for (const p of [processPoison, processDead]) {
    expect(byId(p.spanID)).toMatchObject({ kind: SPAN_KIND.CONSUMER, ...childAndLink(sendPoison) });
  }
  for (const [name, producerSpan] of expectations) {
    expect(byId(only(name).spanID), name).toMatchObject({ kind: SPAN_KIND.INTERNAL, ...childAndLink(producerSpan) });
  }
  expect(byId(nack.spanID)).toMatchObject({ kind: SPAN_KIND.CLIENT, parentSpanId: attempt(1).spanID });
  expect(byId(ack.spanID)).toMatchObject({ kind: SPAN_KIND.CLIENT, parentSpanId: attempt(2).spanID });
});
