// The broker StatefulSet. Pods start in parallel (a cluster that lost quorum must be able to start
// every member at once); each has its own volume, kept when the cluster is scaled down or deleted
// unless the operator is told otherwise; pods spread over nodes and zones; gRPC health probes (on
// the client port, or with TLS on the plaintext health port, since the kubelet's gRPC probe speaks
// no TLS); on shutdown the preStop hook hands the pod's Raft leaderships to a peer within the grace
// period.
// Membership comes from the ConfigMap through env, so changing it restarts nothing. Pure module.
import type { BuildInput } from './build-input.ts';
import { TERMINATION_GRACE_SECONDS } from './cluster-spec.ts';
import { INITIAL_MEMBERS_KEY, PEERS_KEY } from './config-map.ts';
import {
  BROKER_CONTAINER,
  CLIENT_PORT,
  childMetadata,
  clusterLabels,
  configMapName,
  DATA_DIR,
  DATA_VOLUME,
  HEALTH_PORT,
  headlessServiceName,
  keyOf,
  METRICS_PORT,
  PEER_PORT,
  selectorLabels,
  statefulSetName,
} from './names.ts';

export const TLS_VOLUME = 'tls';
export const TLS_DIR = '/etc/wharf/tls';
/** Run by the preStop hook inside the broker image: TransferLeadership away from this member. */
export const PRESTOP_COMMAND = ['node', 'operator/prestop.ts'] as const;

function brokerEnv(input: BuildInput): unknown[] {
  const key = keyOf(input.cluster);
  const fromConfig = (name: string, configKey: string) => ({
    name,
    valueFrom: { configMapKeyRef: { name: configMapName(key), key: configKey } },
  });
  const env: unknown[] = [
    { name: 'WHARF_NODE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'WHARF_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    fromConfig('WHARF_PEERS', PEERS_KEY),
    fromConfig('WHARF_INITIAL_MEMBERS', INITIAL_MEMBERS_KEY),
    { name: 'WHARF_DATA', value: DATA_DIR },
  ];
  if (input.spec.otlpEndpoint !== undefined) {
    env.push({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: input.spec.otlpEndpoint });
    env.push({ name: 'OTEL_SERVICE_NAME', value: 'wharf-broker' });
  }
  if (input.spec.samplingRatio !== undefined) {
    env.push({ name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' });
    env.push({ name: 'OTEL_TRACES_SAMPLER_ARG', value: String(input.spec.samplingRatio) });
  }
  if (input.spec.tlsSecretName !== undefined) env.push({ name: 'WHARF_TLS_DIR', value: TLS_DIR });
  return env;
}

function brokerContainer(input: BuildInput): Record<string, unknown> {
  const tls = input.spec.tlsSecretName !== undefined;
  const grpcProbe = { grpc: { port: tls ? HEALTH_PORT : CLIENT_PORT } };
  return {
    name: BROKER_CONTAINER,
    image: input.spec.image,
    // $(WHARF_PEERS) is expanded by the kubelet from the env below.
    args: [
      '--data',
      DATA_DIR,
      '--host',
      '0.0.0.0',
      '--port',
      String(CLIENT_PORT),
      '--peer-port',
      String(PEER_PORT),
      '--metrics-port',
      String(METRICS_PORT),
      ...(tls ? ['--health-port', String(HEALTH_PORT)] : []),
      '--peers',
      '$(WHARF_PEERS)',
    ],
    env: brokerEnv(input),
    ports: [
      { name: 'grpc', containerPort: CLIENT_PORT, protocol: 'TCP' },
      { name: 'raft', containerPort: PEER_PORT, protocol: 'TCP' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
      ...(tls ? [{ name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }] : []),
    ],
    resources: input.spec.resources,
    startupProbe: { ...grpcProbe, periodSeconds: 2, failureThreshold: 150 },
    readinessProbe: { ...grpcProbe, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { ...grpcProbe, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 },
    lifecycle: { preStop: { exec: { command: [...PRESTOP_COMMAND] } } },
    volumeMounts: [
      { name: DATA_VOLUME, mountPath: DATA_DIR },
      ...(tls ? [{ name: TLS_VOLUME, mountPath: TLS_DIR, readOnly: true }] : []),
    ],
    // The restricted Pod Security Standard: a namespace that enforces it admits these pods.
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function volumeClaimTemplate(input: BuildInput): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: DATA_VOLUME, labels: selectorLabels(keyOf(input.cluster)) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(input.spec.storageClassName === undefined ? {} : { storageClassName: input.spec.storageClassName }),
      resources: { requests: { storage: input.spec.storageSize } },
    },
  };
}

export function buildStatefulSet(input: BuildInput): Record<string, unknown> {
  const key = keyOf(input.cluster);
  const selector = selectorLabels(key);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(input.cluster, statefulSetName(key)),
    spec: {
      replicas: input.topology.statefulSetReplicas,
      serviceName: headlessServiceName(key),
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: input.settings.pvcWhenDeleted,
        whenScaled: input.settings.pvcWhenScaled,
      },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: clusterLabels(key) },
        spec: {
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          // Spread members over zones where possible and never put two on one node if avoidable.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector },
            },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
                },
              ],
            },
          },
          securityContext: { fsGroup: 1000, runAsUser: 1000, runAsGroup: 1000 },
          containers: [brokerContainer(input)],
          volumes:
            input.spec.tlsSecretName === undefined
              ? []
              : [{ name: TLS_VOLUME, secret: { secretName: input.spec.tlsSecretName } }],
        },
      },
      volumeClaimTemplates: [volumeClaimTemplate(input)],
    },
  };
}
