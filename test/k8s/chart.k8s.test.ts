// The Helm chart against a real kube-apiserver and etcd (test/k8s/control-plane.ts):
//  - every object `helm template` renders, for each value set of charts/testing.ts, is accepted by a
//    server-side dry-run (schema validation, CRD structural schemas and CEL rules, admission);
//  - the default install applied for real, the operator runs as the chart's ServiceAccount with
//    exactly the chart's RBAC and the Deployment's environment: it takes the chart's Lease in the
//    release namespace, builds the default WharfCluster's StatefulSet, Services, ConfigMap and
//    PodDisruptionBudget, and serves the webhook with the chart's certificate (verified against the
//    caBundle the chart put in the MutatingWebhookConfiguration, for the Service's DNS name).
// No kubelet runs here, so no pod starts: the helm test hook pod is only dry-run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  CHART_DIR,
  type K8sObject,
  NAMESPACE,
  only,
  parseObjects,
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

const WAIT_MS = 60_000;

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

const isHook = (o: K8sObject) => o.metadata.annotations?.['helm.sh/hook'] !== undefined;
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
  cp = await startControlPlane();
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

describe('the default install, with the operator under the chart’s ServiceAccount', () => {
  let objects: K8sObject[];
  let env: Record<string, string>;
  let webhookPort: number;
  let healthPort: number;
  let caBundle: string;
  let serviceDns: string;

  beforeAll(async () => {
    objects = await renderChart({});
    await kubectlOk(
      ['apply', '--server-side', '--field-manager=helm', '-f', '-'],
      jsonList(objects.filter((o) => !isHook(o))),
    );
    const deployment = only(objects, 'Deployment');
    const template = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    const account = template.serviceAccountName as string;
    const kubeconfig = await serviceAccountKubeconfig(account);
    // The chart's webhook certificate, where the Deployment mounts it (here: a temp directory).
    const secret = only(objects, 'Secret');
    const data = secret.data as Record<string, string>;
    const decode = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
    writeFileSync(join(dir, 'tls.crt'), decode(data['tls.crt']));
    writeFileSync(join(dir, 'tls.key'), decode(data['tls.key']));
    const hook = only(objects, 'MutatingWebhookConfiguration');
    const webhook = (hook.webhooks as { clientConfig: { caBundle: string; service: { name: string } } }[])[0];
    caBundle = decode(webhook?.clientConfig.caBundle);
    serviceDns = `${webhook?.clientConfig.service.name}.${NAMESPACE}.svc`;

    const [container] = template.containers as { args: string[]; env: { name: string; value?: string }[] }[];
    if (container === undefined) throw new Error('no operator container');
    env = {};
    for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
    webhookPort = await freePort();
    healthPort = await freePort();
    const child = spawn(process.execPath, ['cli/main.ts', ...container.args, '--kubeconfig', kubeconfig], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...env,
        // What the kubelet would fill in from fieldRefs, and the pod's network on loopback.
        POD_NAME: 'wharf-operator-7d9c-x1',
        POD_NAMESPACE: NAMESPACE,
        WHARF_WEBHOOK_HOST: '127.0.0.1',
        WHARF_WEBHOOK_PORT: String(webhookPort),
        WHARF_OPERATOR_HEALTH_PORT: String(healthPort),
        WHARF_WEBHOOK_CERT: join(dir, 'tls.crt'),
        WHARF_WEBHOOK_KEY: join(dir, 'tls.key'),
      },
    });
    children.push(child);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      operatorLog = (operatorLog + d).slice(-100_000);
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      operatorLog = (operatorLog + d).slice(-100_000);
    });
    await waitFor('the operator to start', WAIT_MS, async () => {
      if (child.exitCode !== null) throw new Error(`operator exited ${child.exitCode}: ${operatorLog}`);
      return operatorLog.includes('wharf operator started');
    });
  }, K8S_SETUP_TIMEOUT_MS);

  it('takes the chart’s Lease in the release namespace and reports itself leader', async () => {
    await waitFor('the operator to lead', WAIT_MS, async () => {
      const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
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

  it('serves the webhook with the chart’s certificate, valid for the Service name under the chart’s caBundle', async () => {
    const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: webhookPort,
          path: '/healthz',
          ca: caBundle,
          servername: serviceDns,
          timeout: 10_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer).toEqual({ status: 200, body: '{"ok":true}' });
    // The same CA does not vouch for another name (the check above is a real verification).
    await expect(
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: webhookPort,
            path: '/healthz',
            ca: caBundle,
            servername: 'other.example',
            timeout: 10_000,
          },
          resolve,
        );
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow(/altnames|Hostname/);
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
