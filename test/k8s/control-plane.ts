// A real Kubernetes control plane (etcd + kube-apiserver, optionally kube-controller-manager's
// namespace and garbage-collector controllers; never a scheduler or kubelet, so no pod runs) for
// *.k8s.test.ts files, through scripts/k8s.sh.
//
// Each test file starts its own, on free 127.0.0.1 ports with its own state directory, so files can
// run in parallel and never see each other's objects:
//
//   let cp: ControlPlane;
//   beforeAll(async () => {
//     cp = await startControlPlane();      // builds first when needed: K8S_SETUP_TIMEOUT_MS
//     // or startControlPlane({ controllers: ['namespace', 'garbagecollector'] }) to also run
//     // those controllers (namespace deletion, ownerReference cascades)
//     await installCrds(cp);               // the wharf.dev CRDs, server-side applied, Established
//   }, K8S_SETUP_TIMEOUT_MS);
//   afterAll(() => cp?.stop());
//   ... cp.kubeConfig() for @kubernetes/client-node, cp.kubectl([...]) for the real kubectl,
//   cp.request(...) for raw API calls (Table API, subresources, exact content types).
//
// Cost: a cold build of kube-apiserver, kubectl, the controllers and etcd takes 10-20 minutes on
// 2 cores (cached in $WHARF_CACHE afterwards, keyed by version; a file lock makes concurrent files
// wait for one build); a start takes 5-15 s and ~400 MB. Nothing here runs vitest's globalSetup:
// a file that needs no control plane pays nothing. To iterate on a test without restarting, run
// `scripts/k8s.sh start` once and export WHARF_K8S_KUBECONFIG=<K8S_KUBECONFIG it printed> (and
// KUBECTL): startControlPlane() then reuses that one (its controllers, if any, are whatever that
// start ran) and stop() leaves it running; use a unique namespace per run.
//
// The admin is a static token in system:masters; authorization is RBAC, so a test can act as an
// identity with fewer rights (userKubeConfig, or `kubectl create token`) and check least privilege.
// Fresh kinds answer lists and watches with 429 until their watch cache is ready; installCrds
// waits for that, and an informer must restart after errors anyway (client-node stops it).
// With K8S_PARENT_PID, k8s.sh stops the processes if this test process dies without stop().
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { crdFileName, customResourceDefinitions } from '../../crds/crd.ts';
import { VERSION } from '../../crds/types.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** beforeAll timeout for startControlPlane on a machine that has never built the binaries. */
export const K8S_SETUP_TIMEOUT_MS = 45 * 60_000;
/** How long a warm start (binaries cached) may take before it is an error. */
const START_TIMEOUT_MS = 3 * 60_000;

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** Admin bearer token (system:masters). */
  readonly token: string;
  /** CA certificate (PEM) the API server's certificate is signed by. */
  readonly ca: string;
  readonly caFile: string;
  readonly kubeconfigFile: string;
  readonly kubectlPath: string;
  readonly stateDir: string;
  /** The Kubernetes release, e.g. v1.35.4. */
  readonly version: string;
  /**
   * With `clusterEgress`: the Unix socket where the API server expects an HTTP CONNECT proxy for
   * its calls to Services (./service-proxy.ts serves it); undefined otherwise.
   */
  readonly clusterEgressSocket: string | undefined;
  /** A fresh admin KubeConfig for @kubernetes/client-node. */
  kubeConfig(): KubeConfig;
  /** Runs the real kubectl against this control plane; never throws on a non-zero exit. */
  kubectl(
    args: readonly string[],
    options?: { readonly stdin?: string; readonly timeoutMs?: number },
  ): Promise<RunResult>;
  /** One raw HTTPS call as the admin (or with `token`). Body objects are sent as JSON. */
  request(
    method: string,
    path: string,
    options?: {
      readonly body?: unknown;
      readonly contentType?: string;
      readonly accept?: string;
      readonly token?: string;
    },
  ): Promise<ApiResponse>;
  /** Stops etcd and kube-apiserver and removes the state directory. Idempotent. */
  stop(): Promise<void>;
}

/** Runs a command, collecting its output; SIGKILL after timeoutMs (then code is null). */
export function run(
  command: string,
  args: readonly string[],
  options: {
    readonly env?: NodeJS.ProcessEnv;
    readonly stdin?: string;
    readonly timeoutMs: number;
    readonly progress?: boolean;
  },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, [...args], {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.progress === true) process.stderr.write(chunk);
    });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
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

