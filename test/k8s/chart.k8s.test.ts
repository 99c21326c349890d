// The Helm chart against a real kube-apiserver and etcd (test/k8s/control-plane.ts):
//  - every object `helm template` renders, for each value set of charts/testing.ts, is accepted by a
//    server-side dry-run (schema validation, CRD structural schemas and CEL rules, admission);
//  - the default values installed for real with `helm install`, and the operator run as the chart's
//    ServiceAccount with exactly the chart's RBAC and the Deployment's environment: it takes the
//    chart's Lease in the release namespace, makes its webhook certificate Secret and puts the CA in
//    the MutatingWebhookConfiguration's caBundle; the API server then calls the webhook through the
//    chart's Service (test/k8s/service-proxy.ts stands in for kube-proxy) and labelled pods get the
//    sidecar, before, during and after a whole CA rotation, from both operator replicas (leader and
//    standby, each serving the Secret's certificate); `helm upgrade` leaves the operator's caBundle
//    alone; the default WharfCluster's children are built.
// No kubelet runs here, so no pod starts: the helm test hook pod is only dry-run.
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  CHART_DIR,
  helm,
  type K8sObject,
  NAMESPACE,
  only,
  parseObjects,
  RELEASE,
  renderChart,
  renderChartText,
  VALUE_SETS,
} from '../../charts/testing.ts';
import { FIELD_MANAGER as CRDS_FIELD_MANAGER } from '../../scripts/image-crds.ts';
import { freePort } from '../broker-process.ts';
import {
  type ControlPlane,
  installCrds,
  K8S_SETUP_TIMEOUT_MS,
  ROOT,
  startControlPlane,
  waitFor,
} from './control-plane.ts';
import { type ServiceProxy, startServiceProxy } from './service-proxy.ts';

const WAIT_MS = 60_000;
/** The CA lifetime the operator runs with here, so that a rotation happens within the test. */
const CA_VALIDITY_S = 30;

/** Stand-ins for the CRDs of cert-manager and the Prometheus Operator (which the full values use):
 * they accept any spec, so the dry-run checks those objects' apiVersion, kind and metadata only. */
function stubCrd(group: string, kind: string, plural: string): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

let cp: ControlPlane;
let dir: string;
const children: ChildProcess[] = [];
let operatorLog = '';

// JSON, not YAML: kubectl reads YAML 1.1, where a re-serialized "off" or "no" would turn boolean.
const jsonList = (objects: readonly unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });

async function kubectlOk(args: readonly string[], stdin?: string): Promise<string> {
  const result = await cp.kubectl(args, { ...(stdin === undefined ? {} : { stdin }), timeoutMs: WAIT_MS });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A kubeconfig with a token of ServiceAccount `account` of the release namespace. */
async function serviceAccountKubeconfig(account: string): Promise<string> {
  const token = (await kubectlOk(['create', 'token', account, '-n', NAMESPACE, '--duration', '1h'])).trim();
  const file = join(dir, `${account}.kubeconfig`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cp.url, 'certificate-authority': cp.caFile } }],
      users: [{ name: account, user: { token } }],
      contexts: [{ name: account, context: { cluster: 'test', user: account } }],
      'current-context': account,
    }),
  );
  return file;
}

