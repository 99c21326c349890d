// The sidecar's configuration: flags and environment parsed once into a validated, frozen object.
// Flags win over the environment, which wins over the defaults. Pure apart from commander's
// parsing (no process access: argv and env are passed in), so tests call it directly.
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { parseDurationMs } from '../common/duration.ts';
import { invalidArgument } from '../common/errors.ts';
import { DEFAULT_NAMESPACE } from '../common/names.ts';
import { type OtelSettings, otelFromEnv } from '../common/tracing.ts';

/** From the standard OTEL_* variables; endpoint undefined means no exporter and no spans at all. */
export type TracingConfig = OtelSettings;

export interface PublishLimits {
  /** Requests in one upstream PublishBatch. */
  readonly batchRequestsMax: number;
  /** Publishes waiting that make another upstream batch leave while one is in flight. */
  readonly pipelineRequestsMin: number;
  /** Bytes of payload waiting for an upstream call, per broker; beyond it publishers wait. */
  readonly queuedBytesMax: number;
  /** Requests waiting for an upstream call, per broker. */
  readonly queuedRequestsMax: number;
  /** Upstream PublishBatch calls in flight at once, per broker. */
  readonly inFlightBatchesMax: number;
  /** Deadline for a publish whose caller set none (the sidecar's retries stay inside it). */
  readonly defaultDeadlineMs: number;
}

/**
 * How the sidecar verifies the brokers, which then serve TLS: the CA bundle from a file (followed
 * as it changes) or given inline (what the injecting webhook sets). The app's side stays plaintext
 * on loopback.
 */
export type UpstreamTls = { readonly caFile: string } | { readonly caPem: string };

export interface SidecarConfig {
  readonly host: string;
  readonly port: number;
  readonly brokers: readonly string[];
  readonly namespace: string;
  /** 0 disables the Prometheus endpoint. */
  readonly metricsPort: number;
  readonly logLevel: string;
  /** How long SIGTERM waits for in-flight work before cancelling it. */
  readonly drainGraceMs: number;
  /** How often the member list is refreshed from GetClusterStatus when nothing failed. */
  readonly refreshIntervalMs: number;
  readonly publish: PublishLimits;
  readonly tracing: TracingConfig;
  /** TLS to the brokers; undefined: plaintext. */
  readonly upstreamTls: UpstreamTls | undefined;
}

export const DEFAULT_PORT = 7070;
export const DEFAULT_METRICS_PORT = 9464;
export const DEFAULT_BROKERS = ['127.0.0.1:7400'] as const;

export const DEFAULT_PUBLISH_LIMITS: PublishLimits = Object.freeze({
  batchRequestsMax: 512,
  pipelineRequestsMin: 64,
  queuedBytesMax: 64 * 1024 * 1024,
  queuedRequestsMax: 8_192,
  inFlightBatchesMax: 4,
  defaultDeadlineMs: 30_000,
});

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const portSchema = z.coerce.number().int().min(0).max(65_535);
const schema = z.object({
  host: z.string().min(1),
  port: portSchema,
  brokers: z
    .array(
      z.string().refine((s) => {
        const m = HOST_PORT.exec(s);
        return m !== null && Number(m[2]) > 0 && Number(m[2]) <= 65_535;
      }, 'each broker is host:port'),
    )
    .min(1, 'at least one broker address is needed'),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'namespace must be a DNS-1123 label'),
  metricsPort: portSchema,
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  drainGraceMs: z.number().int().min(0).max(600_000),
  refreshIntervalMs: z.number().int().min(100).max(3_600_000),
});

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function brokerList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `--help` was asked for: not an error; `text` is the usage to print. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  readonly text: string;

  constructor(text: string) {
    super('help requested');
    this.text = text;
  }
}

/** Parses `argv` (without node and script) and `env`; throws INVALID_ARGUMENT naming what is wrong. */
export function parseConfig(argv: readonly string[], env: Env): SidecarConfig {
  const program = new Command('wharf-sidecar')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
    .option('--host <host>', 'address to listen on (loopback: the app is in the same pod)')
    .option('--port <port>', `port of wharf.v1.BrokerService (env WHARF_SIDECAR_PORT, default ${DEFAULT_PORT})`)
    .option('--brokers <list>', 'comma-separated broker host:port seed list (env WHARF_BROKERS)')
    .option('--namespace <ns>', 'namespace for unqualified destinations (env WHARF_NAMESPACE)')
    .option('--metrics-port <port>', 'Prometheus port, 0 disables (env WHARF_SIDECAR_METRICS_PORT)')
    .option('--log-level <level>', 'trace|debug|info|warn|error (env WHARF_LOG_LEVEL)')
    .option('--drain-grace <duration>', 'how long SIGTERM waits for in-flight work (env WHARF_SIDECAR_DRAIN_GRACE)')
    .option(
      '--tls-ca <file>',
      'connect to the brokers with TLS, verified against this CA bundle (PEM: ca.crt of the brokers), reloaded when it changes (env WHARF_TLS_CA)',
    );
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') {
      throw new HelpRequested(program.helpInformation());
    }
    if (error instanceof CommanderError) throw invalidArgument(error.message.replace(/^error: /, ''));
    throw error;
  }
  const flags = program.opts<Partial<Record<string, string>>>();
  const raw = {
    host: flags.host ?? nonEmpty(env.WHARF_SIDECAR_HOST) ?? '127.0.0.1',
    port: flags.port ?? nonEmpty(env.WHARF_SIDECAR_PORT) ?? DEFAULT_PORT,
    brokers: brokerList(flags.brokers ?? nonEmpty(env.WHARF_BROKERS) ?? DEFAULT_BROKERS.join(',')),
    namespace: flags.namespace ?? nonEmpty(env.WHARF_NAMESPACE) ?? DEFAULT_NAMESPACE,
    metricsPort: flags.metricsPort ?? nonEmpty(env.WHARF_SIDECAR_METRICS_PORT) ?? DEFAULT_METRICS_PORT,
    logLevel: flags.logLevel ?? nonEmpty(env.WHARF_LOG_LEVEL) ?? 'info',
    drainGraceMs: parseDurationMs(flags.drainGrace ?? nonEmpty(env.WHARF_SIDECAR_DRAIN_GRACE) ?? '10s', 'drain grace'),
    refreshIntervalMs: 10_000,
  };
  const tracing = otelFromEnv(env, 'wharf-sidecar');
  const upstreamTls = tlsOf(flags.tlsCa ?? nonEmpty(env.WHARF_TLS_CA), nonEmpty(env.WHARF_TLS_CA_PEM));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw invalidArgument(`sidecar config: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  return Object.freeze({
    host: c.host,
    port: c.port,
    brokers: Object.freeze([...c.brokers]),
    namespace: c.namespace,
    metricsPort: c.metricsPort,
    logLevel: c.logLevel,
    drainGraceMs: c.drainGraceMs,
    refreshIntervalMs: c.refreshIntervalMs,
    publish: DEFAULT_PUBLISH_LIMITS,
    tracing,
    upstreamTls,
  });
}

function tlsOf(caFile: string | undefined, caPem: string | undefined): UpstreamTls | undefined {
  if (caFile !== undefined && caPem !== undefined) {
    throw invalidArgument(
      "sidecar config: give the brokers' CA as a file (--tls-ca, WHARF_TLS_CA) or inline (WHARF_TLS_CA_PEM), not both",
    );
  }
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw invalidArgument('sidecar config: WHARF_TLS_CA_PEM holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
  if (caFile !== undefined) return Object.freeze({ caFile });
  return caPem === undefined ? undefined : Object.freeze({ caPem });
}