function keyValues(text: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

export interface ControlPlaneOptions {
  /**
   * kube-controller-manager controllers to run (test/k8s/apiserver/controllers). Default none:
   * namespaces stay Terminating once deleted and ownerReferences do not cascade.
   */
  readonly controllers?: readonly ('namespace' | 'garbagecollector')[];
  /**
   * Apply the wharf.dev CRDs (crds/*.yaml) before the controllers start. Not needed for the
   * garbage collector (it rediscovers kinds every second); still call installCrds() after: it
   * also waits until the kinds serve lists.
   */
  readonly crds?: boolean;
  /** Bound on a warm start (binaries cached); default 3 minutes. */
  readonly timeoutMs?: number;
  /**
   * Route the API server's calls to Services (e.g. a webhook's clientConfig.service) through an
   * HTTP CONNECT proxy on a Unix socket (ControlPlane.clusterEgressSocket), kube-proxy's stand-in:
   * there is no Service network here. Calls to URLs are not affected. Needs a fresh control plane.
   */
  readonly clusterEgress?: boolean;
}

function controllersEnv(options: ControlPlaneOptions): NodeJS.ProcessEnv {
  const controllers = options.controllers ?? [];
  return {
    ...(controllers.length === 0 ? {} : { K8S_CONTROLLERS: controllers.join(',') }),
    ...(options.crds === true ? { K8S_APPLY: join(ROOT, 'crds') } : {}),
  };
}

/** Builds kube-apiserver, kubectl and etcd (and kube-controller-manager when asked) if not cached yet. */
export async function buildControlPlane(
  options: ControlPlaneOptions = {},
  timeoutMs = K8S_SETUP_TIMEOUT_MS,
): Promise<ReadonlyMap<string, string>> {
  const env = { ...process.env, ...controllersEnv(options) };
  const result = await run('bash', ['scripts/k8s.sh', 'build'], { env, timeoutMs, progress: true });
  if (result.code !== 0) throw new Error(`scripts/k8s.sh build failed (${result.code}): ${result.stderr.slice(-3000)}`);
  return keyValues(result.stdout);
}

interface Endpoint {
  readonly url: string;
  readonly token: string;
  readonly caFile: string;
  readonly kubeconfigFile: string;
  readonly kubectlPath: string;
  readonly stateDir: string;
  readonly version: string;
  readonly clusterEgressSocket: string | undefined;
}

function fromKubeconfigFile(file: string, kubectlPath: string): Endpoint {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster === null || user === null || user.token === undefined || cluster.caFile === undefined) {
    throw new Error(`${file}: expected a cluster with certificate-authority and a token user`);
  }
  return {
    url: cluster.server,
    token: user.token,
    caFile: cluster.caFile,
    kubeconfigFile: file,
    kubectlPath,
    stateDir: '',
    version: '',
    clusterEgressSocket: undefined,
  };
}

/**
 * Starts etcd and kube-apiserver for this test file (building them first when needed), or reuses
 * the control plane named by $WHARF_K8S_KUBECONFIG.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const shared = process.env.WHARF_K8S_KUBECONFIG;
  if (shared !== undefined && shared !== '') {
    const kubectlPath = process.env.KUBECTL ?? (await buildControlPlane()).get('KUBECTL') ?? 'kubectl';
    const reused = controlPlane(fromKubeconfigFile(shared, kubectlPath), async () => {});
    const version = ((await reused.request('GET', '/version')).json as { gitVersion?: string } | undefined)?.gitVersion;
    return { ...reused, version: version ?? '' };
  }
  await buildControlPlane(options);
  // The ports are picked free by k8s.sh but another process may take one before the server binds
  // it; a start that fails is retried on new ports, a bounded number of times.
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= attempts) throw error;
      process.stderr.write(`control-plane: start attempt ${attempt} failed, retrying: ${String(error)}\n`);
    }
  }
}

async function startOnce(options: ControlPlaneOptions): Promise<ControlPlane> {
  const stateDir = await mkdtemp(join(tmpdir(), 'wharf-k8s-'));
  const clusterEgressSocket = options.clusterEgress === true ? join(stateDir, 'egress.sock') : undefined;
  const env = {
    ...process.env,
    ...controllersEnv(options),
    ...(clusterEgressSocket === undefined ? {} : { K8S_CLUSTER_EGRESS_UDS: clusterEgressSocket }),
    K8S_STATE_DIR: stateDir,
    K8S_PARENT_PID: String(process.pid),
  };
  const started = await run('bash', ['scripts/k8s.sh', 'start'], {
    env,
    timeoutMs: options.timeoutMs ?? START_TIMEOUT_MS,
  });
  const stopScript = async (): Promise<void> => {
    await run('bash', ['scripts/k8s.sh', 'stop'], { env, timeoutMs: 60_000 });
    await rm(stateDir, { recursive: true, force: true });
  };
  const values = keyValues(started.stdout);
  const get = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`scripts/k8s.sh start printed no ${key}`);
    return value;
  };
  if (started.code !== 0 || !values.has('K8S_URL')) {
    await stopScript();
    throw new Error(`scripts/k8s.sh start failed (${started.code}): ${started.stderr.slice(-4000)}`);
  }
  return controlPlane(
    {
      url: get('K8S_URL'),
      token: get('K8S_TOKEN'),
      caFile: get('K8S_CA'),
      kubeconfigFile: get('K8S_KUBECONFIG'),
      kubectlPath: get('KUBECTL'),
      stateDir,
      version: get('K8S_VERSION'),
      clusterEgressSocket,
    },
    stopScript,
  );
}

function controlPlane(endpoint: Endpoint, stopProcesses: () => Promise<void>): ControlPlane {
  const ca = readFileSync(endpoint.caFile, 'utf8');
  let stopped: Promise<void> | undefined;
  return {
    ...endpoint,
    ca,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(endpoint.kubeconfigFile);
      return kc;
    },
    kubectl(args, options = {}) {
      return run(endpoint.kubectlPath, ['--kubeconfig', endpoint.kubeconfigFile, ...args], {
        timeoutMs: options.timeoutMs ?? 60_000,
        ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      });
    },
    request(method, path, options = {}) {
      return apiRequest(endpoint.url, ca, options.token ?? endpoint.token, method, path, options);
    },
    stop() {
      stopped ??= stopProcesses();
      return stopped;
    },
  };
}

function apiRequest(
  base: string,
  ca: string,
  token: string,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly contentType?: string; readonly accept?: string },
): Promise<ApiResponse> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, base),
      {
        method,
        ca,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${token}`,
          accept: options.accept ?? 'application/json',
          ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Installs the wharf.dev CRDs from crds/*.yaml with server-side apply (as `kubectl apply
 * --server-side` does) and waits until each is Established and serves lists. Returns their names.
 */
