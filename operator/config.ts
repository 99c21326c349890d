// The operator's configuration: flags and environment parsed once into a validated, frozen
// object (flags win over the environment, which wins over the defaults). No process access here:
// the CLI passes both in.
import { DEFAULT_SETTINGS, type OperatorSettings } from './model/cluster-spec.ts';
import { type BrokerOverrides, parseBrokerOverrides } from './reconcile/broker-directory.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The webhook's certificate from PEM files (cert-manager's Secret mounted, or made by hand). */
export interface WebhookCertFiles {
  readonly kind: 'files';
  readonly certFile: string;
  readonly keyFile: string;
}

/** The webhook's certificate made, rotated and published by the operator (../certs/). */
export interface ManagedWebhookCert {
  readonly kind: 'managed';
  /** The Secret holding CA and serving certificate, in `namespace` (the operator's own). */
  readonly secretName: string;
  readonly namespace: string;
  /** The Service in front of the webhook: the certificate is for its DNS names. */
  readonly serviceName: string;
  /** The MutatingWebhookConfiguration whose caBundle the leader keeps. */
  readonly configurationName: string;
  readonly validityMs: number;
  readonly renewBeforeMs: number;
  readonly caValidityMs: number;
  /** A new CA is trusted this long before it signs; an old one kept this long after. */
  readonly caOverlapMs: number;
  /** The leader checks at least this often (and at the times the plan names, and on changes). */
  readonly recheckMs: number;
}

export interface WebhookConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: WebhookCertFiles | ManagedWebhookCert;
}

export interface LeaseConfig {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
}

export interface OperatorConfig {
  /** Undefined: in-cluster, or $KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  /** Namespaces to watch; empty: all. */
  readonly namespaces: readonly string[];
  readonly webhook: WebhookConfig | undefined;
  /** Plain-HTTP /healthz and /readyz; undefined: none. */
  readonly healthPort: number | undefined;
  readonly healthHost: string;
  /** Undefined: no leader election (one replica only). */
  readonly lease: LeaseConfig | undefined;
  readonly brokerOverrides: BrokerOverrides;
  readonly settings: OperatorSettings;
  readonly sidecarImage: string;
  /** NAMESPACE/NAME of the WharfCluster a pod's sidecar uses when it names none. */
  readonly defaultCluster: string;
  readonly otlpEndpoint: string;
  readonly sidecarLogLevel: string;
  readonly workers: number;
  readonly refreshMs: number;
  readonly changingRequeueMs: number;
  readonly logLevel: string;
}

/** What the command line hands over (commander's parsed options, all strings). */
export interface OperatorFlags {
  kubeconfig?: string;
  namespace?: string[];
  webhookPort?: string;
  healthPort?: string;
  webhookHost?: string;
  webhookCert?: string;
  webhookKey?: string;
  webhookCertSecret?: string;
  webhookService?: string;
  webhookConfiguration?: string;
  webhookCertValidity?: string;
  webhookCertRenewBefore?: string;
  webhookCaValidity?: string;
  webhookCaOverlap?: string;
  leaseName?: string;
  leaseNamespace?: string;
  identity?: string;
  brokerOverride?: string[];
  brokerImage?: string;
  sidecarImage?: string;
  defaultCluster?: string;
  otlpEndpoint?: string;
  clusterDomain?: string;
  workers?: string;
  refresh?: string;
  logLevel?: string;
}

function integer(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    throw new ConfigError(`${what}: "${text}" is not a whole number ${min}..${max}`);
  return n;
}

