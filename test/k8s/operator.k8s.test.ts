// The operator as a real process (`wharf operator`) against a real kube-apiserver and etcd
// (test/k8s/control-plane.ts), with a real Wharf cluster of local broker processes standing in
// for the pods (--broker-override). Shows: a WharfCluster yields its children by server-side
// apply; Queues and Topics become Ready on the brokers and their status columns show live depth;
// updates propagate; deletion follows each deletionPolicy and a gone cluster releases the
// finalizer; the sidecar webhook injects into labelled pods only and fails as failurePolicy says;
// the operator holds its Lease and hands it to a standby; scaling 3 → 5 → 3 changes Raft
// membership in the safe order; deleting a namespace never wedges on the finalizer; the
// WharfCluster's children are collected with it (kube-controller-manager's namespace and garbage
// collector controllers run for these two). The operator runs as a ServiceAccount bound to
// operatorClusterRole() (operator/rbac.ts), so a rule it lacks fails here.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect, type WharfClient } from '../../client/client.ts';
import { GROUP, VERSION } from '../../crds/types.ts';
import { operatorClusterRole } from '../../operator/rbac.ts';
import { type BrokerChild, freePort, spawnBrokerChild } from '../broker-process.ts';
import {
  type ApiResponse,
  type ControlPlane,
  injectorWebhookConfiguration,
  installCrds,
  K8S_SETUP_TIMEOUT_MS,
  ROOT,
  startControlPlane,
  waitFor,
} from './control-plane.ts';

const WAIT_MS = 30_000;
const CLUSTER_NS = 'messaging';
const APP_NS = 'shop';

interface Member {
  readonly id: string;
  readonly clientPort: number;
  readonly peerPort: number;
  child?: BrokerChild;
}

let cp: ControlPlane;
let dir: string;
let operator: ChildProcess;
/** A kubeconfig with the operator ServiceAccount's token: it runs with operatorClusterRole() only. */
let operatorKubeconfig: string;
const operators: ChildProcess[] = [];
let operatorLog = '';
let webhookPort: number;
let healthPort: number;
let members: Member[];
let client: WharfClient;

type Obj = Record<string, unknown> & {
  metadata?: {
    name?: string;
    finalizers?: string[];
    generation?: number;
    ownerReferences?: unknown[];
    managedFields?: { manager: string; operation: string; subresource?: string }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason: string }[] };
};

const wharfPath = (plural: string, ns: string, name?: string) =>
  `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}${name === undefined ? '' : `/${name}`}`;

async function call(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse> {
  return cp.request(method, path, {
    ...(body === undefined ? {} : { body }),
    ...(contentType === undefined ? {} : { contentType }),
  });
}

async function ok(method: string, path: string, body?: unknown, contentType?: string): Promise<Obj> {
  const response = await call(method, path, body, contentType);
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.body}`);
  return response.json as Obj;
}

const get = async (path: string): Promise<Obj | undefined> => {
  const response = await call('GET', path);
  return response.status === 404 ? undefined : (response.json as Obj);
};

const condition = (object: Obj | undefined, type: string) => object?.status?.conditions?.find((c) => c.type === type);

/** Polls until `read` returns a value that `accept` takes; returns it. */
async function until<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  try {
    await waitFor(what, WAIT_MS, async () => {
      last = await read();
      return accept(last);
    });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nlast value: ${JSON.stringify(last)}\noperator log tail:\n${operatorLog.slice(-3000)}`,
    );
  }
  return last as T;
}

const peersOf = (list: readonly Member[]) =>
  list.map((m) => `${m.id}=127.0.0.1:${m.clientPort}:${m.peerPort}`).join(',');

async function startMember(member: Member, peers: string, joining: boolean): Promise<void> {
  member.child = await spawnBrokerChild(join(dir, member.id), member.clientPort, 30_000, [
    '--node-id',
    member.id,
    '--peers',
    peers,
    '--peer-port',
    String(member.peerPort),
    ...(joining ? ['--join'] : []),
  ]);
}

function makeCertificates(): { caPem: string; certFile: string; keyFile: string } {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=wharf-test-ca',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'webhook.key',
    '-out',
    'webhook.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  execFileSync('bash', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  openssl([
    'x509',
    '-req',
    '-in',
    'webhook.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'webhook.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  ]);
  return {
    caPem: execFileSync('cat', ['ca.crt'], { cwd: dir }).toString(),
    certFile: join(dir, 'webhook.crt'),
    keyFile: join(dir, 'webhook.key'),
  };
}

