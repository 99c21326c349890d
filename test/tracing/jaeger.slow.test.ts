// End-to-end traces in a real Jaeger (built from source by scripts/jaeger.sh): a broker process,
// a producer-side and a consumer-side sidecar process exporting OTLP/gRPC to Jaeger. The app
// publishes with its own traceparent through one sidecar and consumes through the other (a nack,
// the redelivery, an ack); Jaeger's query API must then hold one trace with the right spans,
// parent/child links, span kinds and messaging.* attributes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../../client/index.ts';
import type { Delivery__Output } from '../../proto/gen/wharf/v1/Delivery.ts';
import { type Child, freePort, jaegerScript, type SidecarChild, spawnBroker, spawnSidecar } from './processes.ts';

/** A cold Go build of Jaeger takes minutes on 2 cores (measured ~7.5 min); leave room. */
const BUILD_TIMEOUT_MS = 40 * 60_000;
const START_TIMEOUT_MS = 90_000;
const QUERY_POLL_MS = 30_000;
const PRODUCER_SERVICE = 'wharf-sidecar-producer';
const CONSUMER_SERVICE = 'wharf-sidecar-consumer';

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
const SPAN_KIND = { CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

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

    broker = await spawnBroker(path.join(tmp, 'broker'));
    admin = connect(broker.address);
    await admin.applyQueue({ name: 'shop/traced' });
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', WHARF_NAMESPACE: 'shop' };
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

it('shows publish → nack → redelivery → ack as one trace in Jaeger', async () => {
  if (producer === undefined || consumer === undefined) throw new Error('setup failed');
  const traceId = randomBytes(16).toString('hex');
  const appSpanId = randomBytes(8).toString('hex');
  const app = connect(producer.address);
  const published = await app.publish('traced', {
    payload: Buffer.from('hello'),
    headers: { traceparent: `00-${traceId}-${appSpanId}-01` },
  });
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
  reader.close();
  // SIGTERM makes each sidecar flush its spans before it exits 0.
  expect(await producer.stop()).toBe(0);
  expect(await consumer.stop()).toBe(0);

  const trace = await fetchTrace(traceId, 5);
  const service = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
  const only = (name: string) => {
    const found = trace.spans.filter((s) => s.operationName === name);
    expect(found, name).toHaveLength(1);
    return found[0] as JaegerSpan;
  };
  const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

  const send = only('send shop/traced');
  expect(service(send)).toBe(PRODUCER_SERVICE);
  expect(tag(send, 'span.kind')).toBe('producer');
  expect(parentOf(send)).toBe(appSpanId);
  expect(tag(send, 'messaging.system')).toBe('wharf');
  expect(tag(send, 'messaging.destination.name')).toBe('shop/traced');
  expect(tag(send, 'messaging.operation.type')).toBe('send');
  expect(tag(send, 'messaging.message.id')).toBe(published.messageId);

  const processes = trace.spans.filter((s) => s.operationName === 'process shop/traced');
  expect(processes).toHaveLength(2);
  for (const p of processes) {
    expect(service(p)).toBe(CONSUMER_SERVICE);
    expect(tag(p, 'span.kind')).toBe('consumer');
    // Jaeger's v1 model folds a link to the parent into the parent reference and calls it
    // FOLLOWS_FROM (the OpenTracing name for "caused by, not waited for"); the OTLP view below
    // shows the parent and the link separately.
    expect(p.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: send.spanID }]);
    expect(tag(p, 'messaging.system')).toBe('wharf');
    expect(tag(p, 'messaging.destination.name')).toBe('shop/traced');
    expect(tag(p, 'messaging.operation.type')).toBe('process');
    expect(tag(p, 'messaging.message.id')).toBe(published.messageId);
  }
  const attempt = (n: number) =>
    processes.find((p) => Number(tag(p, 'messaging.wharf.message.delivery_attempt')) === n) as JaegerSpan;
  expect(attempt(1)).toBeDefined();
  expect(attempt(2)).toBeDefined();

  const nack = only('nack shop/traced');
  const ack = only('ack shop/traced');
  expect(parentOf(nack)).toBe(attempt(1).spanID);
  expect(parentOf(ack)).toBe(attempt(2).spanID);
  for (const [span, op] of [
    [nack, 'nack'],
    [ack, 'ack'],
  ] as const) {
    expect(service(span)).toBe(CONSUMER_SERVICE);
    expect(tag(span, 'span.kind')).toBe('client');
    expect(tag(span, 'messaging.operation.type')).toBe('settle');
    expect(tag(span, 'messaging.operation.name')).toBe(op);
    expect(tag(span, 'messaging.wharf.settle.outcome')).toBe('OUTCOME_OK');
  }
  // Every span is in the app's trace.
  expect(new Set(trace.spans.map((s) => s.traceID))).toEqual(new Set([traceId]));

  // The same trace as OTLP (Jaeger v2's /api/v3): parents, links and kinds exactly as exported.
  const otlp = (await (await fetch(`${queryUrl}/api/v3/traces/${traceId}`)).json()) as {
    result: { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
  };
  const spans = otlp.result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const byId = (id: string) => spans.find((s) => s.spanId === id) as OtlpSpan;
  expect(byId(send.spanID)).toMatchObject({ kind: SPAN_KIND.PRODUCER, parentSpanId: appSpanId });
  for (const p of processes) {
    expect(byId(p.spanID)).toMatchObject({
      kind: SPAN_KIND.CONSUMER,
      parentSpanId: send.spanID,
      links: [expect.objectContaining({ traceId, spanId: send.spanID })],
    });
  }
  expect(byId(nack.spanID)).toMatchObject({ kind: SPAN_KIND.CLIENT, parentSpanId: attempt(1).spanID });
  expect(byId(ack.spanID)).toMatchObject({ kind: SPAN_KIND.CLIENT, parentSpanId: attempt(2).spanID });
});
