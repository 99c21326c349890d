// The Helm chart without an API server: generated files are current, `helm lint` and `helm template`
// pass for several value sets, the rendered objects agree with the code they configure (operator
// RBAC rules, operator flags, webhook path and TLS, labels the operator puts on broker Services),
// pods are hardened, and values.schema.json refuses bad values with a message naming the key.
// The k8s suite (test/k8s/chart.k8s.test.ts) then has a real kube-apiserver accept every object.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { operatorConfig } from '../operator/config.ts';
import { clusterLabels } from '../operator/model/names.ts';
import { brokerTlsSecretRules, OPERATOR_RULES, type PolicyRule, webhookCertRules } from '../operator/rbac.ts';
import { INJECT_LABEL } from '../operator/webhook/annotations.ts';
import { MUTATE_PATH } from '../operator/webhook/server.ts';
import { generatedFiles } from './generate.ts';
import {
  CHART_DIR,
  HELM_TIMEOUT_MS,
  helm,
  helmWithValues,
  type K8sObject,
  NAMESPACE,
  only,
  ROOT,
  renderChart,
  VALUE_SETS,
  type Values,
} from './testing.ts';

type Json = Record<string, unknown>;
const isHook = (o: K8sObject): boolean => o.metadata.annotations?.['helm.sh/hook'] !== undefined;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v === null || typeof v !== 'object' ? undefined : (v as Json)[k]), value);

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  resources?: Json;
  securityContext?: Json;
  volumeMounts?: { name: string; mountPath: string }[];
}

function podSpecs(objects: readonly K8sObject[]): { owner: string; spec: Json }[] {
  const specs: { owner: string; spec: Json }[] = [];
  for (const o of objects) {
    if (o.kind === 'Pod') specs.push({ owner: `Pod ${o.metadata.name}`, spec: o.spec as Json });
    const template = at(o, 'spec', 'template', 'spec');
    if (template !== undefined) specs.push({ owner: `${o.kind} ${o.metadata.name}`, spec: template as Json });
  }
  return specs;
}

const rendered = new Map<string, K8sObject[]>();
const objectsOf = (set: string): K8sObject[] => {
  const objects = rendered.get(set);
  if (objects === undefined) throw new Error(`value set ${set} was not rendered`);
  return objects;
};

beforeAll(async () => {
  for (const [name, values] of Object.entries(VALUE_SETS)) rendered.set(name, await renderChart(values));
}, HELM_TIMEOUT_MS);

describe('generated files', () => {
  it('charts/wharf/crds and files/rbac.yaml are what charts/generate.ts writes', () => {
    for (const [path, text] of generatedFiles()) {
      expect(readFileSync(join(CHART_DIR, path), 'utf8'), `${path}: run node charts/generate.ts`).toBe(text);
    }
  });

  it('the chart holds exactly the CRDs of crds/, byte for byte', () => {
    const source = readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml'));
    expect(readdirSync(join(CHART_DIR, 'crds')).sort()).toEqual(source.sort());
    for (const file of source) {
      expect(readFileSync(join(CHART_DIR, 'crds', file), 'utf8')).toBe(readFileSync(join(ROOT, 'crds', file), 'utf8'));
    }
  });
});

describe('helm lint', () => {
  it.each(Object.keys(VALUE_SETS))('passes with --strict for the %s values', async (set) => {
    const result = await helmWithValues(['lint', '--strict', CHART_DIR], VALUE_SETS[set] as Values);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });
});

