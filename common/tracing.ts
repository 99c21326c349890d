// What the broker and the sidecar share about tracing: the standard OTEL_* variables parsed into
// one validated setting, the sampler they name, W3C trace context in message headers, and the
// attribute names Wharf adds under messaging.wharf.* (the conventions have no system-neutral
// delivery-attempt or settle-outcome attribute, only per-system ones such as
// messaging.gcp_pubsub.message.delivery_attempt, so Wharf's follow that pattern).
import { ROOT_CONTEXT, type Span, type SpanContext, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { invalidArgument } from './errors.ts';

export const MESSAGING_SYSTEM = 'wharf';
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const ATTR_WHARF_DELIVERY_ATTEMPT = 'messaging.wharf.message.delivery_attempt';
export const ATTR_WHARF_SETTLE_OUTCOME = 'messaging.wharf.settle.outcome';
export const ATTR_WHARF_LEASE_EXPIRED = 'messaging.wharf.lease_expired';

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];
export const DEFAULT_SAMPLER: SamplerName = 'parentbased_always_on';

/** The sampler the standard OTEL_TRACES_SAMPLER / _ARG values name. */
export function samplerFor(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

// --- The standard variables ------------------------------------------------------------------

type Env = Readonly<Record<string, string | undefined>>;

export interface OtelSettings {
  /** OTLP/gRPC endpoint as a URL; undefined: no exporter, no spans. */
  readonly endpoint: string | undefined;
  readonly serviceName: string;
  readonly sampler: SamplerName;
  /** Ratio for the *traceidratio samplers (0..1). */
  readonly samplerRatio: number;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** OTLP endpoints may be written without a scheme ("localhost:4317"); grpc-js wants a URL. */
export function normalizeOtlpEndpoint(raw: string): string {
  return /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`;
}

/** `service.name` from OTEL_RESOURCE_ATTRIBUTES (key=value pairs, comma-separated, percent-encoded). */
function serviceNameInResource(attributes: string | undefined): string | undefined {
  for (const pair of (attributes ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== 'service.name') continue;
    try {
      return nonEmpty(decodeURIComponent(pair.slice(at + 1)));
    } catch {
      throw invalidArgument(`OTEL_RESOURCE_ATTRIBUTES: service.name is not valid percent-encoding`);
    }
  }
  return undefined;
}

/**
 * The tracing settings the standard variables give: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT,
 * _PROTOCOL (grpc only), OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none, OTEL_TRACES_SAMPLER and
 * _ARG, OTEL_SERVICE_NAME and service.name in OTEL_RESOURCE_ATTRIBUTES (the former wins).
 * `serviceNameOverride` wins over both (the broker's WHARF_BROKER_SERVICE_NAME, for a broker that
 * shares its environment with a sidecar). Throws INVALID_ARGUMENT naming the bad variable.
 */
export function otelFromEnv(env: Env, defaultServiceName: string, serviceNameOverride?: string): OtelSettings {
  const disabled = nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true';
  const protocol = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  const rawEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const exporter = nonEmpty(env.OTEL_TRACES_EXPORTER);
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    throw invalidArgument(`OTEL_TRACES_EXPORTER=${exporter}: Wharf exports traces with otlp (or none)`);
  }
  const endpoint = disabled || exporter === 'none' || rawEndpoint === undefined ? undefined : rawEndpoint;
  if (endpoint !== undefined && protocol !== undefined && protocol !== 'grpc') {
    throw invalidArgument(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: Wharf exports OTLP over gRPC only (set it to "grpc")`,
    );
  }
  if (endpoint !== undefined) {
    try {
      new URL(normalizeOtlpEndpoint(endpoint));
    } catch {
      throw invalidArgument(`OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint} is not a URL`);
    }
  }
  const sampler = nonEmpty(env.OTEL_TRACES_SAMPLER) ?? DEFAULT_SAMPLER;
  if (!(SAMPLERS as readonly string[]).includes(sampler)) {
    throw invalidArgument(`OTEL_TRACES_SAMPLER=${sampler}: use one of ${SAMPLERS.join(', ')}`);
  }
  const ratioText = nonEmpty(env.OTEL_TRACES_SAMPLER_ARG);
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
    throw invalidArgument(`OTEL_TRACES_SAMPLER_ARG=${ratioText}: a ratio from 0 to 1`);
  }
  return Object.freeze({
    endpoint: endpoint === undefined ? undefined : normalizeOtlpEndpoint(endpoint),
    serviceName:
      nonEmpty(serviceNameOverride) ??
      nonEmpty(env.OTEL_SERVICE_NAME) ??
      serviceNameInResource(env.OTEL_RESOURCE_ATTRIBUTES) ??
      defaultServiceName,
    sampler: sampler as SamplerName,
    samplerRatio,
  });
}

// --- Context in headers ----------------------------------------------------------------------

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (carrier: Readonly<Record<string, string>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, string>>, key: string) => carrier[key],
};
const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

/** The remote span context a `traceparent` (and `tracestate`) carries, if valid. */
export function extractContext(headers: Readonly<Record<string, string>>): SpanContext | undefined {
  if (headers[TRACEPARENT] === undefined) return undefined;
  const span = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, headerGetter));
  return span !== undefined && trace.isSpanContextValid(span) ? span : undefined;
}

/** Headers with `traceparent`/`tracestate` set to `span`'s context (a new object). */
export function injectContext(headers: Readonly<Record<string, string>>, span: Span): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  delete out[TRACESTATE];
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), out, headerSetter);
  return out;
}
