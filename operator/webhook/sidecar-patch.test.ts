import { describe, expect, it } from 'vitest';
import { AnnotationError, readSidecarOptions, SIDECAR_OPTIONS } from './annotations.ts';
import {
  type InjectorConfig,
  type PatchOperation,
  type PodLike,
  SIDECAR_CONTAINER,
  sidecarPatch,
  supportsNativeSidecars,
  targetCluster,
} from './sidecar-patch.ts';

const config: InjectorConfig = {
  sidecarImage: 'wharf/sidecar:0.1.0',
  defaultCluster: 'messaging/wharf',
  clusterDomain: 'cluster.local',
  serverVersion: { major: 1, minor: 31 },
  otlpEndpoint: 'http://jaeger-collector.observability:4317',
  defaultLogLevel: 'info',
};

/** Applies the add operations of a JSON Patch to a copy of `doc` (enough of RFC 6902 for these tests). */
function applyPatch<T>(doc: T, patch: readonly PatchOperation[]): T {
  const copy = structuredClone(doc) as unknown as Record<string, unknown>;
  for (const op of patch) {
    const parts = op.path.split('/').slice(1);
    const last = parts.pop() ?? '';
    let target: Record<string, unknown> | unknown[] = copy;
    for (const part of parts) target = (target as Record<string, unknown>)[part] as Record<string, unknown>;
    if (Array.isArray(target)) {
      if (last === '-') target.push(op.value);
      else target.splice(Number(last), 0, op.value);
    } else {
      target[last] = op.value;
    }
  }
  return copy as unknown as T;
}

type Container = { name: string; env?: { name: string; value?: string; valueFrom?: unknown }[] } & Record<
  string,
  unknown
>;
interface PatchedPod {
  metadata?: unknown;
  spec: { containers: Container[]; initContainers?: Container[] };
}

const appPod = (annotations: Record<string, string> = {}, spec: Partial<PatchedPod['spec']> = {}): PodLike => ({
  metadata: { name: 'app', namespace: 'shop', annotations },
  spec: { containers: [{ name: 'app' }], ...spec },
});

function inject(pod: PodLike, overrides: Partial<InjectorConfig> = {}): { pod: PatchedPod; sidecar: Container } {
  const result = sidecarPatch(pod, 'shop', { ...config, ...overrides });
  if (result.kind !== 'patch') throw new Error(`expected a patch, got: ${result.reason}`);
  const patched = applyPatch(pod as unknown as PatchedPod, result.patch);
  const sidecar = [...(patched.spec.initContainers ?? []), ...patched.spec.containers].find(
    (c) => c.name === SIDECAR_CONTAINER,
  );
  if (sidecar === undefined) throw new Error('no sidecar in the patched pod');
  return { pod: patched, sidecar };
}

const envOf = (container: Container): Record<string, unknown> =>
  Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

