// TypeScript types of the wharf.dev/v1alpha1 custom resources (DESIGN §1): WharfCluster, Queue and
// Topic, spec and status. Field names mirror the resource YAML (camelCase). Durations are Go-style
// strings ("30s", "1h30m"), sizes are Kubernetes quantities ("1Mi", "10Gi") or byte counts.
// Pure module: no Node or Kubernetes client imports, so operator/model can use it.

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

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** RFC 3339 time the status last changed. */
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** A Go-style duration: "30s", "5m", "1h30m", "250ms" (also "d" for days, and "0"). */
export type Duration = string;
/** A Kubernetes quantity ("1Mi", "10Gi") or a byte count. */
export type ByteSize = string | number;

export type Ordering = 'None' | 'PerKey';
export type Overflow = 'RejectPublish' | 'DropOldest';
export type DeletionPolicy = 'Delete' | 'Retain' | 'Drain';
/** "Earliest", "Latest" or an RFC 3339 time. */
export type StartAt = string;

export interface ClusterRef {
  name?: string;
  namespace?: string;
}

export interface RetryBackoff {
  min?: Duration;
  max?: Duration;
}

export interface Retention {
  maxAge?: Duration;
  maxMessages?: number;
  maxBytes?: ByteSize;
}

// ---- WharfCluster ----

export interface WharfClusterStorage {
  size?: string;
  storageClassName?: string;
}

export interface ResourceRequirements {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

export interface WharfClusterTracing {
  otlpEndpoint?: string;
  samplingRatio?: number;
}

export interface WharfClusterTls {
  enabled?: boolean;
  secretName?: string;
}

export interface WharfClusterSpec {
  replicas?: number;
  image?: string;
  storage?: WharfClusterStorage;
  resources?: ResourceRequirements;
  tracing?: WharfClusterTracing;
  tls?: WharfClusterTls;
}

export type MemberRole = 'Voter' | 'Learner';

export interface WharfClusterMember {
  /** Pod name, e.g. "wharf-0". */
  name: string;
  role?: MemberRole;
  /** Client (Admin/Broker gRPC) address, host:port. */
  address?: string;
  ready?: boolean;
}

export interface WharfClusterStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Pods that exist (the scale subresource's statusReplicasPath). */
  replicas?: number;
  readyReplicas?: number;
  /** Label selector of the broker pods, as a string (the scale subresource's labelSelectorPath). */
  selector?: string;
  /** Raft members of the metadata group. */
  members?: WharfClusterMember[];
  /** Pod name of the metadata group's leader. */
  leader?: string;
  /** Client Service address applications and sidecars use, host:port. */
  endpoint?: string;
}

export interface WharfCluster {
  apiVersion: typeof API_VERSION;
  kind: typeof WHARF_CLUSTER.kind;
  metadata: ObjectMeta;
  spec?: WharfClusterSpec;
  status?: WharfClusterStatus;
}

// ---- Queue ----

export interface QueueSpec {
  /** Default: the only WharfCluster. */
  clusterRef?: ClusterRef;
  replicas?: number;
  ackDeadline?: Duration;
  maxDeliveries?: number;
  /** "<name>" (same namespace) or "<namespace>/<name>". */
  deadLetterQueue?: string;
  retryBackoff?: RetryBackoff;
  ordering?: Ordering;
  dedupWindow?: Duration;
  retention?: Retention;
  overflow?: Overflow;
  maxMessageBytes?: ByteSize;
  deletionPolicy?: DeletionPolicy;
}

export interface QueueStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Pod name of the queue's Raft group leader. */
  leader?: string;
  /** Messages stored and not yet settled (includes in-flight). */
  depth?: number;
  /** Messages delivered and leased, not yet settled. */
  inFlight?: number;
  consumers?: number;
  /** Age of the oldest unsettled message, as a duration ("12s"). */
  oldestMessageAge?: Duration;
  /** Messages moved to the dead-letter queue. */
  deadLettered?: number;
  /** Bytes stored. */
  bytes?: number;
}

export interface Queue {
  apiVersion: typeof API_VERSION;
  kind: typeof QUEUE.kind;
  metadata: ObjectMeta;
  spec?: QueueSpec;
  status?: QueueStatus;
}

// ---- Topic ----

export interface SubscriptionSpec {
  name: string;
  ackDeadline?: Duration;
  maxDeliveries?: number;
  deadLetterQueue?: string;
  retryBackoff?: RetryBackoff;
  ordering?: Ordering;
  /** Header filter, e.g. "headers.type == 'invoice'". */
  filter?: string;
  startAt?: StartAt;
}

export interface TopicSpec {
  clusterRef?: ClusterRef;
  /** May only grow. */
  partitions?: number;
  replicas?: number;
  retention?: Retention;
  subscriptions?: SubscriptionSpec[];
  dedupWindow?: Duration;
  maxMessageBytes?: ByteSize;
  deletionPolicy?: DeletionPolicy;
}

export interface SubscriptionStatus {
  name: string;
  /** Messages this subscription has not settled yet (its lag). */
  depth?: number;
  inFlight?: number;
  consumers?: number;
  oldestMessageAge?: Duration;
  deadLettered?: number;
}

export interface TopicStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  leader?: string;
  /** Messages retained in the topic. */
  messages?: number;
  bytes?: number;
  /** Number of subscriptions declared in the spec and present on the broker. */
  subscriptionCount?: number;
  /** Largest depth (lag) over the subscriptions. */
  maxSubscriptionDepth?: number;
  subscriptions?: SubscriptionStatus[];
}

export interface Topic {
  apiVersion: typeof API_VERSION;
  kind: typeof TOPIC.kind;
  metadata: ObjectMeta;
  spec?: TopicSpec;
  status?: TopicStatus;
}

export type WharfResource = WharfCluster | Queue | Topic;
