import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import type { OtelSettings } from '../common/tracing.ts';
import { createTracing } from './tracing.ts';

const config = (sampler: OtelSettings['sampler']): OtelSettings => ({
  endpoint: undefined,
  serviceName: 'test',
  sampler,
  samplerRatio: 1,
});
const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7';

describe('sidecar tracing and the sampler', () => {
  it('records and exports sampled sends, carrying the new span in traceparent', () => {
    const spans = new InMemorySpanExporter();
    const tracing = createTracing({
      config: config('parentbased_always_on'),
      logger: silentLogger(),
      spanProcessor: new SimpleSpanProcessor(spans),
    });
    const send = tracing.startSend('ns/q', { traceparent: `${parent}-01` }, undefined, 3, '');
    expect(send?.span.isRecording()).toBe(true);
    tracing.endSend(send, 'm1', undefined);
    const [exported] = spans.getFinishedSpans();
    expect(send?.headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${exported?.spanContext().spanId}-01`);
  });

  it('when the sampler drops, records nothing but still passes the decision on (flags 00)', () => {
    const spans = new InMemorySpanExporter();
    const tracing = createTracing({
      config: config('parentbased_always_on'),
      logger: silentLogger(),
      spanProcessor: new SimpleSpanProcessor(spans),
    });
    // The producer's own trace was not sampled: the sidecar's span is not recorded either.
    const send = tracing.startSend('ns/q', { traceparent: `${parent}-00` }, undefined, 3, '');
    expect(send?.span.isRecording()).toBe(false);
    expect(send?.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    tracing.endSend(send, 'm1', undefined);
    const process = tracing.startProcess(
      { destination: 'ns/q', subscription: '', messageId: 'm1', attempt: 1, payloadBytes: 3 },
      send?.headers ?? {},
    );
    expect(process?.isRecording()).toBe(false);
    tracing.settle('ack', { destination: 'ns/q', subscription: '', messageId: 'm1' }, process, 'OUTCOME_OK');
    process?.end();
    expect(spans.getFinishedSpans()).toEqual([]);
  });

  it('always_off records no root span either', () => {
    const spans = new InMemorySpanExporter();
    const tracing = createTracing({
      config: config('always_off'),
      logger: silentLogger(),
      spanProcessor: new SimpleSpanProcessor(spans),
    });
    const send = tracing.startSend('ns/q', {}, undefined, 3, '');
    tracing.endSend(send, 'm1', undefined);
    expect(send?.span.isRecording()).toBe(false);
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});
