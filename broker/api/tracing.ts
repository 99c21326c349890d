// The broker's own spans, for what happens to a message inside it, each parented by the producer
// context stored with the message (its `traceparent` header), so the trace the sidecar starts
// shows why a message was late or lost its way:
//   enqueue <destination>      from the publish's arrival to its commit (append, fsync, apply)
//   lease <destination>        a delivery leased to a consumer (attempt 1)
//   redeliver <destination>    a later attempt, after a nack or an expired lease
//   dead-letter <origin>       the move to the dead-letter queue, at the time the engine stamped
// Only messages that carry a sampled traceparent get spans; without OTEL_EXPORTER_OTLP_ENDPOINT
// there is no provider and nothing is done at all.
import { type Attributes, ROOT_CONTEXT, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';
import type { Logger } from '../../common/logger.ts';
import { normalizeOtlpEndpoint, SAMPLERS, type SamplerName } from '../../sidecar/config.ts';
import { ATTR_WHARF_DELIVERY_ATTEMPT, extractContext, MESSAGING_SYSTEM, samplerFor } from '../../sidecar/tracing.ts';
import type { Delivery, PublishItem } from '../engine/types.ts';
import { DEAD_LETTER_HEADERS } from '../engine/types.ts';

export const ATTR_WHARF_DEAD_LETTER_REASON = 'messaging.wharf.dead_letter.reason';
export const ATTR_WHARF_LEASE_EXPIRES_MS = 'messaging.wharf.lease.expires_ms';

export interface BrokerTracing {
  /** A publish of these items arrived now; call the result once it is committed. */
  enqueue(items: readonly PublishItem[]): (messageIds: readonly string[]) => void;
  /** Deliveries handed to consumers, with their stored messages. */
  delivered(deliveries: readonly Delivery[], items: readonly PublishItem[]): void;
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** From the standard OTEL_* variables; undefined when no endpoint is set (or the SDK is disabled). */
export function brokerTracing(env: Env, logger: Logger, processor?: SpanProcessor): BrokerTracing | undefined {
  const endpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const disabled = nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  if (processor === undefined && (endpoint === undefined || disabled)) return undefined;
  const samplerName = nonEmpty(env.OTEL_TRACES_SAMPLER) ?? 'parentbased_always_on';
  if (!(SAMPLERS as readonly string[]).includes(samplerName)) {
    logger.warn({ sampler: samplerName }, 'unknown OTEL_TRACES_SAMPLER; using parentbased_always_on');
  }
  const sampler = samplerFor(
    (SAMPLERS as readonly string[]).includes(samplerName) ? (samplerName as SamplerName) : 'parentbased_always_on',
    Number(nonEmpty(env.OTEL_TRACES_SAMPLER_ARG) ?? 1),
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: nonEmpty(env.WHARF_BROKER_SERVICE_NAME) ?? 'wharf-broker',
    }),
    sampler,
    spanProcessors: [
      processor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: normalizeOtlpEndpoint(endpoint ?? '') })),
    ],
  });
  return makeTracing(provider.getTracer('wharf-broker'), () => provider.shutdown());
}

function base(destination: string, operation: string, messageId: string): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
    [ATTR_MESSAGING_DESTINATION_NAME]: destination,
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    ...(messageId === '' ? {} : { [ATTR_MESSAGING_MESSAGE_ID]: messageId }),
  };
}

function makeTracing(tracer: Tracer, shutdown: () => Promise<void>): BrokerTracing {
  const parentOf = (item: PublishItem) => {
    const remote = extractContext(item.headers);
    return remote === undefined ? undefined : trace.setSpanContext(ROOT_CONTEXT, remote);
  };
  return {
    enqueue(items) {
      const startedMs = Date.now();
      const traced = items.flatMap((item, i) => {
        const parent = parentOf(item);
        return parent === undefined ? [] : [{ item, i, parent }];
      });
      if (traced.length === 0) return () => {};
      return (messageIds) => {
        for (const { item, i, parent } of traced) {
          const span = tracer.startSpan(
            `enqueue ${item.destination}`,
            {
              kind: SpanKind.INTERNAL,
              startTime: startedMs,
              attributes: base(item.destination, 'enqueue', messageIds[i] ?? ''),
            },
            parent,
          );
          span.end();
        }
      };
    },
    delivered(deliveries, items) {
      deliveries.forEach((delivery, i) => {
        const item = items[i];
        if (item === undefined) return;
        const parent = parentOf(item);
        if (parent === undefined) return;
        const origin = delivery.extraHeaders[DEAD_LETTER_HEADERS.origin];
        const movedMs = Number(delivery.extraHeaders[DEAD_LETTER_HEADERS.timeMs]);
        if (origin !== undefined && delivery.attempt === 1 && Number.isFinite(movedMs)) {
          // The first delivery from a dead-letter queue reports the move, at the time it happened.
          const moved = tracer.startSpan(
            `dead-letter ${origin}`,
            {
              kind: SpanKind.INTERNAL,
              startTime: movedMs,
              attributes: {
                ...base(origin, 'dead-letter', delivery.messageId),
                [ATTR_WHARF_DEAD_LETTER_REASON]: delivery.extraHeaders[DEAD_LETTER_HEADERS.reason] ?? '',
                [ATTR_WHARF_DELIVERY_ATTEMPT]: Number(delivery.extraHeaders[DEAD_LETTER_HEADERS.attempts] ?? 0),
              },
            },
            parent,
          );
          moved.end(movedMs);
        }
        const operation = delivery.attempt > 1 ? 'redeliver' : 'lease';
        const span = tracer.startSpan(
          `${operation} ${delivery.destination}`,
          {
            kind: SpanKind.INTERNAL,
            attributes: {
              ...base(delivery.destination, operation, delivery.messageId),
              [ATTR_WHARF_DELIVERY_ATTEMPT]: delivery.attempt,
              [ATTR_WHARF_LEASE_EXPIRES_MS]: delivery.leaseExpiresMs,
              ...(delivery.subscription === '' ? {} : { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: delivery.subscription }),
            },
          },
          parent,
        );
        span.end();
      });
    },
    shutdown,
  };
}
