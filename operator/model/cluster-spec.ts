// A WharfCluster's spec with every default filled in, and the operator-wide settings the builders
// need. Pure module.
import type { WharfCluster } from '../../crds/types.ts';

export const DEFAULT_REPLICAS = 3;
export const DEFAULT_STORAGE_SIZE = '10Gi';
/** Long enough for a broker to hand its Raft leaderships to peers and drain its clients. */
export const TERMINATION_GRACE_SECONDS = 60;

export interface OperatorSettings {
  /** Broker image when the spec names none. */
  readonly defaultImage: string;
  readonly clusterDomain: string;
  /**
   * What a scale-down does to the removed pods' volumes (StatefulSet
   * persistentVolumeClaimRetentionPolicy.whenScaled); data is kept unless asked.
   */
  readonly pvcWhenScaled: 'Retain' | 'Delete';
  readonly pvcWhenDeleted: 'Retain' | 'Delete';
}

export const DEFAULT_SETTINGS: OperatorSettings = Object.freeze({
  defaultImage: 'wharf/broker:0.1.0',
  clusterDomain: 'cluster.local',
  pvcWhenScaled: 'Retain',
  pvcWhenDeleted: 'Retain',
});

export interface ClusterSpec {
  readonly replicas: number;
  readonly image: string;
  readonly storageSize: string;
  readonly storageClassName: string | undefined;
  readonly resources: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly otlpEndpoint: string | undefined;
  readonly samplingRatio: number | undefined;
  readonly tlsSecretName: string | undefined;
}

const quantities = (values: Record<string, string | number> | undefined): Record<string, string> | undefined =>
  values === undefined ? undefined : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));

/** The Secret with the brokers' certificates when TLS is on (default `<name>-tls`), else undefined. */
export function tlsSecretName(cluster: WharfCluster): string | undefined {
  const tls = cluster.spec?.tls;
  return tls?.enabled === true ? (tls.secretName ?? `${cluster.metadata.name ?? ''}-tls`) : undefined;
}

export function clusterSpec(cluster: WharfCluster, settings: OperatorSettings): ClusterSpec {
  const spec = cluster.spec ?? {};
  const requests = quantities(spec.resources?.requests);
  const limits = quantities(spec.resources?.limits);
  return {
    replicas: spec.replicas ?? DEFAULT_REPLICAS,
    image: spec.image ?? settings.defaultImage,
    storageSize: spec.storage?.size ?? DEFAULT_STORAGE_SIZE,
    storageClassName: spec.storage?.storageClassName,
    resources: { ...(requests === undefined ? {} : { requests }), ...(limits === undefined ? {} : { limits }) },
    otlpEndpoint: spec.tracing?.otlpEndpoint,
    samplingRatio: spec.tracing?.samplingRatio,
    tlsSecretName: tlsSecretName(cluster),
  };
}
