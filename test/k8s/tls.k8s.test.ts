// A WharfCluster with spec.tls on, against a real kube-apiserver: the operator (a real `wharf
// operator` process running as a ServiceAccount bound to operatorClusterRole() plus, in the
// cluster's namespace, brokerTlsSecretRules() and nothing else) calls the Admin API of three TLS
// broker processes (standing in for the pods, --broker-override) verified against ca.crt of the
// cluster's Secret; until that Secret exists the status says so. The StatefulSet probes the
// plaintext health port; a Queue becomes Ready through the TLS Admin API; a pod labelled for
// injection gets a sidecar carrying the cluster's CA.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE } from '../../common/tls.ts';
import { GROUP, VERSION } from '../../crds/types.ts';
import { brokerTlsSecretRules, operatorClusterRole } from '../../operator/rbac.ts';
import { type BrokerChild, freePort, spawnBrokerChild } from '../broker-process.ts';
import { createTestCa, issueTestCert, type TestCa, type TestCert, writeTlsDir } from '../tls-certs.ts';
import {
  type ControlPlane,
  injectorWebhookConfiguration,
  installCrds,
  K8S_SETUP_TIMEOUT_MS,
  ROOT,
  startControlPlane,
  waitFor,
} from './control-plane.ts';

const WAIT_MS = 30_000;
const NS = 'messaging';
const APP_NS = 'shop';
const SECRET = 'wharf-tls';

type Obj = Record<string, unknown> & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; message?: string }[] };
};

let cp: ControlPlane;
let dir: string;
let ca: TestCa;
let brokerCert: TestCert;
let operator: ChildProcess | undefined;
let operatorLog = '';
const brokers: BrokerChild[] = [];

async function ok(method: string, path: string, body?: unknown): Promise<Obj> {
  const response = await cp.request(method, path, body === undefined ? {} : { body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.body}`);
  return response.json as Obj;
}

async function get(path: string): Promise<Obj | undefined> {
  const response = await cp.request('GET', path);
  return response.status === 404 ? undefined : (response.json as Obj);
}

async function until(what: string, path: string, accept: (o: Obj | undefined) => boolean): Promise<Obj> {
  let last: Obj | undefined;
  try {
    await waitFor(what, WAIT_MS, async () => {
      last = await get(path);
      return accept(last);
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast: ${JSON.stringify(last?.status)}\n${operatorLog.slice(-3000)}`);
  }
  return last as Obj;
}

const ready = (o: Obj | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');
const wharfPath = (plural: string, ns: string, name?: string) =>
  `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}${name === undefined ? '' : `/${name}`}`;

/** The operator's ServiceAccount: operatorClusterRole() and, in NS, get on the TLS Secret only. */
async function operatorKubeconfig(): Promise<string> {
  const subject = { kind: 'ServiceAccount', name: 'wharf-operator', namespace: 'wharf-system' };
  await ok('POST', '/api/v1/namespaces/wharf-system/serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'wharf-operator', namespace: 'wharf-system' },
  });
  await ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', operatorClusterRole());
  await ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'wharf-operator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'wharf-operator' },
    subjects: [subject],
  });
  await ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'wharf-operator-tls', namespace: NS },
    rules: brokerTlsSecretRules(SECRET),
  });
  await ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'wharf-operator-tls', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'wharf-operator-tls' },
    subjects: [subject],
  });
  const token = await cp.kubectl(['create', 'token', 'wharf-operator', '-n', 'wharf-system', '--duration', '1h']);
  if (token.code !== 0) throw new Error(`kubectl create token: ${token.stderr}`);
  const file = join(dir, 'operator.kubeconfig');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cp.url, 'certificate-authority': cp.caFile } }],
      users: [{ name: 'wharf-operator', user: { token: token.stdout.trim() } }],
      contexts: [{ name: 'operator', context: { cluster: 'test', user: 'wharf-operator' } }],
      'current-context': 'operator',
    }),
  );
  return file;
}