/** The operator's ServiceAccount bound to operatorClusterRole(), and a kubeconfig with its token. */
async function serviceAccountKubeconfig(): Promise<string> {
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
    subjects: [{ kind: 'ServiceAccount', name: 'wharf-operator', namespace: 'wharf-system' }],
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

/** GET of the operator's plain-HTTP health port. */
async function health(port: number, path: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, json: await response.json() };
}

/** Starts `wharf operator` as a process; resolves once it printed that it started. */
async function spawnOperator(identity: string, extraArgs: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      'cli/main.ts',
      'operator',
      '--kubeconfig',
      operatorKubeconfig,
      '--broker-override',
      `${CLUSTER_NS}/wharf=${peersOf(members)}`,
      '--lease-name',
      'wharf-operator',
      '--lease-namespace',
      'wharf-system',
      '--identity',
      identity,
      '--default-cluster',
      `${CLUSTER_NS}/wharf`,
      '--refresh',
      '500ms',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  operators.push(child);
  child.stderr?.on('data', (chunk: Buffer) => {
    operatorLog = (operatorLog + chunk.toString()).slice(-200_000);
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
      reject(new Error(`operator ${identity} exited with ${code}: ${operatorLog}`));
    });
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const started = Date.now();
const timings: Record<string, number> = {};

beforeAll(async () => {
  // The namespace and garbage-collector controllers (namespace deletion, ownerReference cascades),
  // with the CRDs there before they start so the garbage collector watches our kinds.
  cp = await startControlPlane({ controllers: ['namespace', 'garbagecollector'], crds: true });
  await installCrds(cp);
  timings.controlPlaneMs = Date.now() - started;
  dir = await mkdtemp(join(tmpdir(), 'wharf-operator-k8s-'));
  members = [];
  for (let i = 0; i < 5; i++)
    members.push({ id: `wharf-${i}`, clientPort: await freePort(), peerPort: await freePort() });
  const initial = members.slice(0, 3);
  await Promise.all(initial.map((m) => startMember(m, peersOf(initial), false)));
  client = connect(`127.0.0.1:${members[0]?.clientPort}`);
  await waitFor('a leader among the brokers', WAIT_MS, async () =>
    (await client.clusterStatus()).members.some((m) => m.leader),
  );
  for (const ns of [CLUSTER_NS, APP_NS, 'wharf-system']) {
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  operatorKubeconfig = await serviceAccountKubeconfig();
  webhookPort = await freePort();
  const cert = makeCertificates();
  healthPort = await freePort();
  operator = await spawnOperator('operator-test', [
    '--health-port',
    String(healthPort),
    '--webhook-port',
    String(webhookPort),
    '--webhook-host',
    '127.0.0.1',
    '--webhook-cert',
    cert.certFile,
    '--webhook-key',
    cert.keyFile,
    '--otlp-endpoint',
    'http://jaeger.observability:4317',
  ]);
  // Beside the injector, two webhooks no one answers (a closed port): one that must fail the pod,
  // one that may not.
  const broken = (['Fail', 'Ignore'] as const).map((policy) => ({
    name: `broken-${policy.toLowerCase()}.wharf.dev`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: policy,
    timeoutSeconds: 2,
    objectSelector: { matchLabels: { 'wharf.dev/broken': policy } },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    clientConfig: { url: 'https://127.0.0.1:1/mutate', caBundle: Buffer.from(cert.caPem).toString('base64') },
  }));
  await ok(
    'POST',
    '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    injectorWebhookConfiguration(webhookPort, cert.caPem, broken),
  );
  await ok('POST', wharfPath('wharfclusters', CLUSTER_NS), {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'WharfCluster',
    metadata: { name: 'wharf', namespace: CLUSTER_NS },
    spec: { replicas: 3, image: 'wharf/broker:test', storage: { size: '1Gi' } },
  });
  timings.setupMs = Date.now() - started;
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(operators.map(stopProcess));
  client?.close();
  await Promise.all((members ?? []).map((m) => m.child?.stop()));
  await cp?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  if (process.env.WHARF_OPERATOR_LOG !== undefined) writeFileSync(process.env.WHARF_OPERATOR_LOG, operatorLog);
  process.stderr.write(`operator.k8s timings: ${JSON.stringify({ ...timings, totalMs: Date.now() - started })}\n`);
});

const queueBody = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'Queue',
  metadata: { name, namespace: APP_NS },
  spec: { clusterRef: { name: 'wharf', namespace: CLUSTER_NS }, ...spec },
});

