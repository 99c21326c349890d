// Names, ports and labels of the objects a WharfCluster owns, in one place. Pure module.
import { API_VERSION, type OwnerReference, WHARF_CLUSTER, type WharfCluster } from '../../crds/types.ts';

export const FIELD_MANAGER = 'wharf-operator';
export const CLIENT_PORT = 7400;
export const PEER_PORT = 7401;
/**
 * With TLS on, grpc.health.v1 alone in plaintext: the kubelet's gRPC probe speaks no TLS, so the
 * probes go here instead of to the client port.
 */
export const HEALTH_PORT = 7402;
export const METRICS_PORT = 9400;
export const DATA_DIR = '/var/lib/wharf';
export const DATA_VOLUME = 'data';
export const BROKER_CONTAINER = 'broker';

export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export function keyOf(cluster: WharfCluster): ObjectKey {
  return { namespace: cluster.metadata.namespace ?? 'default', name: cluster.metadata.name ?? '' };
}

export const statefulSetName = (key: ObjectKey): string => key.name;
export const clientServiceName = (key: ObjectKey): string => key.name;
export const headlessServiceName = (key: ObjectKey): string => `${key.name}-headless`;
export const configMapName = (key: ObjectKey): string => `${key.name}-config`;
export const podDisruptionBudgetName = (key: ObjectKey): string => key.name;

/** Pod `ordinal` of the StatefulSet; also its Raft member id. */
export const memberId = (key: ObjectKey, ordinal: number): string => `${key.name}-${ordinal}`;

/** The ordinal in a member id made by memberId, or undefined for any other id. */
export function memberOrdinal(key: ObjectKey, id: string): number | undefined {
  const prefix = `${key.name}-`;
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** Stable DNS name of pod `ordinal` through the headless Service. */
export function podHost(key: ObjectKey, ordinal: number, clusterDomain: string): string {
  return `${memberId(key, ordinal)}.${headlessServiceName(key)}.${key.namespace}.svc.${clusterDomain}`;
}

/** The client Service address, host:port. */
export function clientEndpoint(key: ObjectKey, clusterDomain: string): string {
  return `${clientServiceName(key)}.${key.namespace}.svc.${clusterDomain}:${CLIENT_PORT}`;
}

/** Labels on every object of one cluster (app.kubernetes.io recommended labels). */
export function clusterLabels(key: ObjectKey): Record<string, string> {
  return {
    ...selectorLabels(key),
    'app.kubernetes.io/part-of': 'wharf',
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
  };
}

/** Selects the broker StatefulSets and pods of every cluster this operator manages. */
export const CHILDREN_SELECTOR = `app.kubernetes.io/managed-by=${FIELD_MANAGER},app.kubernetes.io/component=broker`;

/** The WharfCluster a broker StatefulSet or pod belongs to, from its labels; undefined for others. */
export function owningCluster(object: {
  readonly metadata?: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
}): ObjectKey | undefined {
  const labels = object.metadata?.labels ?? {};
  const name = labels['app.kubernetes.io/instance'];
  const namespace = object.metadata?.namespace;
  if (labels['app.kubernetes.io/managed-by'] !== FIELD_MANAGER || labels['app.kubernetes.io/component'] !== 'broker') {
    return undefined;
  }
  return name === undefined || name === '' || namespace === undefined ? undefined : { namespace, name };
}

/** The subset that selects the cluster's broker pods (immutable once a StatefulSet exists). */
export function selectorLabels(key: ObjectKey): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'wharf',
    'app.kubernetes.io/instance': key.name,
    'app.kubernetes.io/component': 'broker',
  };
}

export function selectorString(key: ObjectKey): string {
  return Object.entries(selectorLabels(key))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Makes the WharfCluster the controller of a child, so deleting it deletes the children. */
export function ownerReference(cluster: WharfCluster): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: WHARF_CLUSTER.kind,
    name: cluster.metadata.name ?? '',
    uid: cluster.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of a child object. */
export function childMetadata(cluster: WharfCluster, name: string): Record<string, unknown> {
  const key = keyOf(cluster);
  return { name, namespace: key.namespace, labels: clusterLabels(key), ownerReferences: [ownerReference(cluster)] };
}