beforeAll(async () => {
  cp = await startControlPlane({ clusterEgress: true });
  dir = await mkdtemp(join(tmpdir(), 'wharf-chart-k8s-'));
  await kubectlOk(['create', 'namespace', NAMESPACE]);
  // No controller-manager: create the namespace's default ServiceAccount the helm test pod runs as.
  await kubectlOk(['-n', NAMESPACE, 'create', 'serviceaccount', 'default']);
  // The chart's own CRDs (identical to crds/, charts/chart.test.ts checks) for real, as Helm installs crds/.
  const crds = (await renderChart({}, { includeCrds: true })).filter((o) => o.kind === 'CustomResourceDefinition');
  expect(crds.map((c) => c.metadata.name).sort()).toEqual([
    'queues.wharf.dev',
    'topics.wharf.dev',
    'wharfclusters.wharf.dev',
  ]);
  await kubectlOk(['apply', '--server-side', '--field-manager=helm', '-f', '-'], jsonList(crds));
  await installCrds(cp); // waits until they are Established and serve lists
  await kubectlOk(
    ['apply', '--server-side', '-f', '-'],
    jsonList([
      stubCrd('cert-manager.io', 'Certificate', 'certificates'),
      stubCrd('cert-manager.io', 'Issuer', 'issuers'),
      stubCrd('monitoring.coreos.com', 'ServiceMonitor', 'servicemonitors'),
    ]),
  );
  for (const name of [
    'certificates.cert-manager.io',
    'issuers.cert-manager.io',
    'servicemonitors.monitoring.coreos.com',
  ]) {
    await waitFor(`${name} to serve lists`, WAIT_MS, async () => {
      const [plural, ...group] = name.split('.');
      return (await cp.request('GET', `/apis/${group.join('.')}/v1/${plural}?limit=1`)).status === 200;
    });
  }
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
    ),
  );
  await cp?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('server-side dry-run', () => {
  it.each(Object.keys(VALUE_SETS))('accepts every object rendered with the %s values', async (set) => {
    // helm's own output, unchanged, as `helm install` would send it.
    const text = await renderChartText(VALUE_SETS[set] ?? {});
    const objects = parseObjects(text);
    expect(objects.length).toBeGreaterThan(5);
    const result = await cp.kubectl(
      ['apply', '--dry-run=server', '--server-side', '--field-manager=helm', '-o', 'name', '-f', '-'],
      { stdin: text, timeoutMs: WAIT_MS },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // One line per object, each accepted (a silently skipped document would be missing here).
    expect(result.stdout.trim().split('\n')).toHaveLength(objects.length);
  });

  it('refuses an object the API server would refuse (the dry-run is not a formality)', async () => {
    const objects = await renderChart({});
    const cluster = only(objects, 'WharfCluster');
    const broken = { ...cluster, spec: { ...(cluster.spec as object), replicas: -1 } };
    const result = await cp.kubectl(['apply', '--dry-run=server', '--server-side', '-f', '-'], {
      stdin: jsonList([broken]),
      timeoutMs: WAIT_MS,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.replicas');
  });
});

describe('the default install (helm install), the operator under the chart’s ServiceAccount, its own webhook certificate', () => {
  let objects: K8sObject[];
  let env: Record<string, string>;
  interface Replica {
    readonly podName: string;
    readonly webhookPort: number;
    readonly healthPort: number;
    readonly child: ChildProcess;
  }
  let leader: Replica;
  let standby: Replica;
  const endpoints: number[] = [];
  let proxy: ServiceProxy;
  let serviceName: string;
  let serviceDns: string;
  let secretName: string;
  let configurationName: string;
  const APPS = 'apps';
  const helmKube = () => ['--kubeconfig', cp.kubeconfigFile, '--namespace', NAMESPACE];

  beforeAll(async () => {
    objects = await renderChart({});
    // A real `helm install` (CRDs are in already; hooks need a Job controller, which is not here),
    // with client-side apply: Helm 3's three-way merge, which `helm upgrade` uses below.
    const installed = await helm([
      'install',
      RELEASE,
      CHART_DIR,
      ...helmKube(),
      '--skip-crds',
      '--no-hooks',
      '--server-side=false',
    ]);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    await kubectlOk(['create', 'namespace', APPS]);
    const deployment = only(objects, 'Deployment');
    const template = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    const kubeconfig = await serviceAccountKubeconfig(template.serviceAccountName as string);
    const hook = only(objects, 'MutatingWebhookConfiguration');
    configurationName = hook.metadata.name;
    const [webhook] = hook.webhooks as { clientConfig: { caBundle?: string; service: { name: string } } }[];
    expect(webhook?.clientConfig.caBundle).toBeUndefined(); // the chart leaves it to the operator
    serviceName = webhook?.clientConfig.service.name ?? '';
    serviceDns = `${serviceName}.${NAMESPACE}.svc`;

    const [container] = template.containers as { args: string[]; env: { name: string; value?: string }[] }[];
    if (container === undefined) throw new Error('no operator container');
    env = {};
    for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
    secretName = env.WHARF_WEBHOOK_CERT_SECRET ?? '';
    expect(env.WHARF_WEBHOOK_CERT).toBeUndefined(); // no mounted certificate files
    const service = (await cp.request('GET', `/api/v1/namespaces/${NAMESPACE}/services/${serviceName}`)).json as {
      spec: { clusterIP: string };
    };
    if (cp.clusterEgressSocket === undefined) throw new Error('this test needs its own control plane');
    // kube-proxy's part: the API server's connections to the webhook Service's ClusterIP:443 reach
    // the ready operator replicas' webhook ports on loopback, in turn.
    let turn = 0;
    proxy = await startServiceProxy(cp.clusterEgressSocket, (target) =>
      target === `${service.spec.clusterIP}:443` ? endpoints[turn++ % endpoints.length] : undefined,
    );
    const start = async (podName: string): Promise<Replica> => {
      const replica = { podName, webhookPort: await freePort(), healthPort: await freePort(), log: '' };
      const child = spawn(process.execPath, ['cli/main.ts', ...container.args, '--kubeconfig', kubeconfig], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...env,
          // What the kubelet would fill in from fieldRefs, and the pod's network on loopback.
          POD_NAME: podName,
          POD_NAMESPACE: NAMESPACE,
          WHARF_WEBHOOK_HOST: '127.0.0.1',
          WHARF_WEBHOOK_PORT: String(replica.webhookPort),
          WHARF_OPERATOR_HEALTH_PORT: String(replica.healthPort),
          // The chart's certificate settings but a 30-second CA (rotated 20 s after it is made) with
          // a 2-second overlap, so this test sees a whole CA rotation.
          WHARF_WEBHOOK_CA_VALIDITY: `${CA_VALIDITY_S}s`,
          WHARF_WEBHOOK_CA_OVERLAP: '2s',
        },
      });
      children.push(child);
      const append = (d: string) => {
        replica.log = (replica.log + d).slice(-100_000);
        operatorLog = (operatorLog + d).slice(-200_000);
      };
      child.stdout?.setEncoding('utf8').on('data', append);
      child.stderr?.setEncoding('utf8').on('data', append);
      await waitFor(`${podName} to start`, WAIT_MS, async () => {
        if (child.exitCode !== null) throw new Error(`${podName} exited ${child.exitCode}: ${replica.log}`);
        return replica.log.includes('wharf operator started');
      });
      // Like the endpoints controller: the Service reaches a replica once it is ready.
      await waitFor(`${podName} to be ready`, WAIT_MS, async () => {
        return (await fetch(`http://127.0.0.1:${replica.healthPort}/readyz`)).status === 200;
      });
      endpoints.push(replica.webhookPort);
      return { ...replica, child };
    };
    // The first one takes the Lease (and makes the certificate); the second stands by.
    leader = await start('wharf-operator-7d9c-x1');
    standby = await start('wharf-operator-7d9c-x2');
  }, K8S_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await proxy?.close();
  });

  /** The certificate Secret's PEM texts (undefined: none yet). */
  async function secretPems(): Promise<Record<string, string> | undefined> {
    const response = await cp.request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets/${secretName}`);
    if (response.status === 404) return undefined;
    const data = (response.json as { data?: Record<string, string> }).data ?? {};
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  async function caBundle(): Promise<string> {
    const response = await cp.request(
      'GET',
      `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${configurationName}`,
    );
    const [webhook] = (response.json as { webhooks: { clientConfig: { caBundle?: string } }[] }).webhooks;
    return Buffer.from(webhook?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  }

  const certsOf = (pem: string | undefined) =>
    (pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (block) => new X509Certificate(block),
    );

  /**
   * Creates a labelled pod as the admin; resolves with whether the webhook added the sidecar. The
   * proxy's tunnels are closed first, so the API server calls the webhook on a new connection (the
   * next replica, a new TLS handshake against the current certificate and caBundle).
   */
  let podSeq = 0;
  async function admitted(): Promise<{ status: number; injected: boolean; body: string }> {
    proxy.closeTunnels();
    await new Promise((resolve) => setTimeout(resolve, 50)); // lets the API server see the close
    const response = await cp.request('POST', `/api/v1/namespaces/${APPS}/pods`, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `app-${podSeq++}`, namespace: APPS, labels: { 'wharf.dev/inject': 'true' } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      },
    });
    const spec = (response.json as { spec?: { initContainers?: { name: string }[] } }).spec;
    return {
      status: response.status,
      injected: spec?.initContainers?.some((c) => c.name === 'wharf-sidecar') === true,
      body: response.body.slice(0, 500),
    };
  }

  /** The certificate the webhook serves to a client that checks it against `ca` for `servername`. */
  function served(ca: string, servername: string, port = leader.webhookPort): Promise<X509Certificate> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername }, () => {
        const cert = socket.getPeerX509Certificate();
        socket.destroy();
        if (cert === undefined) reject(new Error('no peer certificate'));
        else resolve(cert);
      });
      socket.on('error', reject);
    });
  }

  it('takes the chart’s Lease in the release namespace and reports itself leader', async () => {
    await waitFor('the operator to lead', WAIT_MS, async () => {
      const response = await fetch(`http://127.0.0.1:${leader.healthPort}/readyz`);
      const body = (await response.json()) as { role?: string };
      return response.status === 200 && body.role === 'leader';
    });
    const lease = await cp.request(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${env.WHARF_LEASE_NAME}`,
    );
    expect(lease.status).toBe(200);
    expect((lease.json as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe('wharf-operator-7d9c-x1');
  });

  it('makes the certificate Secret (owned by the webhook configuration) and puts its CA in the caBundle', async () => {
    await waitFor('the Secret and the caBundle', WAIT_MS, async () => {
      const pems = await secretPems();
      return pems !== undefined && pems['ca.crt'] === (await caBundle());
    });
    const secret = (await cp.request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets/${secretName}`)).json as {
      type: string;
      data: Record<string, string>;
      metadata: { ownerReferences?: { kind: string; name: string }[] };
    };
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'MutatingWebhookConfiguration', name: configurationName }),
    ]);
    const pems = (await secretPems()) ?? {};
    const [ca] = certsOf(pems['ca.crt']);
    const cert = new X509Certificate(pems['tls.crt'] ?? '');
    expect(ca?.ca).toBe(true);
    expect(ca?.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkHost(serviceDns)).toBe(serviceDns);
    expect(cert.checkHost(`${serviceDns}.cluster.local`)).toBe(`${serviceDns}.cluster.local`);
    const events = (await cp.request('GET', `/apis/events.k8s.io/v1/namespaces/${NAMESPACE}/events`)).json as {
      items: { reason: string; regarding: { kind: string; name: string } }[];
    };
    const reasons = events.items.filter((e) => e.regarding.kind === 'Secret' && e.regarding.name === secretName);
    expect(reasons.map((e) => e.reason)).toEqual(expect.arrayContaining(['CACreated', 'CertificateIssued']));
    expect(operatorLog).not.toMatch(/forbidden/i);
  });

  it('the standby replica serves the same certificate, read through its watch of the Secret', async () => {
    const response = await fetch(`http://127.0.0.1:${standby.healthPort}/readyz`);
    expect(await response.json()).toEqual({ ready: true, role: 'standby' });
    await waitFor('both replicas to serve the Secret’s certificate', WAIT_MS, async () => {
      const pems = (await secretPems()) ?? {};
      const current = new X509Certificate(pems['tls.crt'] ?? '').fingerprint256;
      const bundle = await caBundle();
      const [a, b] = await Promise.all([
        served(bundle, serviceDns, leader.webhookPort),
        served(bundle, serviceDns, standby.webhookPort),
      ]);
      return a.fingerprint256 === current && b.fingerprint256 === current;
    });
  });

  it('the API server calls the webhook through its Service and the caBundle: labelled pods get the sidecar', async () => {
    for (let i = 0; i < 4; i++) expect(await admitted()).toMatchObject({ status: 201, injected: true });
    // Both replicas answered (the stand-in for kube-proxy takes them in turn).
    expect(proxy.upstreams.get(leader.webhookPort)).toBeGreaterThan(0);
    expect(proxy.upstreams.get(standby.webhookPort)).toBeGreaterThan(0);
    // What the webhook serves is valid for the Service's name under the caBundle, and no other.
    const bundle = await caBundle();
    expect((await served(bundle, serviceDns)).checkHost(serviceDns)).toBe(serviceDns);
    await expect(served(bundle, 'other.example')).rejects.toThrow(/altnames|Hostname/);
  });

  it('rotates the CA with an overlap and renews the serving certificate, while the API server keeps admitting pods', async () => {
    const before = (await secretPems()) ?? {};
    const firstCa = certsOf(before['ca.crt'])[0]?.fingerprint256;
    const seen = { twoCas: false, switched: false, retired: false };
    const failures: string[] = [];
    let attempts = 0;
    // A rotation starts every 20 s and takes 4 s: at most one and a half cycles to see one whole.
    const deadline = Date.now() + 1.5 * CA_VALIDITY_S * 1000;
    const handshakes = (port: number) => proxy.upstreams.get(port) ?? 0;
    const [leaderBefore, standbyBefore] = [handshakes(leader.webhookPort), handshakes(standby.webhookPort)];
    // Pods keep coming while the operator rotates; every one must get its sidecar.
    while (!(seen.twoCas && seen.switched && seen.retired) && Date.now() < deadline) {
      const answer = await admitted();
      attempts++;
      if (answer.status !== 201 || !answer.injected) failures.push(`${answer.status}: ${answer.body}`);
      const pems = (await secretPems()) ?? {};
      const cas = certsOf(pems['ca.crt']);
      const signer = cas[0];
      const cert = new X509Certificate(pems['tls.crt'] ?? '');
      if (cas.length === 2 && signer?.fingerprint256 !== firstCa) seen.twoCas = true;
      if (seen.twoCas && signer !== undefined && cert.verify(signer.publicKey)) seen.switched = true;
      if (seen.switched && cas.length === 1 && signer?.fingerprint256 !== firstCa) seen.retired = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(failures).toEqual([]);
    expect(seen).toEqual({ twoCas: true, switched: true, retired: true });
    expect(attempts).toBeGreaterThan(20);
    // Each on a new connection, to either replica.
    expect(handshakes(leader.webhookPort) - leaderBefore).toBeGreaterThan(attempts / 4);
    expect(handshakes(standby.webhookPort) - standbyBefore).toBeGreaterThan(attempts / 4);
    // The webhook now serves a certificate of the new CA, which the caBundle holds.
    const after = (await secretPems()) ?? {};
    expect(after['tls.crt']).not.toBe(before['tls.crt']);
    await waitFor(
      'the caBundle to follow the Secret',
      WAIT_MS,
      async () => (await caBundle()) === (await secretPems())?.['ca.crt'],
    );
    const bundle = await caBundle();
    expect(certsOf(bundle).map((c) => c.fingerprint256)).not.toContain(firstCa);
    // Both replicas serve the new certificate (the standby through its watch).
    await waitFor('both replicas to serve the rotated certificate', WAIT_MS, async () => {
      const current = new X509Certificate((await secretPems())?.['tls.crt'] ?? '').fingerprint256;
      const [a, b] = await Promise.all([
        served(bundle, serviceDns, leader.webhookPort),
        served(bundle, serviceDns, standby.webhookPort),
      ]);
      return a.fingerprint256 === current && b.fingerprint256 === current;
    });
    expect(await admitted()).toMatchObject({ status: 201, injected: true });
    const events = (await cp.request('GET', `/apis/events.k8s.io/v1/namespaces/${NAMESPACE}/events`)).json as {
      items: { reason: string; regarding: { name: string } }[];
    };
    const reasons = events.items.filter((e) => e.regarding.name === secretName).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['CARotationStarted', 'CARotated', 'CARetired']));
  });

  it('helm upgrade (three-way merge, then server-side apply) changes the webhook configuration but keeps the operator’s caBundle', async () => {
    for (const [serverSide, timeoutSeconds] of [
      ['false', 7],
      ['true', 8],
    ] as const) {
      // Paused, the operator cannot put a wiped caBundle back: what the upgrade leaves is Helm's doing.
      leader.child.kill('SIGSTOP');
      try {
        const bundle = await caBundle();
        expect(bundle).toContain('BEGIN CERTIFICATE');
        const upgraded = await helm([
          'upgrade',
          RELEASE,
          CHART_DIR,
          ...helmKube(),
          '--skip-crds',
          '--no-hooks',
          `--server-side=${serverSide}`,
          '--set',
          `webhook.timeoutSeconds=${timeoutSeconds}`,
        ]);
        expect(upgraded.code, upgraded.stderr).toBe(0);
        const response = await cp.request(
          'GET',
          `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${configurationName}`,
        );
        const [webhook] = (
          response.json as { webhooks: { timeoutSeconds: number; clientConfig: { caBundle?: string } }[] }
        ).webhooks;
        expect(webhook?.timeoutSeconds).toBe(timeoutSeconds);
        expect(Buffer.from(webhook?.clientConfig.caBundle ?? '', 'base64').toString('utf8')).toBe(bundle);
      } finally {
        leader.child.kill('SIGCONT');
      }
    }
    expect(await admitted()).toMatchObject({ status: 201, injected: true });
  });

  it('builds the default WharfCluster’s children with the chart’s image', async () => {
    const cluster = only(objects, 'WharfCluster');
    const name = cluster.metadata.name;
    await waitFor('the StatefulSet of the default cluster', WAIT_MS, async () => {
      return (await cp.request('GET', `/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets/${name}`)).status === 200;
    });
    const sts = await cp.request('GET', `/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets/${name}`);
    const spec = (sts.json as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } })
      .spec;
    expect(spec.template.spec.containers[0]?.image).toBe(env.WHARF_BROKER_IMAGE);
    expect(spec.template.spec.containers[0]?.image).toBe('wharf:0.1.0');
    for (const path of [
      `/api/v1/namespaces/${NAMESPACE}/services/${name}`,
      `/api/v1/namespaces/${NAMESPACE}/services/${name}-headless`,
      `/api/v1/namespaces/${NAMESPACE}/configmaps/${name}-config`,
      `/apis/policy/v1/namespaces/${NAMESPACE}/poddisruptionbudgets/${name}`,
    ]) {
      await waitFor(path, WAIT_MS, async () => (await cp.request('GET', path)).status === 200);
    }
    expect(operatorLog).not.toMatch(/forbidden/i);
  });
});

