// The broker's own spans join the producer's trace: enqueue at publish, lease and redeliver at
// delivery, dead-letter when a message reaches its dead-letter queue, expire when its TTL runs out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../../client/index.ts';
import { type Logger, silentLogger } from '../../common/logger.ts';
import { type RunningBroker, startBroker } from '../broker.ts';
import { item } from '../engine/testing/harness.ts';
import type { Command, MessageRef } from '../engine/types.ts';
import type { AppliedListener } from '../replica/replica.ts';
import { ATTR_WHARF_MESSAGE_TTL_MS, brokerTracing, traceExpiries } from './tracing.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN = '00f067aa0ba902b7';
const traceparent = `00-${TRACE_ID}-${PRODUCER_SPAN}-01`;

const exporter = new InMemorySpanExporter();
const dataDir = mkdtempSync(path.join(tmpdir(), 'wharf-trace-'));
let broker: RunningBroker;
let client: WharfClient;

beforeAll(async () => {
  broker = await startBroker({
    dataDir,
    port: 0,
    logger: silentLogger(),
    env: {},
    spanProcessor: new SimpleSpanProcessor(exporter),
  });
  client = connect(broker.address);
});
afterAll(async () => {
  client?.close();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const spans = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

it('records enqueue, lease, redeliver and dead-letter spans under the producer span', async () => {
  await client.applyQueue({ name: 'default/traced-dlq' });
  await client.applyQueue({
    name: 'default/traced',
    spec: {
      deadLetterQueue: 'traced-dlq',
      maxDeliveries: 2,
      retryBackoff: { min: { nanos: 1e6 }, max: { nanos: 1e6 } },
    },
  });
  const { messageId } = await client.publish('default/traced', { payload: Buffer.from('x'), headers: { traceparent } });
  await client.publish('default/traced', { payload: Buffer.from('untraced') });
  for (let attempt = 1; attempt <= 2; attempt++) {
    const { deliveries } = await client.receive({
      destination: 'default/traced',
      maxMessages: 1,
      wait: { seconds: 5 },
    });
    expect(deliveries[0]?.message?.id).toBe(messageId);
    await client.nack([deliveries[0]?.receipt ?? ''], { reason: 'bad' });
  }
  const dead = await client.receive({ destination: 'default/traced-dlq', maxMessages: 1, wait: { seconds: 5 } });
  expect(dead.deliveries).toHaveLength(1);

  const [enqueue] = spans('enqueue default/traced');
  expect(spans('enqueue default/traced')).toHaveLength(1); // the untraced message made none
  expect(enqueue?.spanContext().traceId).toBe(TRACE_ID);
  expect(enqueue?.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
  expect(enqueue?.attributes['messaging.message.id']).toBe(messageId);
  expect(spans('lease default/traced')[0]?.attributes['messaging.wharf.message.delivery_attempt']).toBe(1);
  expect(spans('redeliver default/traced')[0]?.attributes['messaging.wharf.message.delivery_attempt']).toBe(2);
  const moved = spans('dead-letter default/traced')[0];
  expect(moved?.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
  expect(moved?.attributes['messaging.wharf.dead_letter.reason']).toBe('max-deliveries');
  // The move is told of the message that moved, not of its copy in the dead-letter queue.
  expect(moved?.attributes[ATTR_MESSAGING_MESSAGE_ID]).toBe(messageId);
  expect(spans('lease default/traced-dlq')[0]?.spanContext().traceId).toBe(TRACE_ID);
  // Every broker span is INTERNAL, child of and linked to the producer's context.
  const ours = exporter.getFinishedSpans();
  expect(ours.map((s) => s.name).sort()).toEqual([
    'dead-letter default/traced',
    'enqueue default/traced',
    'lease default/traced',
    'lease default/traced-dlq',
    'redeliver default/traced',
  ]);
  for (const span of ours) {
    expect(span.kind, span.name).toBe(SpanKind.INTERNAL);
    expect(span.parentSpanContext?.spanId, span.name).toBe(PRODUCER_SPAN);
    expect(
      span.links.map((l) => [l.context.traceId, l.context.spanId]),
      span.name,
    ).toEqual([[TRACE_ID, PRODUCER_SPAN]]);
    expect(span.attributes[ATTR_MESSAGING_SYSTEM], span.name).toBe('wharf');
  }
  expect(enqueue?.attributes[ATTR_MESSAGING_MESSAGE_BODY_SIZE]).toBe(1);
});

it('records an expire span under the producer span when a message outlives its TTL', async () => {
  await client.applyQueue({ name: 'default/expiring' });
  const { messageId } = await client.publish('default/expiring', {
    payload: Buffer.from('stale'),
    headers: { traceparent },
    ttl: { nanos: 50e6 },
  });
  await client.publish('default/expiring', { payload: Buffer.from('untraced'), ttl: { nanos: 50e6 } });
  // The broker expires it on its own time (a tick at the TTL): wait for the span, bounded.
  const deadline = Date.now() + 10_000;
  while (spans('expire default/expiring').length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const expired = spans('expire default/expiring');
  expect(expired).toHaveLength(1); // the untraced message made none
  const [span] = expired;
  expect(span?.kind).toBe(SpanKind.INTERNAL);
  expect(span?.spanContext().traceId).toBe(TRACE_ID);
  expect(span?.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
  expect(span?.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[TRACE_ID, PRODUCER_SPAN]]);
  expect(span?.attributes).toMatchObject({
    [ATTR_MESSAGING_SYSTEM]: 'wharf',
    [ATTR_MESSAGING_DESTINATION_NAME]: 'default/expiring',
    [ATTR_MESSAGING_OPERATION_NAME]: 'expire',
    [ATTR_MESSAGING_MESSAGE_ID]: messageId,
    [ATTR_WHARF_MESSAGE_TTL_MS]: 50,
  });
});

it('reads expired messages back for spans only while this broker leads', async () => {
  const listeners: AppliedListener[] = [];
  const reads: (readonly MessageRef[])[] = [];
  const replica = {
    onApplied: (listener: AppliedListener) => listeners.push(listener),
    readMessages: async (refs: readonly MessageRef[]) => {
      reads.push(refs);
      return refs.map(() => item('default/q', { headers: { traceparent } }));
    },
  };
  const traced: string[] = [];
  let leading = false;
  traceExpiries(
    replica,
    { expired: (messages) => traced.push(...messages.map((m) => m.messageId)) },
    () => leading,
    silentLogger(),
  );
  const tick: Command = { type: 'tick', nowMs: 1 };
  const expired = [{ destination: 'default/q', messageId: 'm1', ref: { index: 7, slot: 0 }, timeMs: 1 }];
  for (const listener of listeners) listener(tick, { type: 'ticked' }, expired);
  leading = true;
  for (const listener of listeners) listener(tick, { type: 'ticked' }, []);
  for (const listener of listeners) listener(tick, { type: 'ticked' }, expired);
  await new Promise((resolve) => setImmediate(resolve));
  expect(reads).toEqual([[{ index: 7, slot: 0 }]]);
  expect(traced).toEqual(['m1']);
});

it('runs without traces, saying why, when the OTEL_* settings are invalid', () => {
  const errors: string[] = [];
  const logger = silentLogger();
  logger.error = ((_: unknown, message: string) => {
    errors.push(message);
  }) as Logger['error'];
  expect(
    brokerTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_SAMPLER: 'bogus' }, logger),
  ).toBeUndefined();
  expect(errors).toEqual(['tracing disabled: the OTEL_* settings are invalid']);
  expect(brokerTracing({}, logger)).toBeUndefined();
});
