// TypeScript types of the wharf.dev/v1alpha1 custom resources (DESIGN §1): WharfCluster, Queue and
// Topic, spec and status. Field names mirror the resource YAML (camelCase). Durations are Go-style
// strings ("30s", "1h30m"), sizes are Kubernetes quantities ("1Mi", "10Gi") or byte counts.
// The spec and status types are inferred from the schemas in definitions.ts, the same source the
// CRD YAML is generated from, so the two cannot drift. Pure module: no Node or Kubernetes client
// imports, so operator/model can use it.
import type {
  clusterRefSchema,
  conditionSchema,
  DELETION_POLICIES,
  MEMBER_ROLES,
  ORDERINGS,
  OVERFLOWS,
  queueSpecSchema,
  queueStatusSchema,
  resourceRequirementsSchema,
  retryBackoffSchema,
  subscriptionSpecSchema,
  subscriptionStatusSchema,
  topicSpecSchema,
  topicStatusSchema,
  wharfClusterMemberSchema,
  wharfClusterSpecSchema,
  wharfClusterStatusSchema,
  wharfClusterStorageSchema,
  wharfClusterTlsSchema,
  wharfClusterTracingSchema,
} from './definitions.ts';
import type { Infer } from './schema.ts';

export const GROUP = 'wharf.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;
/** The `kubectl get wharf` category every kind belongs to. */
export const CATEGORY = 'wharf';

export interface KindNames {
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

export const WHARF_CLUSTER = {
  kind: 'WharfCluster',
  listKind: 'WharfClusterList',
  plural: 'wharfclusters',
  singular: 'wharfcluster',
  shortNames: ['wc', 'wharfc'],
} as const satisfies KindNames;

export const QUEUE = {
  kind: 'Queue',
  listKind: 'QueueList',
  plural: 'queues',
  singular: 'queue',
  shortNames: ['wq', 'wqueue'],
} as const satisfies KindNames;

export const TOPIC = {
  kind: 'Topic',
  listKind: 'TopicList',
  plural: 'topics',
  singular: 'topic',
  shortNames: ['wt', 'wtopic'],
} as const satisfies KindNames;

export const KINDS = [WHARF_CLUSTER, QUEUE, TOPIC] as const;

// ---- shared shapes ----

/** The fields of metav1.ObjectMeta the operator reads and writes (compatible with V1ObjectMeta). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  creationTimestamp?: Date | string;
  deletionTimestamp?: Date | string;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.Condition. */
export type Condition = Infer<typeof conditionSchema>;
export type ConditionStatus = Condition['status'];

/** A Go-style duration: "30s", "5m", "1h30m", "250ms" (also "0"). */
export type Duration = string;
/** A Kubernetes quantity ("1Mi", "10Gi") or a byte count. */
export type ByteSize = string | number;

export type Ordering = (typeof ORDERINGS)[number];
export type Overflow = (typeof OVERFLOWS)[number];
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
/** "Earliest", "Latest" or an RFC 3339 time. */
export type StartAt = string;

export type ClusterRef = Infer<typeof clusterRefSchema>;
export type RetryBackoff = Infer<typeof retryBackoffSchema>;
export type Retention = NonNullable<QueueSpec['retention']>;

// ---- WharfCluster ----

export type WharfClusterStorage = Infer<typeof wharfClusterStorageSchema>;
export type ResourceRequirements = Infer<typeof resourceRequirementsSchema>;
export type WharfClusterTracing = Infer<typeof wharfClusterTracingSchema>;
export type WharfClusterTls = Infer<typeof wharfClusterTlsSchema>;
export type WharfClusterSpec = Infer<typeof wharfClusterSpecSchema>;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type WharfClusterMember = Infer<typeof wharfClusterMemberSchema>;
export type WharfClusterStatus = Infer<typeof wharfClusterStatusSchema>;

export interface WharfCluster {
  apiVersion: typeof API_VERSION;
  kind: typeof WHARF_CLUSTER.kind;
  metadata: ObjectMeta;
  spec?: WharfClusterSpec;
  status?: WharfClusterStatus;
}

// ---- Queue ----

export type QueueSpec = Infer<typeof queueSpecSchema>;
export type QueueStatus = Infer<typeof queueStatusSchema>;

export interface Queue {
  apiVersion: typeof API_VERSION;
  kind: typeof QUEUE.kind;
  metadata: ObjectMeta;
  spec?: QueueSpec;
  status?: QueueStatus;
}

// ---- Topic ----

export type SubscriptionSpec = Infer<typeof subscriptionSpecSchema>;
export type TopicSpec = Infer<typeof topicSpecSchema>;
export type SubscriptionStatus = Infer<typeof subscriptionStatusSchema>;
export type TopicStatus = Infer<typeof topicStatusSchema>;

export interface Topic {
  apiVersion: typeof API_VERSION;
  kind: typeof TOPIC.kind;
  metadata: ObjectMeta;
  spec?: TopicSpec;
  status?: TopicStatus;
}

export type WharfResource = WharfCluster | Queue | Topic;