function milliseconds(text: string, what: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) throw new ConfigError(`${what}: "${text}" is not a duration such as 500ms, 10s, 1m or 720h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

export const WEBHOOK_CERT_DEFAULTS = Object.freeze({
  validity: '8760h',
  renewBefore: '720h',
  caValidity: '87600h',
  caOverlap: '10m',
  recheckMs: 3_600_000,
});
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function operatorConfig(
  flags: OperatorFlags,
  env: Readonly<Record<string, string | undefined>>,
): OperatorConfig {
  const pick = (flag: string | undefined, name: string): string | undefined =>
    flag ?? (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const managedCert = (secretName: string): ManagedWebhookCert => {
    const name = (value: string | undefined, flag: string): string => {
      if (value === undefined || !NAME.test(value) || value.length > 253) {
        throw new ConfigError(`${flag}: "${value ?? ''}" is not an object name (needed with --webhook-cert-secret)`);
      }
      return value;
    };
    const duration = (flag: string | undefined, variable: string, fallback: string, what: string): number => {
      const ms = milliseconds(pick(flag, variable) ?? fallback, what);
      if (ms < 1000) throw new ConfigError(`${what}: at least 1s`);
      return ms;
    };
    const validityMs = duration(
      flags.webhookCertValidity,
      'WHARF_WEBHOOK_CERT_VALIDITY',
      WEBHOOK_CERT_DEFAULTS.validity,
      '--webhook-cert-validity',
    );
    const renewBeforeMs = duration(
      flags.webhookCertRenewBefore,
      'WHARF_WEBHOOK_CERT_RENEW_BEFORE',
      WEBHOOK_CERT_DEFAULTS.renewBefore,
      '--webhook-cert-renew-before',
    );
    if (renewBeforeMs >= validityMs) {
      throw new ConfigError('--webhook-cert-renew-before must be shorter than --webhook-cert-validity');
    }
    return {
      kind: 'managed',
      secretName: name(secretName, '--webhook-cert-secret'),
      namespace: name(pick(undefined, 'POD_NAMESPACE') ?? 'default', '$POD_NAMESPACE'),
      serviceName: name(pick(flags.webhookService, 'WHARF_WEBHOOK_SERVICE'), '--webhook-service'),
      configurationName: name(
        pick(flags.webhookConfiguration, 'WHARF_WEBHOOK_CONFIGURATION'),
        '--webhook-configuration',
      ),
      validityMs,
      renewBeforeMs,
      caValidityMs: duration(
        flags.webhookCaValidity,
        'WHARF_WEBHOOK_CA_VALIDITY',
        WEBHOOK_CERT_DEFAULTS.caValidity,
        '--webhook-ca-validity',
      ),
      caOverlapMs: duration(
        flags.webhookCaOverlap,
        'WHARF_WEBHOOK_CA_OVERLAP',
        WEBHOOK_CERT_DEFAULTS.caOverlap,
        '--webhook-ca-overlap',
      ),
      recheckMs: WEBHOOK_CERT_DEFAULTS.recheckMs,
    };
  };
  const namespaceFlags = flags.namespace ?? [];
  const namespaces = (
    namespaceFlags.length > 0 ? namespaceFlags : (pick(undefined, 'WHARF_OPERATOR_NAMESPACES')?.split(',') ?? [])
  )
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const webhookPort = pick(flags.webhookPort, 'WHARF_WEBHOOK_PORT');
  let webhook: WebhookConfig | undefined;
  if (webhookPort !== undefined && webhookPort !== 'off') {
    const certFile = pick(flags.webhookCert, 'WHARF_WEBHOOK_CERT');
    const keyFile = pick(flags.webhookKey, 'WHARF_WEBHOOK_KEY');
    const secretName = pick(flags.webhookCertSecret, 'WHARF_WEBHOOK_CERT_SECRET');
    let tls: WebhookConfig['tls'];
    if (secretName !== undefined) {
      if (certFile !== undefined || keyFile !== undefined) {
        throw new ConfigError(
          '--webhook-cert-secret (a certificate the operator manages) excludes --webhook-cert/--webhook-key',
        );
      }
      tls = managedCert(secretName);
    } else if (certFile !== undefined && keyFile !== undefined) {
      tls = { kind: 'files', certFile, keyFile };
    } else {
      throw new ConfigError(
        'the webhook needs --webhook-cert and --webhook-key (PEM files), or --webhook-cert-secret, with --webhook-port',
      );
    }
    webhook = {
      host: pick(flags.webhookHost, 'WHARF_WEBHOOK_HOST') ?? '0.0.0.0',
      port: integer(webhookPort, '--webhook-port', 0, 65_535),
      tls,
    };
  }
  const healthPort = pick(flags.healthPort, 'WHARF_OPERATOR_HEALTH_PORT');
  const leaseName = pick(flags.leaseName, 'WHARF_LEASE_NAME');
  const lease =
    leaseName === undefined || leaseName === ''
      ? undefined
      : {
          name: leaseName,
          namespace:
            pick(flags.leaseNamespace, 'WHARF_LEASE_NAMESPACE') ?? pick(undefined, 'POD_NAMESPACE') ?? 'default',
          identity: pick(flags.identity, 'POD_NAME') ?? pick(undefined, 'HOSTNAME') ?? 'wharf-operator',
        };
  let brokerOverrides: BrokerOverrides;
  try {
    brokerOverrides = parseBrokerOverrides([
      ...(flags.brokerOverride ?? []),
      ...(env.WHARF_OPERATOR_BROKERS === undefined ? [] : [env.WHARF_OPERATOR_BROKERS]),
    ]);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const settings: OperatorSettings = {
    ...DEFAULT_SETTINGS,
    defaultImage: pick(flags.brokerImage, 'WHARF_BROKER_IMAGE') ?? DEFAULT_SETTINGS.defaultImage,
    clusterDomain: pick(flags.clusterDomain, 'WHARF_CLUSTER_DOMAIN') ?? DEFAULT_SETTINGS.clusterDomain,
  };
  const defaultCluster = pick(flags.defaultCluster, 'WHARF_DEFAULT_CLUSTER') ?? 'wharf-system/wharf';
  if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(defaultCluster)) {
    throw new ConfigError(`--default-cluster: "${defaultCluster}" is not NAMESPACE/NAME`);
  }
  const refreshMs = milliseconds(pick(flags.refresh, 'WHARF_OPERATOR_REFRESH') ?? '10s', '--refresh');
  return Object.freeze({
    // $KUBECONFIG (possibly a list of files) is loadFromDefault's business.
    kubeconfig: flags.kubeconfig,
    namespaces,
    webhook,
    healthPort:
      healthPort === undefined || healthPort === 'off' ? undefined : integer(healthPort, '--health-port', 0, 65_535),
    healthHost: webhook?.host ?? pick(flags.webhookHost, 'WHARF_WEBHOOK_HOST') ?? '0.0.0.0',
    lease,
    brokerOverrides,
    settings,
    sidecarImage: pick(flags.sidecarImage, 'WHARF_SIDECAR_IMAGE') ?? 'wharf/sidecar:0.1.0',
    defaultCluster,
    otlpEndpoint: pick(flags.otlpEndpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? '',
    sidecarLogLevel: 'info',
    workers: integer(pick(flags.workers, 'WHARF_OPERATOR_WORKERS') ?? '4', '--workers', 1, 64),
    refreshMs,
    changingRequeueMs: Math.min(2_000, refreshMs),
    logLevel: pick(flags.logLevel, 'WHARF_LOG_LEVEL') ?? 'info',
  });
}