async function readyQueue(name: string): Promise<Obj> {
  const queue = await until(
    `Queue ${name} Ready`,
    () => get(wharfPath('queues', APP_NS, name)),
    (q) => condition(q, 'Ready')?.status === 'True',
  );
  if (queue === undefined) throw new Error(`Queue ${name} is gone`);
  return queue;
}

describe('wharf operator against a real API server', () => {
  it('builds the WharfCluster children with server-side apply, owned by it, and reports it Ready', async () => {
    const paths = {
      statefulSet: `/apis/apps/v1/namespaces/${CLUSTER_NS}/statefulsets/wharf`,
      headless: `/api/v1/namespaces/${CLUSTER_NS}/services/wharf-headless`,
      clientService: `/api/v1/namespaces/${CLUSTER_NS}/services/wharf`,
      pdb: `/apis/policy/v1/namespaces/${CLUSTER_NS}/poddisruptionbudgets/wharf`,
      configMap: `/api/v1/namespaces/${CLUSTER_NS}/configmaps/wharf-config`,
    };
    const cluster = await until(
      'WharfCluster Ready',
      () => get(wharfPath('wharfclusters', CLUSTER_NS, 'wharf')),
      (c) => condition(c, 'Ready')?.status === 'True',
    );
    expect(cluster?.status).toMatchObject({
      observedGeneration: 1,
      readyReplicas: 3,
      leader: expect.stringMatching(/^wharf-[0-2]$/),
    });
    for (const [what, path] of Object.entries(paths)) {
      const child = await until(
        what,
        () => get(path),
        (o) => o !== undefined,
      );
      expect(child?.metadata?.ownerReferences, what).toEqual([
        expect.objectContaining({ kind: 'WharfCluster', name: 'wharf', controller: true }),
      ]);
      expect(
        child?.metadata?.managedFields?.some((f) => f.manager === 'wharf-operator' && f.operation === 'Apply'),
        what,
      ).toBe(true);
    }
    const sts = (await get(paths.statefulSet)) as Obj;
    expect(sts.spec).toMatchObject({ replicas: 3, podManagementPolicy: 'Parallel', serviceName: 'wharf-headless' });
    expect((await get(paths.headless))?.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(((await get(paths.configMap)) as { data: Record<string, string> }).data['initial-members']).toBe(
      'wharf-0,wharf-1,wharf-2',
    );
    // Status went through the status subresource.
    expect(
      cluster?.metadata?.managedFields?.some((f) => f.manager === 'wharf-operator' && f.subresource === 'status'),
    ).toBe(true);
  });

  it('makes a Queue Ready on the brokers, with a finalizer, and shows live depth in kubectl get', async () => {
    await ok('POST', wharfPath('queues', APP_NS), queueBody('orders', { maxDeliveries: 5 }));
    const queue = await readyQueue('orders');
    expect(queue.metadata?.finalizers).toContain('wharf.dev/broker-cleanup');
    expect((await client.getQueue(`${APP_NS}/orders`)).spec?.maxDeliveries).toBe(5);
    for (let i = 0; i < 7; i++) await client.publish(`${APP_NS}/orders`, { payload: Buffer.from(`m${i}`) });
    await until(
      'depth 7 in status',
      () => get(wharfPath('queues', APP_NS, 'orders')),
      (q) => q?.status?.depth === 7,
    );
    const table = await cp.kubectl(['get', 'queues', '-n', APP_NS, 'orders']);
    expect(table.code, table.stderr).toBe(0);
    const [header = '', row = ''] = table.stdout.trim().split('\n');
    const columns = header.split(/\s{2,}/);
    const cells = row.split(/\s{2,}/);
    expect(cells[columns.indexOf('READY')]).toBe('True');
    expect(cells[columns.indexOf('DEPTH')]).toBe('7');
  });

  it('makes a Topic Ready with its subscriptions', async () => {
    await ok('POST', wharfPath('topics', APP_NS), {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Topic',
      metadata: { name: 'payments', namespace: APP_NS },
      spec: { partitions: 2, subscriptions: [{ name: 'ledger', maxDeliveries: 10 }] },
    });
    const topic = await until(
      'Topic Ready',
      () => get(wharfPath('topics', APP_NS, 'payments')),
      (t) => condition(t, 'Ready')?.status === 'True' && t?.status?.subscriptionCount === 1,
    );
    expect(topic?.status?.subscriptions).toEqual([expect.objectContaining({ name: 'ledger', depth: 0 })]);
    const onBroker = await client.getTopic(`${APP_NS}/payments`);
    expect(onBroker.spec?.partitions).toBe(2);
    expect(onBroker.spec?.subscriptions.map((s) => s.name)).toEqual(['ledger']);
  });

  it('propagates updates to the broker and records the generation it applied', async () => {
    await ok(
      'PATCH',
      wharfPath('queues', APP_NS, 'orders'),
      { spec: { maxDeliveries: 9 } },
      'application/merge-patch+json',
    );
    await until(
      'maxDeliveries 9 on the broker',
      async () => (await client.getQueue(`${APP_NS}/orders`)).spec?.maxDeliveries,
      (n) => n === 9,
    );
    await until(
      'observedGeneration 2',
      () => get(wharfPath('queues', APP_NS, 'orders')),
      (q) => q?.status?.observedGeneration === 2 && condition(q, 'Ready')?.status === 'True',
    );
    await ok(
      'PATCH',
      wharfPath('topics', APP_NS, 'payments'),
      { spec: { partitions: 3, subscriptions: [{ name: 'ledger' }, { name: 'audit' }] } },
      'application/merge-patch+json',
    );
    await until(
      'topic grown to 3 partitions with 2 subscriptions',
      () => client.getTopic(`${APP_NS}/payments`),
      (t) => t.spec?.partitions === 3 && t.spec.subscriptions.length === 2,
    );
  });

  it('holds a change the broker cannot make now with SpecHeld, and applies it once it can', async () => {
    await ok('POST', wharfPath('queues', APP_NS), queueBody('jobs', { ordering: 'None' }));
    await readyQueue('jobs');
    await client.publish(`${APP_NS}/jobs`, { payload: Buffer.from('work') });
    const leased = await client.receive({ destination: `${APP_NS}/jobs`, maxMessages: 1, wait: { seconds: 2 } });
    expect(leased.deliveries).toHaveLength(1);
    // The broker refuses to change ordering while messages are in flight.
    await ok(
      'PATCH',
      wharfPath('queues', APP_NS, 'jobs'),
      { spec: { ordering: 'PerKey' } },
      'application/merge-patch+json',
    );
    const held = await until(
      'SpecHeld',
      () => get(wharfPath('queues', APP_NS, 'jobs')),
      (q) => condition(q, 'SpecHeld')?.status === 'True',
    );
    expect(condition(held, 'Ready')).toMatchObject({ status: 'True', reason: 'ServingPreviousSpec' });
    expect((await client.getQueue(`${APP_NS}/jobs`)).spec?.ordering).toBe('ORDERING_NONE');
    await client.ack(leased.deliveries.map((d) => d.receipt));
    const applied = await until(
      'SpecHeld cleared',
      () => get(wharfPath('queues', APP_NS, 'jobs')),
      (q) => condition(q, 'SpecHeld') === undefined && condition(q, 'Ready')?.reason === 'Applied',
    );
    expect(applied?.status?.observedGeneration).toBe(2);
    expect((await client.getQueue(`${APP_NS}/jobs`)).spec?.ordering).toBe('ORDERING_PER_KEY');
  });

  it('deletes with each deletionPolicy: Delete, Retain, Drain (and a Topic with the default)', async () => {
    for (const [name, policy] of [
      ['q-delete', 'Delete'],
      ['q-retain', 'Retain'],
      ['q-drain', 'Drain'],
    ] as const) {
      await ok('POST', wharfPath('queues', APP_NS), queueBody(name, { deletionPolicy: policy }));
      const q = await readyQueue(name);
      expect(q.metadata?.finalizers).toContain('wharf.dev/broker-cleanup');
    }
    await client.publish(`${APP_NS}/q-drain`, { payload: Buffer.from('a') });
    await client.publish(`${APP_NS}/q-drain`, { payload: Buffer.from('b') });
    for (const name of ['q-delete', 'q-retain', 'q-drain']) await ok('DELETE', wharfPath('queues', APP_NS, name));

    await until(
      'q-delete gone',
      () => get(wharfPath('queues', APP_NS, 'q-delete')),
      (q) => q === undefined,
    );
    await expect(client.getQueue(`${APP_NS}/q-delete`)).rejects.toMatchObject({ code: 5 });

    await until(
      'q-retain gone',
      () => get(wharfPath('queues', APP_NS, 'q-retain')),
      (q) => q === undefined,
    );
    expect((await client.getQueue(`${APP_NS}/q-retain`)).name).toBe(`${APP_NS}/q-retain`);

    const draining = await until(
      'q-drain Draining',
      () => get(wharfPath('queues', APP_NS, 'q-drain')),
      (q) => condition(q, 'Draining')?.status === 'True',
    );
    expect(draining?.metadata?.finalizers).toContain('wharf.dev/broker-cleanup');
    await expect(client.publish(`${APP_NS}/q-drain`, { payload: Buffer.from('c') })).rejects.toMatchObject({ code: 9 });
    const received = await client.receive({ destination: `${APP_NS}/q-drain`, maxMessages: 10, wait: { seconds: 2 } });
    expect(received.deliveries).toHaveLength(2);
    await client.ack(received.deliveries.map((d) => d.receipt));
    await until(
      'q-drain gone once empty',
      () => get(wharfPath('queues', APP_NS, 'q-drain')),
      (q) => q === undefined,
    );
    await expect(client.getQueue(`${APP_NS}/q-drain`)).rejects.toMatchObject({ code: 5 });

    // A Topic goes the same way (deletionPolicy Delete by default).
    await ok('DELETE', wharfPath('topics', APP_NS, 'payments'));
    await until(
      'Topic gone',
      () => get(wharfPath('topics', APP_NS, 'payments')),
      (t) => t === undefined,
    );
    await expect(client.getTopic(`${APP_NS}/payments`)).rejects.toMatchObject({ code: 5 });
  });

  it('releases the finalizer with an Event when the cluster is gone, so deletion never wedges', async () => {
    await ok('POST', wharfPath('queues', APP_NS), {
      ...queueBody('orphan'),
      spec: { clusterRef: { name: 'ghost', namespace: CLUSTER_NS } },
    });
    const orphan = await until(
      'orphan not Ready: ClusterNotFound',
      () => get(wharfPath('queues', APP_NS, 'orphan')),
      (q) => condition(q, 'Ready')?.reason === 'ClusterNotFound' && (q?.metadata?.finalizers ?? []).length > 0,
    );
    expect(condition(orphan, 'Ready')?.status).toBe('False');
    await ok('DELETE', wharfPath('queues', APP_NS, 'orphan'));
    await until(
      'orphan gone',
      () => get(wharfPath('queues', APP_NS, 'orphan')),
      (q) => q === undefined,
    );
    const events = (await ok('GET', `/apis/events.k8s.io/v1/namespaces/${APP_NS}/events`)) as {
      items?: { reason: string; regarding: { name: string }; eventTime: string }[];
    };
    const released = events.items?.find((e) => e.regarding.name === 'orphan' && e.reason === 'ClusterGone');
    expect(released?.eventTime).toMatch(/\.\d{6}Z$/);
  });

  it('injects the sidecar into labelled pods only; broken webhooks fail as failurePolicy says', async () => {
    const pod = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: APP_NS, labels, annotations },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
    });
    const injected = await ok(
      'POST',
      `/api/v1/namespaces/${APP_NS}/pods`,
      pod('with', { 'wharf.dev/inject': 'true' }, { 'wharf.dev/port': '7171' }),
    );
    const spec = injected.spec as {
      initContainers?: { name: string; restartPolicy?: string; env?: { name: string; value?: string }[] }[];
      containers: { env?: { name: string; value?: string }[] }[];
    };
    const sidecar = spec.initContainers?.[0];
    expect(sidecar?.name).toBe('wharf-sidecar');
    expect(sidecar?.restartPolicy).toBe('Always'); // Kubernetes >= 1.29: a native sidecar
    const env = Object.fromEntries((sidecar?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      WHARF_SIDECAR_PORT: '7171',
      WHARF_BROKERS: `wharf.${CLUSTER_NS}.svc.cluster.local:7400`,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger.observability:4317',
    });
    expect(spec.containers[0]?.env).toEqual([{ name: 'WHARF_ADDR', value: '127.0.0.1:7171' }]);

    const plain = await ok('POST', `/api/v1/namespaces/${APP_NS}/pods`, pod('without', {}));
    expect((plain.spec as { initContainers?: unknown }).initContainers).toBeUndefined();

    const refused = await call(
      'POST',
      `/api/v1/namespaces/${APP_NS}/pods`,
      pod('bad-annotation', { 'wharf.dev/inject': 'true' }, { 'wharf.dev/port': 'x' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('annotation wharf.dev/port');

    const failed = await call(
      'POST',
      `/api/v1/namespaces/${APP_NS}/pods`,
      pod('broken-fail', { 'wharf.dev/broken': 'Fail' }),
    );
    expect(failed.status).toBe(500);
    expect(failed.body).toContain('failed calling webhook');
    const ignored = await call(
      'POST',
      `/api/v1/namespaces/${APP_NS}/pods`,
      pod('broken-ignore', { 'wharf.dev/broken': 'Ignore' }),
    );
    expect(ignored.status).toBe(201);
  });

  it('holds its Lease, renewed with MicroTime, and says so on its health port with metrics', async () => {
    const lease = await until(
      'Lease held',
      () => get('/apis/coordination.k8s.io/v1/namespaces/wharf-system/leases/wharf-operator'),
      (l) => (l?.spec as { holderIdentity?: string } | undefined)?.holderIdentity === 'operator-test',
    );
    expect((lease?.spec as { renewTime?: string } | undefined)?.renewTime).toMatch(/\.\d{6}Z$/);
    expect(await health(healthPort, '/readyz')).toEqual({ status: 200, json: { ready: true, role: 'leader' } });
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    const reconciled = /^wharf_operator_reconciles_total\{kind="Queue",result="ok"\} (\d+)$/m.exec(metrics);
    expect(Number(reconciled?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^wharf_operator_workqueue_depth \d+$/m);
    // Every watch (WharfClusters, Queues, Topics, and the brokers' StatefulSets and pods) runs
    // under the operator's RBAC: a refused list or watch would have restarted one by now.
    expect(metrics).toMatch(/^wharf_operator_informer_restarts 0$/m);
  });

  it('scales 3 → 5 → 3 in the safe membership order', async () => {
    const scaleStart = Date.now();
    const clusterPath = wharfPath('wharfclusters', CLUSTER_NS, 'wharf');
    const stsPath = `/apis/apps/v1/namespaces/${CLUSTER_NS}/statefulsets/wharf`;
    await ok('PATCH', clusterPath, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    await until(
      'StatefulSet at 5',
      () => get(stsPath),
      (s) => s?.spec?.replicas === 5,
    );
    // No member is added before its pod is ready.
    const waiting = await until(
      'Progressing: ScalingUp',
      () => get(clusterPath),
      (c) => condition(c, 'Progressing')?.reason === 'ScalingUp',
    );
    expect(condition(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'MembershipChanging' });
    expect((await client.clusterStatus()).members).toHaveLength(3);
    // The new "pods" start (as a StatefulSet would start them) in join mode.
    await Promise.all(members.slice(3).map((m) => startMember(m, peersOf(members), true)));
    await until(
      '5 voters',
      () => client.clusterStatus(),
      (s) => s.members.filter((m) => m.voter).length === 5,
    );
    await until(
      'cluster Ready at 5',
      () => get(clusterPath),
      (c) => condition(c, 'Ready')?.status === 'True' && c?.status?.readyReplicas === 5,
    );

    await ok('PATCH', clusterPath, { spec: { replicas: 3 } }, 'application/merge-patch+json');
    const shrunk = await until(
      'membership back to 3',
      () => client.clusterStatus(),
      (s) => s.members.length === 3,
    );
    expect(shrunk.members.map((m) => m.id).sort()).toEqual(['wharf-0', 'wharf-1', 'wharf-2']);
    await until(
      'StatefulSet at 3',
      () => get(stsPath),
      (s) => s?.spec?.replicas === 3,
    );
    await until(
      'cluster Ready at 3',
      () => get(clusterPath),
      (c) => condition(c, 'Ready')?.status === 'True',
    );

    const events = (await ok('GET', `/apis/events.k8s.io/v1/namespaces/${CLUSTER_NS}/events`)) as {
      items?: { reason: string; note: string; eventTime: string }[];
    };
    const membership = (events.items ?? [])
      .filter((e) => ['MemberAdded', 'MemberRemoved', 'LeadershipTransferred'].includes(e.reason))
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime))
      .map((e) => `${e.reason} ${/wharf-\d/.exec(e.note)?.[0]}`);
    // Adds in order (each AddMember until it votes), removals from the top, never a removal first.
    const firstRemoval = membership.findIndex((e) => e.startsWith('MemberRemoved'));
    expect(membership.slice(0, firstRemoval).every((e) => e.startsWith('MemberAdded'))).toBe(true);
    expect(membership.filter((e) => e.startsWith('MemberAdded')).map((e) => e.split(' ')[1])).toEqual(
      expect.arrayContaining(['wharf-3', 'wharf-4']),
    );
    expect(membership.filter((e) => e.startsWith('MemberRemoved'))).toEqual([
      'MemberRemoved wharf-4',
      'MemberRemoved wharf-3',
    ]);
    timings.scaleMs = Date.now() - scaleStart;
    // The removed members' processes stop, as their pods would.
    await Promise.all(members.slice(3).map((m) => m.child?.stop()));
  }, 120_000);
  it('hands leadership to a standby operator when the leader stops', async () => {
    const leasePath = '/apis/coordination.k8s.io/v1/namespaces/wharf-system/leases/wharf-operator';
    const holder = async () =>
      ((await get(leasePath))?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
    const standbyHealthPort = await freePort();
    await spawnOperator('operator-standby', ['--health-port', String(standbyHealthPort)]);
    expect(await holder()).toBe('operator-test');
    expect(await health(standbyHealthPort, '/readyz')).toEqual({ status: 200, json: { ready: true, role: 'standby' } });
    expect(await stopProcess(operator)).toBe(0); // SIGTERM: stops and releases the Lease
    await until('the standby holds the Lease', holder, (h) => h === 'operator-standby');
    await until(
      'the standby reports itself leader',
      () => health(standbyHealthPort, '/healthz'),
      (h) => (h.json as { role?: string }).role === 'leader',
    );
    await ok('POST', wharfPath('queues', APP_NS), queueBody('after-handover'));
    const queue = await readyQueue('after-handover');
    expect(queue.metadata?.finalizers).toContain('wharf.dev/broker-cleanup');
  });
  it('never wedges a namespace: deleting it deletes its Queues through the finalizer', async () => {
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await ok('POST', wharfPath('queues', 'doomed'), {
      ...queueBody('temp'),
      metadata: { name: 'temp', namespace: 'doomed' },
    });
    await until(
      'doomed/temp Ready',
      () => get(wharfPath('queues', 'doomed', 'temp')),
      (q) => condition(q, 'Ready')?.status === 'True',
    );
    expect((await client.getQueue('doomed/temp')).name).toBe('doomed/temp');
    await ok('DELETE', '/api/v1/namespaces/doomed');
    await until(
      'namespace doomed gone',
      () => get('/api/v1/namespaces/doomed'),
      (n) => n === undefined,
    );
    await expect(client.getQueue('doomed/temp')).rejects.toMatchObject({ code: 5 });
  }, 90_000);

  it("deletes the WharfCluster's children with it (ownerReferences)", async () => {
    const stsPath = `/apis/apps/v1/namespaces/${CLUSTER_NS}/statefulsets/wharf`;
    expect(await get(stsPath)).toBeDefined();
    await ok('DELETE', wharfPath('wharfclusters', CLUSTER_NS, 'wharf'));
    await until(
      'StatefulSet collected',
      () => get(stsPath),
      (s) => s === undefined,
    );
    for (const path of [
      `/api/v1/namespaces/${CLUSTER_NS}/services/wharf`,
      `/api/v1/namespaces/${CLUSTER_NS}/services/wharf-headless`,
      `/api/v1/namespaces/${CLUSTER_NS}/configmaps/wharf-config`,
      `/apis/policy/v1/namespaces/${CLUSTER_NS}/poddisruptionbudgets/wharf`,
    ]) {
      await until(
        `${path} collected`,
        () => get(path),
        (o) => o === undefined,
      );
    }
  });
});