describe('sidecarPatch', () => {
  it.each([
    { version: { major: 1, minor: 28 }, native: false },
    { version: { major: 1, minor: 29 }, native: true },
    { version: { major: 1, minor: 33 }, native: true },
    { version: { major: 2, minor: 0 }, native: true },
  ])('Kubernetes $version.major.$version.minor: native sidecar $native', ({ version, native }) => {
    expect(supportsNativeSidecars(version)).toBe(native);
    const { pod, sidecar } = inject(appPod(), { serverVersion: version });
    if (native) {
      expect(pod.spec.initContainers?.[0]?.name).toBe(SIDECAR_CONTAINER);
      expect(sidecar.restartPolicy).toBe('Always');
      expect(pod.spec.containers.map((c) => c.name)).toEqual(['app']);
    } else {
      expect(pod.spec.initContainers).toBeUndefined();
      expect(pod.spec.containers.map((c) => c.name)).toEqual(['app', SIDECAR_CONTAINER]);
      expect(sidecar.restartPolicy).toBeUndefined();
    }
  });

  it('injects a sidecar that meets the restricted Pod Security Standard', () => {
    const { sidecar } = inject(appPod());
    expect(sidecar.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('puts the native sidecar before existing init containers', () => {
    const { pod } = inject(appPod({}, { initContainers: [{ name: 'migrate' }] }));
    expect(pod.spec.initContainers?.map((c) => c.name)).toEqual([SIDECAR_CONTAINER, 'migrate']);
  });

  it('gives the sidecar the namespace (downward API), the cluster address and the OTLP endpoint', () => {
    const { sidecar } = inject(appPod());
    expect(envOf(sidecar)).toEqual({
      WHARF_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      WHARF_SIDECAR_PORT: '7070',
      WHARF_BROKERS: 'wharf.messaging.svc.cluster.local:7400',
      WHARF_LOG_LEVEL: 'info',
      OTEL_SERVICE_NAME: SIDECAR_CONTAINER,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger-collector.observability:4317',
    });
    expect(sidecar.image).toBe('wharf/sidecar:0.1.0');
  });

  it('leaves OTEL_EXPORTER_OTLP_ENDPOINT out when no endpoint is configured', () => {
    const { sidecar } = inject(appPod(), { otlpEndpoint: '' });
    expect(envOf(sidecar)).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it.each([
    {
      annotations: { 'wharf.dev/port': '7171' },
      env: { WHARF_SIDECAR_PORT: '7171' },
      appAddr: '127.0.0.1:7171',
    },
    {
      annotations: { 'wharf.dev/cluster': 'other' },
      env: { WHARF_BROKERS: 'other.shop.svc.cluster.local:7400' },
      appAddr: '127.0.0.1:7070',
    },
    {
      annotations: { 'wharf.dev/cluster': 'infra/wharf-b' },
      env: { WHARF_BROKERS: 'wharf-b.infra.svc.cluster.local:7400' },
      appAddr: '127.0.0.1:7070',
    },
    { annotations: { 'wharf.dev/log-level': 'debug' }, env: { WHARF_LOG_LEVEL: 'debug' }, appAddr: '127.0.0.1:7070' },
  ])('reads $annotations', ({ annotations, env, appAddr }) => {
    const { pod, sidecar } = inject(appPod(annotations));
    expect(envOf(sidecar)).toMatchObject(env);
    expect(envOf(pod.spec.containers[0] as Container)).toEqual({ WHARF_ADDR: appAddr });
  });

  it('sets resources from the annotations, and none without them', () => {
    expect(inject(appPod()).sidecar.resources).toEqual({});
    const { sidecar } = inject(
      appPod({
        'wharf.dev/cpu-request': '50m',
        'wharf.dev/memory-request': '64Mi',
        'wharf.dev/cpu-limit': '1',
        'wharf.dev/memory-limit': '256Mi',
      }),
    );
    expect(sidecar.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
  });

  it('keeps an app container WHARF_ADDR and appends to an existing env', () => {
    const pod = appPod(
      {},
      {
        containers: [
          { name: 'a', env: [{ name: 'WHARF_ADDR', value: 'elsewhere:1' }] },
          { name: 'b', env: [{ name: 'X', value: '1' }] },
        ],
      },
    );
    const { pod: patched } = inject(pod);
    expect(patched.spec.containers.map(envOf)).toEqual([
      { WHARF_ADDR: 'elsewhere:1' },
      { X: '1', WHARF_ADDR: '127.0.0.1:7070' },
    ]);
  });

  it('skips a pod that already has the sidecar', () => {
    const pod = appPod({}, { initContainers: [{ name: SIDECAR_CONTAINER }] });
    expect(sidecarPatch(pod, 'shop', config)).toEqual({
      kind: 'skip',
      reason: `the pod already has a ${SIDECAR_CONTAINER} container`,
    });
  });

  it.each([
    ['wharf.dev/port', '0'],
    ['wharf.dev/port', 'http'],
    ['wharf.dev/cluster', 'Not_A_Name'],
    ['wharf.dev/memory-limit', 'lots'],
    ['wharf.dev/log-level', 'verbose'],
  ])('refuses %s: %s naming the annotation', (annotation, value) => {
    expect(() => sidecarPatch(appPod({ [annotation]: value }), 'shop', config)).toThrow(
      new RegExp(`^annotation ${annotation}: "${value}"`),
    );
    expect(() => readSidecarOptions({ [annotation]: value })).toThrow(AnnotationError);
  });

  it('declares every option under the wharf.dev/ prefix, once', () => {
    const names = Object.values(SIDECAR_OPTIONS).map((o) => o.annotation);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.startsWith('wharf.dev/'))).toBe(true);
  });

  it('gives the sidecar the CA of brokers that serve TLS, inline, and nothing without', () => {
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const result = sidecarPatch(appPod(), 'shop', config, { caPem });
    if (result.kind !== 'patch') throw new Error(result.reason);
    const sidecar = (applyPatch(appPod() as unknown as PatchedPod, result.patch).spec.initContainers ?? [])[0];
    expect(sidecar?.env?.find((e) => e.name === 'WHARF_TLS_CA_PEM')).toEqual({
      name: 'WHARF_TLS_CA_PEM',
      value: caPem,
    });
    expect(inject(appPod()).sidecar.env?.map((e) => e.name)).not.toContain('WHARF_TLS_CA_PEM');
  });

  it('names the cluster a pod would get a sidecar for, whose CA to look up', () => {
    expect(targetCluster(appPod(), 'shop', config)).toEqual({ namespace: 'messaging', name: 'wharf' });
    expect(targetCluster(appPod({ 'wharf.dev/cluster': 'local' }), 'shop', config)).toEqual({
      namespace: 'shop',
      name: 'local',
    });
    expect(targetCluster(appPod({ 'wharf.dev/cluster': 'ops/main' }), 'shop', config)).toEqual({
      namespace: 'ops',
      name: 'main',
    });
    expect(targetCluster(appPod({}, { containers: [{ name: SIDECAR_CONTAINER }] }), 'shop', config)).toBeUndefined();
  });
});
