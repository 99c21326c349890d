// OpenTelemetry spans per the messaging semantic conventions: `send <destination>` (PRODUCER) per
// published message, its context injected into the message's `traceparent` header;
// `process <destination>` (CONSUMER) per delivery, parented by and linked to that context;
// `ack|nack <destination>` (CLIENT, operation type settle) with the receipt's outcome. The
// provider is private to the sidecar (no global registration), contexts are passed explicitly,
// and without an endpoint there is no provider at all: `tracing.enabled` is false and no span,
// header or id is made.
import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
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
  ATTR_MESSAGING_DESTINATION_SUBSCRIPTION_NAME,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_CONVERSATION_ID,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_OPERATION_TYPE_VALUE_SETTLE,
} from '@opentelemetry/semantic-conventions/incubating';
import type { Logger } from '../common/logger.ts';
import {
  ATTR_WHARF_DELIVERY_ATTEMPT,
  ATTR_WHARF_SETTLE_OUTCOME,
  extractContext,
  injectContext,
  MESSAGING_SYSTEM,
  samplerFor,
  TRACEPARENT,
} from '../common/tracing.ts';
import type { TracingConfig } from './config.ts';

export type SettleOp = 'ack' | 'nack';

// --- Pure: names and attributes -------------------------------------------------------------

export const sendSpanName = (destination: string): string => `send ${destination}`;
export const processSpanName = (destination: string): string => `process ${destination}`;
export const settleSpanName = (op: SettleOp, destination: string): string => `${op} ${destination}`;

export function sendAttributes(destination: string, payloadBytes: number, correlationId: string): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
    [ATTR_MESSAGING_DESTINATION_NAME]: destination,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
    [ATTR_MESSAGING_OPERATION_NAME]: 'send',
    [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: payloadBytes,
    ...(correlationId === '' ? {} : { [ATTR_MESSAGING_MESSAGE_CONVERSATION_ID]: correlationId }),
  };
}

export interface DeliveryFacts {
  readonly destination: string;
  readonly subscription: string;
  readonly messageId: string;
  readonly attempt: number;
  readonly payloadBytes: number;
}

export function processAttributes(d: DeliveryFacts): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
    [ATTR_MESSAGING_DESTINATION_NAME]: d.destination,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_MESSAGE_ID]: d.messageId,
    [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: d.payloadBytes,
    [ATTR_WHARF_DELIVERY_ATTEMPT]: d.attempt,
    ...(d.subscription === ''
      ? {}
      : {
          [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: d.subscription,
          [ATTR_MESSAGING_DESTINATION_SUBSCRIPTION_NAME]: d.subscription,
        }),
  };
}

export function settleAttributes(
  op: SettleOp,
  destination: string,
  subscription: string,
  messageId: string,
): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
    [ATTR_MESSAGING_DESTINATION_NAME]: destination,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SETTLE,
    [ATTR_MESSAGING_OPERATION_NAME]: op,
    ...(messageId === '' ? {} : { [ATTR_MESSAGING_MESSAGE_ID]: messageId }),
    ...(subscription === '' ? {} : { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: subscription }),
  };
}

function parentContext(parent: SpanContext | undefined): Context {
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
}

// --- The tracer ------------------------------------------------------------------------------

export interface SendSpan {
  readonly span: Span;
  /** The message headers with this span's context injected. */
  readonly headers: Record<string, string>;
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * A PRODUCER span for one message. Its parent: the app's own `traceparent` header, else the
   * `traceparent` of the app's gRPC call, else none (a root span).
   */
  startSend(
    destination: string,
    headers: Readonly<Record<string, string>>,
    callTraceparent: string | undefined,
    payloadBytes: number,
    correlationId: string,
  ): SendSpan | undefined;
  endSend(send: SendSpan | undefined, messageId: string | undefined, error: unknown): void;
  /** A CONSUMER span for one delivery, child of and linked to the producer's context. */
  startProcess(d: DeliveryFacts, headers: Readonly<Record<string, string>>): Span | undefined;
  /** One settle span per receipt, child of its process span when the sidecar still holds it. */
  settle(
    op: SettleOp,
    facts: { destination: string; subscription: string; messageId: string },
    process: Span | undefined,
    outcome: string,
  ): void;
  shutdown(): Promise<void>;
}

const DISABLED: Tracing = {
  enabled: false,
  startSend: () => undefined,
  endSend: () => {},
  startProcess: () => undefined,
  settle: () => {},
  shutdown: async () => {},
};

export interface TracingOptions {
  readonly config: TracingConfig;
  readonly logger: Logger;
  /** Replaces the OTLP exporter (tests use an in-memory one); enables tracing without an endpoint. */
  readonly spanProcessor?: SpanProcessor;
}

export function createTracing(options: TracingOptions): Tracing {
  const { config } = options;
  if (options.spanProcessor === undefined && config.endpoint === undefined) return DISABLED;
  const processor =
    options.spanProcessor ??
    new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint ?? '' }), {
      // Bounded: spans beyond the queue are dropped rather than held.
      maxQueueSize: 4_096,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1_000,
    });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: samplerFor(config.sampler, config.samplerRatio),
    spanProcessors: [processor],
  });
  const tracer: Tracer = provider.getTracer('wharf-sidecar');
  options.logger.info({ endpoint: config.endpoint, service: config.serviceName }, 'tracing enabled');

  return {
    enabled: true,
    startSend(destination, headers, callTraceparent, payloadBytes, correlationId) {
      const parent =
        extractContext(headers) ??
        (callTraceparent === undefined ? undefined : extractContext({ [TRACEPARENT]: callTraceparent }));
      const span = tracer.startSpan(
        sendSpanName(destination),
        { kind: SpanKind.PRODUCER, attributes: sendAttributes(destination, payloadBytes, correlationId) },
        parentContext(parent),
      );
      return { span, headers: injectContext(headers, span) };
    },
    endSend(send, messageId, error) {
      if (send === undefined) return;
      if (messageId !== undefined && messageId !== '') send.span.setAttribute(ATTR_MESSAGING_MESSAGE_ID, messageId);
      if (error !== undefined) {
        send.span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
      }
      send.span.end();
    },
    startProcess(d, headers) {
      const producer = extractContext(headers);
      const links: Link[] = producer === undefined ? [] : [{ context: producer }];
      return tracer.startSpan(
        processSpanName(d.destination),
        { kind: SpanKind.CONSUMER, attributes: processAttributes(d), links },
        parentContext(producer),
      );
    },
    settle(op, facts, process, outcome) {
      const span = tracer.startSpan(
        settleSpanName(op, facts.destination),
        {
          kind: SpanKind.CLIENT,
          attributes: {
            ...settleAttributes(op, facts.destination, facts.subscription, facts.messageId),
            [ATTR_WHARF_SETTLE_OUTCOME]: outcome,
          },
        },
        process === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, process),
      );
      if (outcome !== 'OUTCOME_OK') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.end();
    },
    async shutdown() {
      await provider.shutdown().catch((error: unknown) => options.logger.warn({ err: error }, 'span flush failed'));
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