describe('a chart upgrade that changes a CRD', () => {
  it('the pre-upgrade hook (`wharf crds-apply` under its own ServiceAccount) applies the new CRD, and may touch no other', async () => {
    const hooks = (await renderChart({})).filter((o) => o.metadata.annotations?.['helm.sh/hook'] === 'pre-upgrade');
    const job = only(hooks, 'Job');
    await kubectlOk(['apply', '--server-side', '-f', '-'], jsonList(hooks.filter((o) => o.kind !== 'Job')));
    const account = (job.spec as { template: { spec: { serviceAccountName: string } } }).template.spec
      .serviceAccountName;
    const kubeconfig = await serviceAccountKubeconfig(account);
    // The next chart version: its Queue CRD has one more printer column.
    const next = join(dir, 'next-crds');
    mkdirSync(next);
    for (const file of readdirSync(join(CHART_DIR, 'crds'))) {
      const crd = parse(readFileSync(join(CHART_DIR, 'crds', file), 'utf8')) as {
        metadata: { name: string };
        spec: { versions: { additionalPrinterColumns?: unknown[] }[] };
      };
      if (crd.metadata.name === 'queues.wharf.dev') {
        crd.spec.versions[0]?.additionalPrinterColumns?.push({
          name: 'Upgraded',
          type: 'string',
          jsonPath: '.spec.ordering',
        });
      }
      writeFileSync(join(next, file), stringify(crd));
    }
    const before = await cp.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/queues.wharf.dev');
    expect(before.body).not.toContain('"Upgraded"');
    const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      // The Job's container runs exactly this (args ["crds-apply"] → scripts/image-crds.ts).
      const child = spawn(process.execPath, ['scripts/image-crds.ts', '--dir', next, '--kubeconfig', kubeconfig], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        output += d;
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        output += d;
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, output }));
    });
    expect(result.output).toContain('applied queues.wharf.dev');
    expect(result.code).toBe(0);
    const after = await cp.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/queues.wharf.dev');
    expect(after.body).toContain('"Upgraded"');
    expect(after.body).toContain(CRDS_FIELD_MANAGER);
    // Least privilege: the same token may not patch a CRD that is not Wharf's.
    const token = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1];
    const denied = await cp.request(
      'PATCH',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicemonitors.monitoring.coreos.com?fieldManager=${CRDS_FIELD_MANAGER}`,
      {
        body: { metadata: { labels: { touched: 'yes' } } },
        contentType: 'application/merge-patch+json',
        ...(token === undefined ? {} : { token }),
      },
    );
    expect(token).toBeDefined();
    expect(denied.status).toBe(403);
  });
});
