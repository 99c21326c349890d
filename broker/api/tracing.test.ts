// The broker's own spans join the producer's trace: enqueue at publish, lease and redeliver at
// delivery, dead-letter when a message reaches its dead-letter queue.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../../client/index.ts';
import { type Logger, silentLogger } from '../../common/logger.ts';
import { type RunningBroker, startBroker } from '../broker.ts';
import { brokerTracing } from './tracing.ts';

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
