// REST paths of the kinds the operator touches, from one table.
import { GROUP, QUEUE, TOPIC, VERSION, WHARF_CLUSTER } from '../../crds/types.ts';

export interface ResourceType {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export const RESOURCES = {
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  PodDisruptionBudget: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true },
  Lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true },
  Event: { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true },
  WharfCluster: { group: GROUP, version: VERSION, plural: WHARF_CLUSTER.plural, namespaced: true },
  Queue: { group: GROUP, version: VERSION, plural: QUEUE.plural, namespaced: true },
  Topic: { group: GROUP, version: VERSION, plural: TOPIC.plural, namespaced: true },
} as const satisfies Record<string, ResourceType>;

export type KindName = keyof typeof RESOURCES;

/** The collection path (namespace undefined: every namespace), or one object's with `name`. */
export function resourcePath(
  kind: KindName,
  namespace: string | undefined,
  name?: string,
  subresource?: 'status' | 'scale',
): string {
  const type: ResourceType = RESOURCES[kind];
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${base}${scope}/${type.plural}${object}${subresource === undefined ? '' : `/${subresource}`}`;
}

/** The path of a built child object (apiVersion and kind as in the object). */
export function objectPath(object: Record<string, unknown>): string {
  const kind = object.kind as KindName;
  if (!(kind in RESOURCES)) throw new Error(`no REST path known for kind ${String(object.kind)}`);
  const metadata = object.metadata as { name: string; namespace?: string };
  return resourcePath(kind, metadata.namespace, metadata.name);
}