export async function installCrds(cp: ControlPlane, fieldManager = 'wharf-test'): Promise<readonly string[]> {
  const names: string[] = [];
  for (const definition of customResourceDefinitions()) {
    // The committed file, not the in-memory object: what a user applies is what is tested.
    const text = readFileSync(join(ROOT, 'crds', crdFileName(definition)), 'utf8');
    const name = definition.metadata.name;
    const response = await cp.request(
      'PATCH',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=${fieldManager}&force=true`,
      { body: JSON.stringify(parse(text)), contentType: 'application/apply-patch+yaml' },
    );
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`applying CRD ${name}: HTTP ${response.status}: ${response.body}`);
    }
    names.push(name);
  }
  for (const name of names) await waitForCrdEstablished(cp, name);
  // Established is not the end: until the new resource's watch cache is initialized, lists and
  // watches answer 429 (an informer started then stops with "HTTP-Code: 429"). Wait for a list.
  for (const definition of customResourceDefinitions()) {
    const path = `/apis/${definition.spec.group}/${VERSION}/${definition.spec.names.plural}?limit=1`;
    await waitFor(`${definition.metadata.name} to serve lists`, 60_000, async () => {
      return (await cp.request('GET', path)).status === 200;
    });
  }
  return names;
}

interface CrdStatus {
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/** Polls until the CRD has Established=True (bounded: timeoutMs). */
export async function waitForCrdEstablished(cp: ControlPlane, name: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`CRD ${name} Established`, timeoutMs, async () => {
    const response = await cp.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conditions = (response.json as CrdStatus | undefined)?.status?.conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

/** Polls `check` every 100 ms until it returns true; throws after timeoutMs naming `what`. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A KubeConfig that acts as `user` (e.g. "system:serviceaccount:wharf:wharf-operator"): the admin
 * impersonates it, and RBAC decides with that user's bindings, which is what least-privilege tests
 * need. (The API server also has a service-account signing key, so `kubectl create token SA`
 * issues real ServiceAccount tokens.)
 */
export function userKubeConfig(cp: ControlPlane, user: string): KubeConfig {
  const kc = cp.kubeConfig();
  const current = kc.getCurrentUser();
  if (current === null) throw new Error('the control plane kubeconfig has no user');
  kc.users = kc.users.map((u) => (u.name === current.name ? { ...u, impersonateUser: user } : u));
  return kc;
}

/**
 * The sidecar-injection webhook as the chart declares it (pods labelled wharf.dev/inject: "true"),
 * called by URL on loopback, for tests that run the operator as a process; `extra` webhooks join it.
 */
export function injectorWebhookConfiguration(
  webhookPort: number,
  caPem: string,
  extra: readonly Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'wharf-sidecar-injector' },
    webhooks: [
      {
        name: 'inject.wharf.dev',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        timeoutSeconds: 5,
        objectSelector: { matchLabels: { 'wharf.dev/inject': 'true' } },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        clientConfig: {
          url: `https://127.0.0.1:${webhookPort}/mutate`,
          caBundle: Buffer.from(caPem).toString('base64'),
        },
      },
      ...extra,
    ],
  };
}
