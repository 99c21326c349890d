import { describe, expect, it } from 'vitest';
import { buildInput } from './build-input.ts';
import { buildChildren } from './builders.ts';
import { DEFAULT_SETTINGS } from './cluster-spec.ts';
import { buildConfigMap } from './config-map.ts';
import { maxUnavailable } from './pod-disruption-budget.ts';
import { buildStatefulSet } from './statefulset.ts';
import { sampleCluster } from './testing.ts';

// Reads a path such as "spec.template.spec.containers.0.args" from a built object.
function at(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const owner = {
  apiVersion: 'wharf.dev/v1alpha1',
  kind: 'WharfCluster',
  name: 'wharf',
  uid: 'uid-1',
  controller: true,
  blockOwnerDeletion: true,
};

describe('buildChildren', () => {
  it('makes a ConfigMap, two Services, a PodDisruptionBudget and a StatefulSet, each owned and labelled', () => {
    const children = buildChildren(buildInput(sampleCluster(), DEFAULT_SETTINGS));
    expect(children.map((c) => `${c.kind}/${at(c, 'metadata.name')}`)).toEqual([
      'ConfigMap/wharf-config',
      'Service/wharf-headless',
      'Service/wharf',
      'PodDisruptionBudget/wharf',
      'StatefulSet/wharf',
    ]);
    for (const child of children) {
      expect(at(child, 'metadata.namespace')).toBe('messaging');
      expect(at(child, 'metadata.ownerReferences')).toEqual([owner]);
      expect(at(child, 'metadata.labels')).toEqual({
        'app.kubernetes.io/name': 'wharf',
        'app.kubernetes.io/instance': 'wharf',
        'app.kubernetes.io/component': 'broker',
        'app.kubernetes.io/part-of': 'wharf',
        'app.kubernetes.io/managed-by': 'wharf-operator',
      });
    }
  });

  it('publishes not-ready addresses on the headless Service only', () => {
    const [, headless, client] = buildChildren(buildInput(sampleCluster(), DEFAULT_SETTINGS));
    expect(at(headless, 'spec.clusterIP')).toBe('None');
    expect(at(headless, 'spec.publishNotReadyAddresses')).toBe(true);
    expect(at(client, 'spec.publishNotReadyAddresses')).toBeUndefined();
    expect(at(client, 'spec.ports.0')).toMatchObject({ name: 'grpc', port: 7400 });
    expect(at(headless, 'spec.ports')).toEqual([
      { name: 'grpc', port: 7400, targetPort: 7400, protocol: 'TCP' },
      { name: 'raft', port: 7401, targetPort: 7401, protocol: 'TCP' },
    ]);
  });
});

describe('buildStatefulSet', () => {
  const container = 'spec.template.spec.containers.0';
  it.each([
    { name: 'replicas default to 3', spec: {}, path: 'spec.replicas', want: 3 },
    { name: 'replicas from the spec', spec: { replicas: 5 }, path: 'spec.replicas', want: 5 },
    { name: 'pods start in parallel', spec: {}, path: 'spec.podManagementPolicy', want: 'Parallel' },
    {
      name: 'the broker runs under the restricted Pod Security Standard',
      spec: {},
      path: `${container}.securityContext`,
      want: {
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    },
    {
      name: 'volumes are kept on scale-down and delete',
      spec: {},
      path: 'spec.persistentVolumeClaimRetentionPolicy',
      want: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    },
    { name: 'the headless Service names the pods', spec: {}, path: 'spec.serviceName', want: 'wharf-headless' },
    { name: 'image default', spec: {}, path: `${container}.image`, want: 'wharf/broker:0.1.0' },
    { name: 'image from the spec', spec: { image: 'reg/wharf:2' }, path: `${container}.image`, want: 'reg/wharf:2' },
    {
      name: 'storage default',
      spec: {},
      path: 'spec.volumeClaimTemplates.0.spec',
      want: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    },
    {
      name: 'storage from the spec',
      spec: { storage: { size: '1Gi', storageClassName: 'fast' } },
      path: 'spec.volumeClaimTemplates.0.spec',
      want: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } },
    },
    {
      name: 'resources from the spec',
      spec: { resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: 1024 } } },
      path: `${container}.resources`,
      want: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1024' } },
    },
    { name: 'readiness by gRPC health', spec: {}, path: `${container}.readinessProbe.grpc`, want: { port: 7400 } },
    { name: 'liveness by gRPC health', spec: {}, path: `${container}.livenessProbe.grpc`, want: { port: 7400 } },
    {
      name: 'preStop hands leadership away',
      spec: {},
      path: `${container}.lifecycle.preStop.exec.command`,
      want: ['node', 'operator/prestop.ts'],
    },
    {
      name: 'grace period for the transfer',
      spec: {},
      path: 'spec.template.spec.terminationGracePeriodSeconds',
      want: 60,
    },
    {
      name: 'one member per node where possible',
      spec: {},
      path: 'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.topologyKey',
      want: 'kubernetes.io/hostname',
    },
    {
      name: 'spread over zones',
      spec: {},
      path: 'spec.template.spec.topologySpreadConstraints.0.topologyKey',
      want: 'topology.kubernetes.io/zone',
    },
    { name: 'no TLS volume by default', spec: {}, path: 'spec.template.spec.volumes', want: [] },
    {
      name: 'TLS secret mounted when enabled',
      spec: { tls: { enabled: true, secretName: 'wharf-tls' } },
      path: 'spec.template.spec.volumes',
      want: [{ name: 'tls', secret: { secretName: 'wharf-tls' } }],
    },
    {
      name: 'TLS secret read-only at WHARF_TLS_DIR',
      spec: { tls: { enabled: true } },
      path: `${container}.volumeMounts.1`,
      want: { name: 'tls', mountPath: '/etc/wharf/tls', readOnly: true },
    },
    {
      name: 'TLS secret named after the cluster by default',
      spec: { tls: { enabled: true } },
      path: 'spec.template.spec.volumes',
      want: [{ name: 'tls', secret: { secretName: 'wharf-tls' } }],
    },
    {
      name: 'no TLS when disabled',
      spec: { tls: { enabled: false, secretName: 'x' } },
      path: 'spec.template.spec.volumes',
      want: [],
    },
    { name: 'no health port without TLS', spec: {}, path: `${container}.ports.3`, want: undefined },
    {
      name: 'plaintext health port with TLS',
      spec: { tls: { enabled: true } },
      path: `${container}.ports.3`,
      want: { name: 'health', containerPort: 7402, protocol: 'TCP' },
    },
    // The kubelet's gRPC probe speaks no TLS: with TLS on, every probe goes to the health port.
    ...(['startupProbe', 'readinessProbe', 'livenessProbe'] as const).flatMap((probe) => [
      {
        name: `${probe} on the client port without TLS`,
        spec: {},
        path: `${container}.${probe}.grpc`,
        want: { port: 7400 },
      },
      {
        name: `${probe} on the health port with TLS`,
        spec: { tls: { enabled: true } },
        path: `${container}.${probe}.grpc`,
        want: { port: 7402 },
      },
    ]),
  ])('$name', ({ spec, path, want }) => {
    expect(at(buildStatefulSet(buildInput(sampleCluster(spec), DEFAULT_SETTINGS)), path)).toEqual(want);
  });

  it('passes --peers from the ConfigMap through env, so scaling restarts no pod', () => {
    const built = buildStatefulSet(buildInput(sampleCluster(), DEFAULT_SETTINGS));
    const args = at(built, `${container}.args`) as string[];
    expect(args.slice(-2)).toEqual(['--peers', '$(WHARF_PEERS)']);
    const env = at(built, `${container}.env`) as { name: string }[];
    expect(env.find((e) => e.name === 'WHARF_PEERS')).toEqual({
      name: 'WHARF_PEERS',
      valueFrom: { configMapKeyRef: { name: 'wharf-config', key: 'peers' } },
    });
    expect(env.find((e) => e.name === 'WHARF_NODE_ID')).toEqual({
      name: 'WHARF_NODE_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    const three = JSON.stringify(at(built, 'spec.template'));
    const five = JSON.stringify(
      at(buildStatefulSet(buildInput(sampleCluster({ replicas: 5 }), DEFAULT_SETTINGS)), 'spec.template'),
    );
    expect(five).toBe(three);
  });

  it('with TLS, tells the broker where the Secret is and to serve the health port', () => {
    const built = buildStatefulSet(buildInput(sampleCluster({ tls: { enabled: true } }), DEFAULT_SETTINGS));
    const args = at(built, `${container}.args`) as string[];
    expect(args[args.indexOf('--health-port') + 1]).toBe('7402');
    expect(args.slice(-2)).toEqual(['--peers', '$(WHARF_PEERS)']);
    const env = at(built, `${container}.env`) as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'WHARF_TLS_DIR')).toEqual({ name: 'WHARF_TLS_DIR', value: '/etc/wharf/tls' });
    const plain = buildStatefulSet(buildInput(sampleCluster(), DEFAULT_SETTINGS));
    expect(at(plain, `${container}.args`) as string[]).not.toContain('--health-port');
    expect((at(plain, `${container}.env`) as { name: string }[]).map((e) => e.name)).not.toContain('WHARF_TLS_DIR');
  });

  it('sets tracing env from the spec', () => {
    const built = buildStatefulSet(
      buildInput(
        sampleCluster({ tracing: { otlpEndpoint: 'http://jaeger:4317', samplingRatio: 0.5 } }),
        DEFAULT_SETTINGS,
      ),
    );
    const env = Object.fromEntries(
      (at(built, `${container}.env`) as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4317',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
    });
  });

  it('runs the pods the topology asks for while membership changes', () => {
    const input = buildInput(sampleCluster({ replicas: 3 }), DEFAULT_SETTINGS, {
      statefulSetReplicas: 5,
      initialReplicas: 3,
    });
    expect(at(buildStatefulSet(input), 'spec.replicas')).toBe(5);
  });

  it('honours the operator settings for volume retention', () => {
    const settings = { ...DEFAULT_SETTINGS, pvcWhenScaled: 'Delete' as const };
    expect(
      at(buildStatefulSet(buildInput(sampleCluster(), settings)), 'spec.persistentVolumeClaimRetentionPolicy'),
    ).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Delete',
    });
  });
});