describe('rendered objects', () => {
  it.each(Object.keys(VALUE_SETS))('%s: every object carries the app.kubernetes.io labels', (set) => {
    const objects = objectsOf(set);
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      const labels = o.metadata.labels ?? {};
      for (const key of ['name', 'instance', 'version', 'managed-by', 'part-of']) {
        expect(labels[`app.kubernetes.io/${key}`], `${o.kind} ${o.metadata.name} label ${key}`).toBeTruthy();
      }
    }
  });

  it.each(Object.keys(VALUE_SETS))('%s: every pod meets the restricted Pod Security Standard', (set) => {
    const specs = podSpecs(objectsOf(set));
    expect(specs.length).toBeGreaterThan(0);
    for (const { owner, spec } of specs) {
      expect(at(spec, 'securityContext', 'runAsNonRoot'), owner).toBe(true);
      expect(at(spec, 'securityContext', 'seccompProfile', 'type'), owner).toBe('RuntimeDefault');
      expect(spec.hostNetwork ?? false, owner).toBe(false);
      for (const c of spec.containers as Container[]) {
        const where = `${owner} container ${c.name}`;
        expect(at(c.securityContext, 'allowPrivilegeEscalation'), where).toBe(false);
        expect(at(c.securityContext, 'readOnlyRootFilesystem'), where).toBe(true);
        expect(at(c.securityContext, 'runAsNonRoot'), where).toBe(true);
        expect(at(c.securityContext, 'capabilities', 'drop'), where).toEqual(['ALL']);
        expect(at(c.securityContext, 'capabilities', 'add'), where).toBeUndefined();
        expect(at(c.resources, 'requests', 'memory'), where).toBeTruthy();
        expect(at(c.resources, 'limits', 'memory'), where).toBeTruthy();
        // A read-only root needs a writable /tmp for mktemp and Node's own temporary files.
        expect(
          c.volumeMounts?.some((m) => m.mountPath === '/tmp'),
          where,
        ).toBe(true);
      }
    }
  });

  it.each(Object.keys(VALUE_SETS))(
    '%s: the ClusterRole and the Role grant exactly operator/rbac.ts, the Lease and the certificate Secret only in the release namespace',
    (set) => {
      const objects = objectsOf(set).filter((o) => !isHook(o));
      const values = VALUE_SETS[set] as Json;
      const clusterRole = only(objects, 'ClusterRole');
      const role = only(objects, 'Role');
      // Key order aside (helm's toYaml sorts keys).
      const canonical = (rules: readonly unknown[]) =>
        rules.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r as Json).sort()))).sort();
      // The operator manages the webhook certificate unless the webhook is off or cert-manager issues it.
      const managed =
        at(values, 'webhook', 'enabled') !== false && at(values, 'webhook', 'certManager', 'enabled') !== true;
      const hook = objects.find((o) => o.kind === 'MutatingWebhookConfiguration');
      const certRules = managed
        ? webhookCertRules({
            configuration: hook?.metadata.name ?? '?',
            secret: `${hook?.metadata.name ?? '?'}-tls`,
          })
        : { cluster: [], namespace: [] };
      const isLease = (r: PolicyRule) => r.apiGroups?.[0] === 'coordination.k8s.io';
      // The default cluster (in the release namespace) with TLS on: its TLS Secret, by name.
      const cluster = objects.find((o) => o.kind === 'WharfCluster');
      const tlsSecret =
        at(cluster, 'spec', 'tls', 'enabled') === true ? at(cluster, 'spec', 'tls', 'secretName') : undefined;
      const brokerTlsRules =
        at(cluster, 'spec', 'tls', 'enabled') === true
          ? brokerTlsSecretRules(typeof tlsSecret === 'string' ? tlsSecret : `${cluster?.metadata.name}-tls`)
          : [];
      expect(canonical(clusterRole.rules as unknown[])).toEqual(
        canonical([...OPERATOR_RULES.filter((r) => !isLease(r)), ...certRules.cluster]),
      );
      expect(canonical(role.rules as unknown[])).toEqual(
        canonical([...OPERATOR_RULES.filter(isLease), ...certRules.namespace, ...brokerTlsRules]),
      );
      expect(JSON.stringify(clusterRole.rules)).not.toContain('leases');
      expect(JSON.stringify(clusterRole.rules)).not.toContain('secrets');
      if (managed) {
        // Named: the chart's own webhook configuration and certificate Secret, nothing else.
        expect(JSON.stringify(clusterRole.rules)).toContain(`"resourceNames":["${hook?.metadata.name}"]`);
        expect(JSON.stringify(role.rules)).toContain(`"resourceNames":["${hook?.metadata.name}-tls"]`);
      }
      // Bound to the ServiceAccount the Deployment runs as.
      const deployment = only(objects, 'Deployment');
      const account = at(deployment, 'spec', 'template', 'spec', 'serviceAccountName');
      only(objects, 'ServiceAccount', account as string);
      for (const binding of [only(objects, 'ClusterRoleBinding'), only(objects, 'RoleBinding')]) {
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: NAMESPACE }]);
      }
      expect(at(only(objects, 'ClusterRoleBinding'), 'roleRef', 'name')).toBe(clusterRole.metadata.name);
      expect(at(only(objects, 'RoleBinding'), 'roleRef', 'name')).toBe(role.metadata.name);
      expect(role.metadata.namespace).toBe(NAMESPACE);
    },
  );

  it.each(Object.keys(VALUE_SETS))(
    '%s: the operator parses the Deployment’s environment into a valid configuration',
    (set) => {
      const objects = objectsOf(set);
      const values = VALUE_SETS[set] as Json;
      const deployment = only(objects, 'Deployment');
      const pod = at(deployment, 'spec', 'template', 'spec') as Json;
      const [container] = pod.containers as Container[];
      if (container === undefined) throw new Error('no operator container');
      expect(container.args).toEqual(['operator']);
      const fieldValues: Record<string, string> = {
        'metadata.name': 'wharf-operator-abc',
        'metadata.namespace': NAMESPACE,
      };
      const env: Record<string, string> = {};
      for (const e of container.env ?? []) {
        env[e.name] = e.value ?? (fieldValues[at(e.valueFrom, 'fieldRef', 'fieldPath') as string] as string);
      }
      const config = operatorConfig({}, env);
      const replicas = (at(values, 'operator', 'replicas') as number | undefined) ?? 2;
      expect(at(deployment, 'spec', 'replicas')).toBe(replicas);
      if (replicas > 1) {
        expect(config.lease).toEqual({
          name: env.WHARF_LEASE_NAME,
          namespace: NAMESPACE,
          identity: 'wharf-operator-abc',
        });
        const pdb = only(objects, 'PodDisruptionBudget');
        expect(at(pdb, 'spec', 'selector', 'matchLabels')).toEqual(at(deployment, 'spec', 'selector', 'matchLabels'));
      }
      expect(config.sidecarImage).toBe(container.image);
      expect(config.settings.defaultImage).toBe(container.image);
      expect(config.namespaces).toEqual(at(values, 'operator', 'watchNamespaces') ?? []);
      // Deployment selector matches its pods.
      const podLabels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
      for (const [k, v] of Object.entries(at(deployment, 'spec', 'selector', 'matchLabels') as Json)) {
        expect(podLabels[k]).toBe(v);
      }
      const ports = (container.ports ?? []).map((p) => [p.name, p.containerPort]);
      expect(ports).toContainEqual(['health', config.healthPort]);
      expect(at(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'health' });
      expect(at(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'health' });
      if (at(values, 'webhook', 'enabled') === false) {
        expect(config.webhook).toBeUndefined();
        expect(ports).toHaveLength(1);
        expect(objects.some((o) => o.kind === 'MutatingWebhookConfiguration')).toBe(false);
        return;
      }
      if (config.webhook === undefined) throw new Error('webhook not configured');
      expect(ports).toContainEqual(['webhook', config.webhook.port]);
      // The webhook configuration calls this Service, which reaches this port on these pods.
      const hook = only(objects, 'MutatingWebhookConfiguration');
      const [webhook] = hook.webhooks as Json[];
      const service = only(objects, 'Service');
      expect(at(webhook, 'clientConfig', 'service')).toEqual({
        name: service.metadata.name,
        namespace: NAMESPACE,
        path: MUTATE_PATH,
        port: 443,
      });
      expect(at(service, 'spec', 'ports', 0, 'targetPort')).toBe('webhook');
      expect(at(service, 'spec', 'selector')).toEqual(at(deployment, 'spec', 'selector', 'matchLabels'));
      expect(at(webhook, 'objectSelector')).toEqual({ matchLabels: { [INJECT_LABEL]: 'true' } });
      expect(at(webhook, 'rules')).toEqual([
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' },
      ]);
      expect(at(webhook, 'sideEffects')).toBe('None');
      const dnsName = `${service.metadata.name}.${NAMESPACE}.svc`;
      const tls = config.webhook.tls;
      if (at(values, 'webhook', 'certManager', 'enabled') === true) {
        // The certificate files are in the mounted webhook Secret cert-manager fills.
        if (tls.kind !== 'files') throw new Error(`expected certificate files, got ${tls.kind}`);
        const mount = container.volumeMounts?.find((m) => tls.certFile.startsWith(`${m.mountPath}/`));
        const volume = (pod.volumes as Json[]).find((v) => v.name === mount?.name);
        const secretName = at(volume, 'secret', 'secretName');
        expect(tls.certFile).toBe(`${mount?.mountPath}/tls.crt`);
        expect(tls.keyFile).toBe(`${mount?.mountPath}/tls.key`);
        const certificate = objects.find((o) => o.kind === 'Certificate' && o.metadata.name === service.metadata.name);
        expect(at(certificate, 'spec', 'secretName')).toBe(secretName);
        expect(at(certificate, 'spec', 'dnsNames')).toContain(dnsName);
        expect(hook.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(
          `${NAMESPACE}/${service.metadata.name}`,
        );
        expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
      } else {
        // The operator makes the certificate in the Secret its Role names, for this Service, and
        // keeps this configuration's caBundle; the chart renders neither, and mounts nothing.
        if (tls.kind !== 'managed') throw new Error(`expected an operator-managed certificate, got ${tls.kind}`);
        expect(tls.serviceName).toBe(service.metadata.name);
        expect(tls.configurationName).toBe(hook.metadata.name);
        expect(tls.namespace).toBe(NAMESPACE);
        expect(at(only(objects, 'Role'), 'rules')).toContainEqual(
          expect.objectContaining({ resources: ['secrets'], resourceNames: [tls.secretName] }),
        );
        const certificate = (values.webhook as Json | undefined)?.certificate as Json | undefined;
        const hours = (text: unknown) => Number(String(text).replace(/h$/, '')) * 3_600_000;
        expect(tls.validityMs).toBe(hours(certificate?.validity ?? '8760h'));
        expect(tls.renewBeforeMs).toBe(hours(certificate?.renewBefore ?? '720h'));
        expect(tls.caValidityMs).toBe(hours(certificate?.caValidity ?? '87600h'));
        expect(at(webhook, 'clientConfig', 'caBundle')).toBeUndefined();
        expect(objects.some((o) => o.kind === 'Secret' || o.kind === 'Certificate')).toBe(false);
        expect(pod.volumes).toEqual([expect.objectContaining({ name: 'tmp' })]);
      }
    },
  );

  it('default values: two operator replicas, a default WharfCluster, a helm test hook that uses the sidecar', () => {
    const objects = objectsOf('default');
    const cluster = only(objects, 'WharfCluster', 'wharf');
    expect(cluster.metadata.namespace).toBe(NAMESPACE);
    expect(at(cluster, 'spec', 'replicas')).toBe(3);
    const image = at(only(objects, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image');
    expect(image).toBe('wharf:0.1.0');
    expect(at(cluster, 'spec', 'image')).toBe(image);
    const test = only(objects, 'Pod');
    expect(test.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expect(test.metadata.labels?.[INJECT_LABEL]).toBe('true');
    expect(test.metadata.annotations?.['wharf.dev/cluster']).toBe(`${NAMESPACE}/wharf`);
    expect(at(test, 'spec', 'containers', 0, 'args', 0)).toBe(
      readFileSync(join(CHART_DIR, 'files/helm-test.sh'), 'utf8'),
    );
    expect(objects.some((o) => o.kind === 'ServiceMonitor' || o.kind === 'ConfigMap')).toBe(false);
  });

  it('minimal values: no webhook, no cluster, no test pod, no PDB for one replica', () => {
    const objects = objectsOf('minimal');
    const kinds = objects
      .filter((o) => !isHook(o))
      .map((o) => o.kind)
      .sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount']);
    expect(only(objects, 'ServiceAccount').metadata.name).toBe('wharf-op');
  });

  it('full values: the ServiceMonitor selects the client Services the operator builds; the dashboard is JSON', () => {
    const objects = objectsOf('full');
    const monitor = only(objects, 'ServiceMonitor');
    const serviceLabels = clusterLabels({ namespace: 'shop', name: 'main' });
    for (const [k, v] of Object.entries(at(monitor, 'spec', 'selector', 'matchLabels') as Json)) {
      expect(serviceLabels[k], k).toBe(v);
    }
    expect(at(monitor, 'spec', 'namespaceSelector')).toEqual({ matchNames: ['shop', 'billing'] });
    expect(at(monitor, 'spec', 'endpoints', 0, 'port')).toBe('metrics');
    expect(monitor.metadata.labels?.release).toBe('prometheus');
    const dashboard = only(objects, 'ConfigMap');
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    const json = JSON.parse((dashboard.data as Record<string, string>)['wharf.json'] ?? '') as { panels: unknown[] };
    expect(json.panels.length).toBeGreaterThan(3);
    const cluster = only(objects, 'WharfCluster', 'main');
    expect(at(cluster, 'spec', 'tracing')).toEqual({
      otlpEndpoint: 'http://jaeger-collector.observability:4317',
      samplingRatio: 0.25,
    });
    expect(at(cluster, 'spec', 'tls')).toEqual({ enabled: true, secretName: 'main-tls' });
    expect(at(cluster, 'spec', 'image')).toBe('registry.example.com/platform/wharf:0.1.0-rc.1');
    const env = at(only(objects, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'env') as Json[];
    expect(env).toContainEqual({ name: 'WHARF_DEFAULT_CLUSTER', value: 'messaging/main' });
    // cert-manager with the chart's own CA: a self-signed Issuer, a CA Certificate, a CA Issuer.
    expect(objects.filter((o) => o.kind === 'Issuer').length).toBe(2);
    expect(objects.filter((o) => o.kind === 'Certificate').length).toBe(2);
  });

  it('an image digest replaces the tag everywhere', () => {
    const objects = objectsOf('certManagerIssuer');
    const digest = `wharf@sha256:${'a'.repeat(64)}`;
    expect(at(only(objects, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe(digest);
    expect(at(only(objects, 'WharfCluster'), 'spec', 'image')).toBe(digest);
    expect(at(only(objects, 'Certificate'), 'spec', 'issuerRef')).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer' });
    expect(objects.some((o) => o.kind === 'Issuer')).toBe(false);
  });
});

describe('the CRD upgrade hook', () => {
  it('runs `crds-apply` before an upgrade with rights to get and patch exactly the chart’s CRDs', () => {
    const objects = objectsOf('default');
    const hooks = objects.filter(isHook);
    expect(hooks.map((o) => `${o.kind}:${o.metadata.annotations?.['helm.sh/hook']}`).sort()).toEqual([
      'ClusterRole:pre-upgrade',
      'ClusterRoleBinding:pre-upgrade',
      'Job:pre-upgrade',
      'Pod:test',
      'ServiceAccount:pre-upgrade',
    ]);
    const job = hooks.find((o) => o.kind === 'Job') as K8sObject;
    const pod = at(job, 'spec', 'template', 'spec') as Json;
    expect(at(pod, 'containers', 0, 'args')).toEqual(['crds-apply']);
    const role = hooks.find((o) => o.kind === 'ClusterRole') as K8sObject;
    const crdNames = readdirSync(join(CHART_DIR, 'crds'))
      .map((f) => (parse(readFileSync(join(CHART_DIR, 'crds', f), 'utf8')) as K8sObject).metadata.name)
      .sort();
    expect(role.rules).toEqual([
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        resourceNames: expect.arrayContaining(crdNames),
        verbs: ['get', 'patch'],
      },
    ]);
    expect((role.rules as { resourceNames: string[] }[])[0]?.resourceNames).toHaveLength(crdNames.length);
    // The RBAC exists before the Job (lower weight).
    for (const o of hooks.filter((h) => h.kind !== 'Job' && h.kind !== 'Pod')) {
      expect(Number(o.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
        Number(job.metadata.annotations?.['helm.sh/hook-weight']),
      );
    }
    expect(at(pod, 'serviceAccountName')).toBe(hooks.find((o) => o.kind === 'ServiceAccount')?.metadata.name);
  });

  it('can be turned off', () => {
    expect(objectsOf('minimal').filter(isHook)).toEqual([]);
  });
});

describe('values.schema.json', () => {
  const bad: [string, Values, readonly string[]][] = [
    ['unknown top-level key', { replica: 3 }, ["additional properties 'replica' not allowed"]],
    ['misspelt nested key', { operator: { replicaCount: 2 } }, ["at '/operator'", "'replicaCount' not allowed"]],
    [
      'pull policy',
      { image: { pullPolicy: 'Sometimes' } },
      ["at '/image/pullPolicy'", "'Always', 'IfNotPresent', 'Never'"],
    ],
    ['operator replicas 0', { operator: { replicas: 0 } }, ["at '/operator/replicas'", 'minimum']],
    ['replicas as a string', { operator: { replicas: 'two' } }, ["at '/operator/replicas'", 'integer']],
    [
      'two replicas without leader election',
      { operator: { replicas: 2, leaderElection: { enabled: false } } },
      ["at '/operator/leaderElection/enabled'", 'must be true'],
    ],
    ['log level', { operator: { logLevel: 'verbose' } }, ["at '/operator/logLevel'", "'trace'"]],
    ['refresh period', { operator: { statusRefresh: '10 seconds' } }, ["at '/operator/statusRefresh'"]],
    ['namespace name', { operator: { watchNamespaces: ['Shop_1'] } }, ["at '/operator/watchNamespaces/0'"]],
    ['failure policy', { webhook: { failurePolicy: 'Retry' } }, ["at '/webhook/failurePolicy'", "'Fail', 'Ignore'"]],
    ['webhook port', { webhook: { port: 80 } }, ["at '/webhook/port'", 'minimum']],
    ['digest', { image: { digest: 'latest' } }, ["at '/image/digest'"]],
    ['issuer kind', { webhook: { certManager: { issuerRef: { name: 'x', kind: 'Vault' } } } }, ['/issuerRef/kind']],
    [
      'certificate validity in years',
      { webhook: { certificate: { validity: '1y' } } },
      ['/webhook/certificate/validity'],
    ],
    [
      'the removed Helm-generated certificate',
      { webhook: { selfSignedValidityDays: 30 } },
      ["'selfSignedValidityDays' not allowed"],
    ],
    ['cluster replicas', { defaultCluster: { replicas: 9 } }, ["at '/defaultCluster/replicas'", 'maximum']],
    ['storage size', { defaultCluster: { storage: { size: 'ten gigs' } } }, ["at '/defaultCluster/storage/size'"]],
    ['sampling ratio', { defaultCluster: { tracing: { samplingRatio: 2 } } }, ['/samplingRatio', 'maximum']],
    ['cpu quantity', { operator: { resources: { requests: { cpu: 'lots' } } } }, ['/operator/resources/requests/cpu']],
    ['OTLP endpoint', { sidecar: { otlpEndpoint: 'jaeger:4317' } }, ["at '/sidecar/otlpEndpoint'"]],
    ['default cluster ref', { sidecar: { defaultCluster: 'main' } }, ["at '/sidecar/defaultCluster'"]],
  ];

  it.each(bad)('refuses %s, naming the key', async (_what, values, messages) => {
    const result = await helmWithValues(['template', 'wharf', CHART_DIR], values);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    for (const message of messages) expect(result.stderr).toContain(message);
  });

  it('refuses a renewBefore not shorter than the validity, naming both', async () => {
    const result = await helmWithValues(['template', 'wharf', CHART_DIR], {
      webhook: { certificate: { validity: '720h', renewBefore: '720h' } },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'webhook.certificate.renewBefore (720h) must be shorter than webhook.certificate.validity (720h)',
    );
  });

  it('accepts every value set above (so the refusals are about the bad value alone)', async () => {
    for (const values of Object.values(VALUE_SETS)) {
      const result = await helmWithValues(['template', 'wharf', CHART_DIR], values);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  it('documents every key of values.yaml', async () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as Json;
    const result = await helm(['show', 'values', CHART_DIR]);
    const missing: string[] = [];
    const walk = (value: unknown, node: unknown, path: string): void => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      for (const [key, child] of Object.entries(value)) {
        const property = at(node, 'properties', key);
        if (property === undefined) {
          missing.push(`${path}${key}`);
          continue;
        }
        if (typeof at(property, 'description') !== 'string') missing.push(`${path}${key} (no description)`);
        if (at(property, 'properties') !== undefined) walk(child, property, `${path}${key}.`);
      }
    };
    walk(parse(result.stdout), schema, '');
    expect(missing).toEqual([]);
  });
});
