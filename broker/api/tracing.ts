// The broker's own spans (INTERNAL), for what happens to a message inside it, each parented by
// and linked to the producer context stored with the message (its `traceparent` header), as the
// sidecar's process spans are, so the trace the sidecar starts shows why a message was late or
// lost its way:
//   enqueue <destination>      from the publish's arrival to its commit (append, fsync, apply)
//   lease <destination>        a delivery leased to a consumer (attempt 1)
//   redeliver <destination>    a later attempt, after a nack or an expired lease
//   dead-letter <origin>       the move to the dead-letter queue, at the time the engine stamped
//   expire <destination>       the message's TTL ran out and the engine dropped it, at the time it
//                              stamped (the producer context read back from the stored message)
// All come from the leader: the others follow its successful proposals (publish, lease), and
// expire comes from its replica (every member applies the same drop; the others stay quiet).
// Only messages that carry a traceparent get spans, and only sampled ones are recorded (the
// default sampler follows the producer's decision); without OTEL_EXPORTER_OTLP_ENDPOINT there is
// no provider and nothing is done at all.
import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';
import type { Logger } from '../../common/logger.ts';
import {
  ATTR_WHARF_DELIVERY_ATTEMPT,
  extractContext,
  MESSAGING_SYSTEM,
  type OtelSettings,
  otelFromEnv,
  samplerFor,
} from '../../common/tracing.ts';
import type { Delivery, ExpiredMessage, PublishItem } from '../engine/types.ts';
import { DEAD_LETTER_HEADERS } from '../engine/types.ts';
import type { Replica } from '../replica/replica.ts';

export const ATTR_WHARF_DEAD_LETTER_REASON = 'messaging.wharf.dead_letter.reason';
export const ATTR_WHARF_LEASE_EXPIRES_MS = 'messaging.wharf.lease.expires_ms';
export const ATTR_WHARF_MESSAGE_TTL_MS = 'messaging.wharf.message.ttl_ms';

/**
 * Most expired messages of one applied command read back for expire spans: a mass expiry past it
 * leaves the rest untraced rather than read them all from the log.
 */
const EXPIRE_SPANS_PER_COMMAND_MAX = 256;

export interface BrokerTracing {
  /** A publish of these items arrived now; call the result once it is committed. */
  enqueue(items: readonly PublishItem[]): (messageIds: readonly string[]) => void;
  /** Deliveries handed to consumers, with their stored messages. */
  delivered(deliveries: readonly Delivery[], items: readonly PublishItem[]): void;
  /** Messages whose TTL ran out, with their stored messages. */
  expired(messages: readonly ExpiredMessage[], items: readonly PublishItem[]): void;
  shutdown(): Promise<void>;
}

/**
 * Expire spans for the messages the engine drops at their TTL, while `leading()`: each applied
 * command's expired messages are read back from the log for their producer context. A message
 * whose body the log has dropped meanwhile gets no span.
 */