describe('buildConfigMap', () => {
  it.each([
    { replicas: 1, sts: 1, initial: 1, members: 'wharf-0', count: 1 },
    { replicas: 3, sts: 3, initial: 3, members: 'wharf-0,wharf-1,wharf-2', count: 3 },
    { replicas: 5, sts: 5, initial: 3, members: 'wharf-0,wharf-1,wharf-2', count: 5 },
    { replicas: 3, sts: 5, initial: 3, members: 'wharf-0,wharf-1,wharf-2', count: 5 },
  ])(
    'replicas $replicas, pods $sts, bootstrap $initial: $count peers',
    ({ replicas, sts, initial, members, count }) => {
      const input = buildInput(sampleCluster({ replicas }), DEFAULT_SETTINGS, {
        statefulSetReplicas: sts,
        initialReplicas: initial,
      });
      const data = at(buildConfigMap(input), 'data') as Record<string, string>;
      expect(data['initial-members']).toBe(members);
      const peers = (data.peers ?? '').split(',');
      expect(peers).toHaveLength(count);
      expect(peers[0]).toBe('wharf-0=wharf-0.wharf-headless.messaging.svc.cluster.local:7400:7401');
    },
  );
});

describe('buildPodDisruptionBudget', () => {
  it.each([
    [1, 0],
    [2, 0],
    [3, 1],
    [5, 1],
    [7, 1],
  ])('%i replicas: at most %i away', (replicas, away) => {
    expect(maxUnavailable(replicas)).toBe(away);
    const [, , , pdb] = buildChildren(buildInput(sampleCluster({ replicas }), DEFAULT_SETTINGS));
    expect(at(pdb, 'spec.maxUnavailable')).toBe(away);
  });
});