async function spawnOperator(args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['cli/main.ts', 'operator', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    operatorLog = (operatorLog + chunk.toString()).slice(-100_000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`operator did not start: ${operatorLog}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('wharf operator started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`operator exited with ${code}: ${operatorLog}`));
    });
  });
  return child;
}

beforeAll(async () => {
  cp = await startControlPlane({ crds: true });
  await installCrds(cp);
  dir = await mkdtemp(join(tmpdir(), 'wharf-tls-k8s-'));
  ca = await createTestCa('wharf-k8s-ca');
  brokerCert = await issueTestCert(ca);
  const members = [];
  for (let i = 0; i < 3; i++) members.push({ id: `wharf-${i}`, client: await freePort(), peer: await freePort() });
  const peers = members.map((m) => `${m.id}=127.0.0.1:${m.client}:${m.peer}`).join(',');
  const tlsDir = writeTlsDir(join(dir, 'broker-tls'), brokerCert, ca.certPem);
  brokers.push(
    ...(await Promise.all(
      members.map((m) =>
        spawnBrokerChild(join(dir, m.id), m.client, 30_000, ['--node-id', m.id, '--peers', peers, '--tls-dir', tlsDir]),
      ),
    )),
  );
  for (const ns of [NS, APP_NS, 'wharf-system']) {
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const kubeconfig = await operatorKubeconfig();
  const webhookPort = await freePort();
  const webhookTls = writeTlsDir(join(dir, 'webhook-tls'), await issueTestCert(ca, { usages: ['server'] }), ca.certPem);
  operator = await spawnOperator([
    ...['--kubeconfig', kubeconfig, '--broker-override', `${NS}/wharf=${peers}`, '--refresh', '500ms'],
    ...['--default-cluster', `${NS}/wharf`, '--webhook-port', String(webhookPort), '--webhook-host', '127.0.0.1'],
    ...['--webhook-cert', join(webhookTls, TLS_CERT_FILE), '--webhook-key', join(webhookTls, TLS_KEY_FILE)],
  ]);
  await ok(
    'POST',
    '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    injectorWebhookConfiguration(webhookPort, ca.certPem),
  );
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (operator !== undefined && operator.exitCode === null) {
    const exited = new Promise((resolve) => operator?.once('exit', resolve));
    operator.kill('SIGTERM');
    await exited;
  }
  await Promise.all(brokers.map((b) => b.stop()));
  await cp?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('says the TLS Secret is missing, then reaches the brokers over TLS with its ca.crt', async () => {
  await ok('POST', wharfPath('wharfclusters', NS), {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'WharfCluster',
    metadata: { name: 'wharf', namespace: NS },
    spec: { replicas: 3, image: 'wharf/broker:test', storage: { size: '1Gi' }, tls: { enabled: true } },
  });
  const waiting = await until('the missing Secret in the status', wharfPath('wharfclusters', NS, 'wharf'), (c) =>
    (ready(c)?.message ?? '').includes(`its Secret ${NS}/${SECRET} does not exist (yet)`),
  );
  expect(ready(waiting)?.status).toBe('False');
  // The kubelet's gRPC probe speaks no TLS: the probes go to the plaintext health port.
  const sts = await until('the StatefulSet', `/apis/apps/v1/namespaces/${NS}/statefulsets/wharf`, (o) => !!o);
  const container = (sts.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
    .containers[0];
  expect(container?.readinessProbe).toMatchObject({ grpc: { port: 7402 } });
  expect(container?.args).toEqual(expect.arrayContaining(['--health-port', '7402']));

  await ok('POST', `/api/v1/namespaces/${NS}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: SECRET, namespace: NS },
    data: Object.fromEntries(
      [
        [TLS_CERT_FILE, brokerCert.certPem],
        [TLS_KEY_FILE, brokerCert.keyPem],
        [TLS_CA_FILE, ca.certPem],
      ].map(([k, v]) => [k, Buffer.from(v as string).toString('base64')]),
    ),
  });
  const cluster = await until(
    'WharfCluster Ready',
    wharfPath('wharfclusters', NS, 'wharf'),
    (c) => ready(c)?.status === 'True',
  );
  expect(cluster.status).toMatchObject({ readyReplicas: 3, leader: expect.stringMatching(/^wharf-[0-2]$/) });
}, 90_000);

it('makes a Queue Ready through the TLS Admin API', async () => {
  await ok('POST', wharfPath('queues', APP_NS), {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Queue',
    metadata: { name: 'orders', namespace: APP_NS },
    spec: { clusterRef: { name: 'wharf', namespace: NS } },
  });
  await until('Queue Ready', wharfPath('queues', APP_NS, 'orders'), (q) => ready(q)?.status === 'True');
}, 60_000);

it('injects a sidecar that carries the cluster CA', async () => {
  const pod = await ok('POST', `/api/v1/namespaces/${APP_NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: APP_NS, labels: { 'wharf.dev/inject': 'true' } },
    spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
  });
  const spec = pod.spec as { initContainers?: { name: string; env?: { name: string; value?: string }[] }[] };
  const sidecar = spec.initContainers?.find((c) => c.name === 'wharf-sidecar');
  expect(sidecar?.env).toContainEqual({ name: 'WHARF_TLS_CA_PEM', value: ca.certPem });
  expect(sidecar?.env).toContainEqual({ name: 'WHARF_BROKERS', value: `wharf.${NS}.svc.cluster.local:7400` });
}, 30_000);