export function traceExpiries(
  replica: Pick<Replica, 'onApplied' | 'readMessages'>,
  tracing: Pick<BrokerTracing, 'expired'>,
  leading: () => boolean,
  logger: Logger,
): void {
  replica.onApplied((_command, _result, expired) => {
    if (expired.length === 0 || !leading()) return;
    const messages =
      expired.length > EXPIRE_SPANS_PER_COMMAND_MAX ? expired.slice(0, EXPIRE_SPANS_PER_COMMAND_MAX) : expired;
    replica.readMessages(messages.map((m) => m.ref)).then(
      (items) => tracing.expired(messages, items),
      (error: unknown) =>
        logger.debug({ err: error, messages: messages.length }, 'no expire spans: messages unreadable'),
    );
  });
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * From the standard OTEL_* variables (common/tracing.ts; service name default `wharf-broker`,
 * WHARF_BROKER_SERVICE_NAME winning over OTEL_SERVICE_NAME for a broker that shares its
 * environment with a sidecar); undefined when no endpoint is set or the SDK is disabled.
 */
export function brokerTracing(env: Env, logger: Logger, processor?: SpanProcessor): BrokerTracing | undefined {
  let settings: OtelSettings;
  try {
    settings = otelFromEnv(env, 'wharf-broker', env.WHARF_BROKER_SERVICE_NAME);
  } catch (error) {
    // A broker keeps serving without traces rather than refusing to start over them.
    logger.error({ err: error }, 'tracing disabled: the OTEL_* settings are invalid');
    return undefined;
  }
  if (processor === undefined && settings.endpoint === undefined) return undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: samplerFor(settings.sampler, settings.samplerRatio),
    spanProcessors: [processor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint ?? '' }))],
  });
  logger.info({ endpoint: settings.endpoint, service: settings.serviceName }, 'broker tracing enabled');
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
  /** The producer's context as parent, and as a link (the conventions' way to name a message's creator). */
  const producerOf = (item: PublishItem): { parent: Context; links: Link[] } | undefined => {
    const remote = extractContext(item.headers);
    return remote === undefined
      ? undefined
      : { parent: trace.setSpanContext(ROOT_CONTEXT, remote), links: [{ context: remote }] };
  };
  return {
    enqueue(items) {
      const startedMs = Date.now();
      const traced = items.flatMap((item, i) => {
        const producer = producerOf(item);
        return producer === undefined ? [] : [{ item, i, producer }];
      });
      if (traced.length === 0) return () => {};
      return (messageIds) => {
        for (const { item, i, producer } of traced) {
          const span = tracer.startSpan(
            `enqueue ${item.destination}`,
            {
              kind: SpanKind.INTERNAL,
              startTime: startedMs,
              links: producer.links,
              attributes: {
                ...base(item.destination, 'enqueue', messageIds[i] ?? ''),
                [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: item.payload.byteLength,
              },
            },
            producer.parent,
          );
          span.end();
        }
      };
    },
    delivered(deliveries, items) {
      deliveries.forEach((delivery, i) => {
        const item = items[i];
        if (item === undefined) return;
        const producer = producerOf(item);
        if (producer === undefined) return;
        const origin = delivery.extraHeaders[DEAD_LETTER_HEADERS.origin];
        const movedMs = Number(delivery.extraHeaders[DEAD_LETTER_HEADERS.timeMs]);
        if (origin !== undefined && delivery.attempt === 1 && Number.isFinite(movedMs)) {
          // The first delivery from a dead-letter queue reports the move, at the time it happened.
          const moved = tracer.startSpan(
            `dead-letter ${origin}`,
            {
              kind: SpanKind.INTERNAL,
              startTime: movedMs,
              links: producer.links,
              attributes: {
                ...base(
                  origin,
                  'dead-letter',
                  delivery.extraHeaders[DEAD_LETTER_HEADERS.originalId] ?? delivery.messageId,
                ),
                [ATTR_WHARF_DEAD_LETTER_REASON]: delivery.extraHeaders[DEAD_LETTER_HEADERS.reason] ?? '',
                [ATTR_WHARF_DELIVERY_ATTEMPT]: Number(delivery.extraHeaders[DEAD_LETTER_HEADERS.attempts] ?? 0),
              },
            },
            producer.parent,
          );
          moved.end(movedMs);
        }
        const operation = delivery.attempt > 1 ? 'redeliver' : 'lease';
        const span = tracer.startSpan(
          `${operation} ${delivery.destination}`,
          {
            kind: SpanKind.INTERNAL,
            links: producer.links,
            attributes: {
              ...base(delivery.destination, operation, delivery.messageId),
              [ATTR_WHARF_DELIVERY_ATTEMPT]: delivery.attempt,
              [ATTR_WHARF_LEASE_EXPIRES_MS]: delivery.leaseExpiresMs,
              ...(delivery.subscription === '' ? {} : { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: delivery.subscription }),
            },
          },
          producer.parent,
        );
        span.end();
      });
    },
    expired(messages, items) {
      messages.forEach((message, i) => {
        const item = items[i];
        const producer = item === undefined ? undefined : producerOf(item);
        if (item === undefined || producer === undefined) return;
        const span = tracer.startSpan(
          `expire ${message.destination}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: message.timeMs,
            links: producer.links,
            attributes: {
              ...base(message.destination, 'expire', message.messageId),
              [ATTR_WHARF_MESSAGE_TTL_MS]: item.ttlMs,
            },
          },
          producer.parent,
        );
        span.end(message.timeMs);
      });
    },
    shutdown,
  };
}
