// The one typed source of the wharf.dev/v1alpha1 resources (DESIGN §1): the structural schemas
// of WharfCluster, Queue and Topic with descriptions, defaults and CEL rules. crds/types.ts derives
// the TypeScript types from these, crds/crd.ts the CustomResourceDefinitions. Defaults and bounds
// come from the broker's own table (broker/api/spec-defaults.ts), so the API and the CRDs agree.
// Pure module.
import { QUEUE_DEFAULTS, SPEC_LIMITS, TOPIC_DEFAULTS } from '../broker/api/spec-defaults.ts';
import { formatDurationMs } from '../common/duration.ts';
import { formatBytes } from '../common/quantity.ts';
import {
  array,
  boolean,
  enumOf,
  integer,
  intOrString,
  number,
  object,
  record,
  type Schema,
  string,
  type ValidationRule,
} from './schema.ts';

// ---- leaves ----

/** Go's duration grammar restricted to the units both Go (CEL `duration()`) and Wharf read. */
export const DURATION_REGEX = '^(0|([0-9]+([.][0-9]+)?(ms|s|m|h))+)$';
export const DURATION_MESSAGE = 'must be a duration such as 30s, 5m, 1h30m or 250ms (units ms, s, m, h)';
const QUANTITY_REGEX = '^[0-9]+([.][0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$';
const LABEL_REGEX = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const LABEL_RULE = "1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";

interface DurationOptions {
  readonly default?: string;
  readonly minMs?: number;
  readonly maxMs?: number;
}

/** A Go-style duration string, checked by CEL (with its bounds) so the message says what to write. */
export function duration(description: string, options: DurationOptions = {}): Schema<string> {
  const rules: ValidationRule[] = [{ rule: `self.matches('${DURATION_REGEX}')`, message: DURATION_MESSAGE }];
  // `!matches || ...`: a malformed value gets the message above only, never a CEL evaluation error.
  if (options.minMs !== undefined) {
    const min = formatDurationMs(options.minMs);
    rules.push({
      rule: `!self.matches('${DURATION_REGEX}') || duration(self) >= duration('${min}')`,
      message: `must be at least ${min}`,
    });
  }
  if (options.maxMs !== undefined) {
    const max = formatDurationMs(options.maxMs);
    rules.push({
      rule: `!self.matches('${DURATION_REGEX}') || duration(self) <= duration('${max}')`,
      message: `must be at most ${max}`,
    });
  }
  return string({
    description,
    maxLength: 32,
    rules,
    ...(options.default === undefined ? {} : { default: options.default }),
  });
}

/** A byte size: a Kubernetes quantity string ("1Mi", "10Gi") or a plain byte count. */
function byteSize(description: string, defaultBytes?: number): Schema<string | number> {
  return intOrString({
    description,
    ...(defaultBytes === undefined ? {} : { default: formatBytes(defaultBytes) }),
    rules: [
      {
        rule: `type(self) == int ? int(self) >= 0 : string(self).matches('${QUANTITY_REGEX}')`,
        message: 'must be a byte count or a size such as 4096, 500k, 1Mi or 10Gi',
      },
    ],
  });
}

function name(description: string): Schema<string> {
  return string({
    description,
    minLength: 1,
    maxLength: 63,
    rules: [{ rule: `self.matches('${LABEL_REGEX}')`, message: `must be ${LABEL_RULE}` }],
  });
}

/** "<name>" or "<namespace>/<name>". */
function destinationRef(description: string): Schema<string> {
  const part = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
  return string({
    description,
    minLength: 1,
    maxLength: 127,
    rules: [
      {
        rule: `self.matches('^${part}(/${part})?$')`,
        message: `must be "<name>" or "<namespace>/<name>", each ${LABEL_RULE}`,
      },
    ],
  });
}

// ---- shared pieces ----

export const ORDERINGS = ['None', 'PerKey'] as const;
export const OVERFLOWS = ['RejectPublish', 'DropOldest'] as const;
export const DELETION_POLICIES = ['Delete', 'Retain', 'Drain'] as const;
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export const MEMBER_ROLES = ['Voter', 'Learner'] as const;

const ordering = enumOf(ORDERINGS, {
  description: 'None, or PerKey: messages with the same key are delivered in publish order, one at a time.',
  default: 'None',
});
const deletionPolicy = enumOf(DELETION_POLICIES, {
  description:
    'What deleting the resource does to the broker data: Delete it, Retain it, or Drain (refuse publishes, ' +
    'delete once empty).',
  default: 'Delete',
});

export const clusterRefSchema = object(
  {
    name: name('Name of the WharfCluster.'),
    namespace: name('Namespace of the WharfCluster (default: this resource’s namespace).'),
  },
  { description: 'The WharfCluster that serves this resource. Default: the only WharfCluster. Immutable.' },
);

/** clusterRef may be set once (at creation) and never changed: moving would lose the data. */
const clusterRefImmutable: ValidationRule = {
  rule: 'has(self.clusterRef) == has(oldSelf.clusterRef) && (!has(self.clusterRef) || self.clusterRef == oldSelf.clusterRef)',
  message: 'clusterRef is immutable: the data stays on the cluster that has it (create a new resource instead)',
  fieldPath: '.clusterRef',
};

export const retryBackoffSchema = object(
  {
    min: duration('Delay before the first redelivery after a nack or an expired lease.', {
      default: formatDurationMs(QUEUE_DEFAULTS.retryBackoffMinMs),
      maxMs: SPEC_LIMITS.retryBackoffMsMax,
    }),
    max: duration('Longest delay between redeliveries (the delay doubles up to it).', {
      default: formatDurationMs(QUEUE_DEFAULTS.retryBackoffMaxMs),
      maxMs: SPEC_LIMITS.retryBackoffMsMax,
    }),
  },
  {
    description: 'Exponential backoff between redeliveries.',
    default: {},
    rules: [
      {
        rule:
          `!has(self.min) || !has(self.max) || !self.min.matches('${DURATION_REGEX}') || ` +
          `!self.max.matches('${DURATION_REGEX}') || duration(self.min) <= duration(self.max)`,
        message: 'min must not be longer than max',
      },
    ],
  },
);

function retention(defaults: { maxAgeMs: number; maxMessages: number; maxBytes: number }, what: string) {
  return object(
    {
      maxAge: duration(`Messages older than this are dropped${what}; 0 keeps them.`, {
        default: formatDurationMs(defaults.maxAgeMs),
      }),
      maxMessages: integer({
        description: 'Most messages kept; 0 means no limit.',
        minimum: 0,
        default: defaults.maxMessages,
      }),
      maxBytes: byteSize('Most bytes kept; 0 means no limit.', defaults.maxBytes),
    },
    { description: 'Limits on what is kept.', default: {} },
  );
}

const deliveryProperties = {
  ackDeadline: duration('Lease of a delivered message; the consumer can extend it. Unacked, it is redelivered.', {
    default: formatDurationMs(QUEUE_DEFAULTS.ackDeadlineMs),
    minMs: SPEC_LIMITS.ackDeadlineMsMin,
    maxMs: SPEC_LIMITS.ackDeadlineMsMax,
  }),
  maxDeliveries: integer({
    description:
      'Deliveries before a message goes to the dead-letter queue. 0: redeliver until acked. Default: ' +
      `${QUEUE_DEFAULTS.maxDeliveriesWithDlq} with a dead-letter queue, 0 without.`,
    minimum: 0,
    maximum: SPEC_LIMITS.maxDeliveriesMax,
  }),
  deadLetterQueue: destinationRef(
    'Queue that receives messages after maxDeliveries: "<name>" (same namespace) or "<namespace>/<name>".',
  ),
  retryBackoff: retryBackoffSchema,
  ordering,
};

// ---- conditions ----

export const conditionSchema = object(
  {
    type: string({ description: 'Type of the condition, e.g. Ready.', maxLength: 316 }),
    status: enumOf(CONDITION_STATUSES, { description: 'True, False or Unknown.' }),
    reason: string({ description: 'CamelCase reason for the last transition.', maxLength: 1024 }),
    message: string({ description: 'What a person should know.', maxLength: 32768 }),
    lastTransitionTime: string({ description: 'When the status last changed.', format: 'date-time' }),
    observedGeneration: integer({ description: 'The generation the condition was set for.', minimum: 0 }),
  },
  {
    description: 'A metav1.Condition.',
    required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  },
);

const conditions = array(conditionSchema, {
  description: 'Current state: Ready, and what keeps it from being ready.',
  listType: 'map',
  listMapKeys: ['type'],
  maxItems: 16,
});
const observedGeneration = integer({ description: 'The metadata.generation the status describes.', minimum: 0 });
const count = (description: string) => integer({ description, minimum: 0 });
const leader = string({ description: 'Pod of the Raft group leader.' });
const age = string({ description: 'Age of the oldest unsettled message, as a duration.' });

// ---- WharfCluster ----

export const wharfClusterStorageSchema = object(
  {
    size: string({
      description: 'Size of each broker pod’s volume (a quantity, e.g. 10Gi).',
      default: '10Gi',
      rules: [{ rule: `self.matches('${QUANTITY_REGEX}')`, message: 'must be a size such as 1Gi or 10Gi' }],
      maxLength: 32,
    }),
    storageClassName: string({ description: 'StorageClass of the volumes (default: the cluster default).' }),
  },
  {
    description: 'Persistent volume of each broker pod. Immutable (it is the StatefulSet’s volume claim template).',
    default: {},
    rules: [
      {
        rule: 'self == oldSelf',
        message: 'storage is immutable (the StatefulSet’s volume claim template); create a new cluster to change it',
      },
    ],
  },
);

const quantity = intOrString({ description: 'A quantity, e.g. 500m or 512Mi.' });

export const resourceRequirementsSchema = object(
  {
    requests: record(quantity, { description: 'Minimum compute resources (cpu, memory).' }),
    limits: record(quantity, { description: 'Maximum compute resources (cpu, memory).' }),
  },
  { description: 'Compute resources of the broker container.' },
);

export const wharfClusterTracingSchema = object(
  {
    otlpEndpoint: string({ description: 'OTLP gRPC endpoint spans go to, e.g. http://jaeger-collector:4317.' }),
    samplingRatio: number({ description: 'Share of traces sampled, 0 to 1.', minimum: 0, maximum: 1, default: 1 }),
  },
  { description: 'OpenTelemetry tracing of the brokers.' },
);

export const wharfClusterTlsSchema = object(
  {
    enabled: boolean({ description: 'Serve the broker and peer ports with TLS.', default: false }),
    secretName: string({ description: 'Secret of type kubernetes.io/tls with the serving certificate.' }),
  },
  { description: 'TLS of the broker ports.' },
);

export const wharfClusterSpecSchema = object(
  {
    replicas: integer({
      description: 'Broker pods (Raft members). Odd numbers tolerate the most failures per pod.',
      minimum: 1,
      maximum: 15,
      format: 'int32',
      default: 3,
    }),
    image: string({ description: 'Broker image (default: the operator’s own version).' }),
    storage: wharfClusterStorageSchema,
    resources: resourceRequirementsSchema,
    tracing: wharfClusterTracingSchema,
    tls: wharfClusterTlsSchema,
  },
  { description: 'The broker StatefulSet and its services.', default: {} },
);

export const wharfClusterMemberSchema = object(
  {
    name: string({ description: 'Pod name, e.g. wharf-0.' }),
    role: enumOf(MEMBER_ROLES, { description: 'Voter, or Learner while it catches up.' }),
    address: string({ description: 'Client address, host:port.' }),
    ready: boolean({ description: 'Whether the member is healthy and caught up.' }),
  },
  { description: 'A Raft member of the metadata group.', required: ['name'] },
);

export const wharfClusterStatusSchema = object(
  {
    observedGeneration,
    conditions,
    replicas: integer({ description: 'Broker pods that exist.', minimum: 0, format: 'int32' }),
    readyReplicas: integer({ description: 'Broker pods that are ready.', minimum: 0, format: 'int32' }),
    selector: string({ description: 'Label selector of the broker pods (for the scale subresource).' }),
    members: array(wharfClusterMemberSchema, {
      description: 'Raft members of the metadata group.',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    leader: string({ description: 'Pod of the metadata group’s leader.' }),
    endpoint: string({ description: 'Client Service address for sidecars and applications, host:port.' }),
  },
  { description: 'Observed state, written by the operator.' },
);

// ---- Queue ----

export const queueSpecSchema = object(
  {
    clusterRef: clusterRefSchema,
    replicas: integer({
      description: 'Replicas of the queue’s Raft group.',
      minimum: 1,
      maximum: SPEC_LIMITS.replicasMax,
      format: 'int32',
      default: QUEUE_DEFAULTS.replicas,
    }),
    ...deliveryProperties,
    dedupWindow: duration('Publishes with the same dedupId inside this window are stored once.', {
      default: formatDurationMs(QUEUE_DEFAULTS.dedupWindowMs),
      maxMs: SPEC_LIMITS.dedupWindowMsMax,
    }),
    retention: retention(
      {
        maxAgeMs: QUEUE_DEFAULTS.retentionMaxAgeMs,
        maxMessages: QUEUE_DEFAULTS.retentionMaxMessages,
        maxBytes: QUEUE_DEFAULTS.retentionMaxBytes,
      },
      ' unconsumed',
    ),
    overflow: enumOf(OVERFLOWS, {
      description: 'When retention is full: RejectPublish (RESOURCE_EXHAUSTED) or DropOldest.',
      default: 'RejectPublish',
    }),
    maxMessageBytes: byteSize('Largest payload accepted.', QUEUE_DEFAULTS.maxMessageBytes),
    deletionPolicy,
  },
  {
    description: 'A point-to-point queue: each message goes to one consumer.',
    default: {},
    rules: [clusterRefImmutable],
  },
);

export const queueStatusSchema = object(
  {
    observedGeneration,
    conditions,
    leader,
    depth: count('Messages stored and not yet settled (in flight included).'),
    inFlight: count('Messages delivered and leased, not yet settled.'),
    consumers: count('Connected consumers.'),
    oldestMessageAge: age,
    deadLettered: count('Messages moved to the dead-letter queue.'),
    bytes: count('Bytes stored.'),
  },
  { description: 'Observed state, refreshed by the operator from the broker.' },
);

// ---- Topic ----

export const subscriptionSpecSchema = object(
  {
    name: name('Name of the subscription, unique in the topic.'),
    ...deliveryProperties,
    filter: string({
      description: "Header filter; only matching messages are delivered, e.g. headers.type == 'invoice'.",
      maxLength: SPEC_LIMITS.filterLengthMax,
    }),
    startAt: string({
      description:
        'Where a new subscription starts: Earliest (the default: nothing retained is missed), Latest or an ' +
        'RFC 3339 time. Immutable.',
      maxLength: 64,
      rules: [
        {
          rule: "self == 'Earliest' || self == 'Latest' || (self.matches('^[0-9]{4}-[0-9]{2}-[0-9]{2}T') && self.matches('(Z|[+-][0-9]{2}:[0-9]{2})$') && timestamp(self) > timestamp('1970-01-01T00:00:00Z'))",
          message: 'must be Earliest, Latest or an RFC 3339 time such as 2026-01-02T15:04:05Z',
        },
        {
          rule: 'self == oldSelf',
          message: 'startAt is immutable: it applies when the subscription is created',
        },
      ],
    }),
  },
  { description: 'A durable subscription: it gets every message published to the topic.', required: ['name'] },
);

export const topicSpecSchema = object(
  {
    clusterRef: clusterRefSchema,
    partitions: integer({
      description: 'Partitions (a Raft group each); the message key picks one. May only grow.',
      minimum: 1,
      maximum: SPEC_LIMITS.partitionsMax,
      format: 'int32',
      default: TOPIC_DEFAULTS.partitions,
      rules: [
        {
          rule: 'self >= oldSelf',
          message: 'partitions may only grow: fewer partitions would move keys to other partitions',
        },
      ],
    }),
    replicas: integer({
      description: 'Replicas of each partition’s Raft group.',
      minimum: 1,
      maximum: SPEC_LIMITS.replicasMax,
      format: 'int32',
      default: TOPIC_DEFAULTS.replicas,
    }),
    retention: retention(
      {
        maxAgeMs: TOPIC_DEFAULTS.retentionMaxAgeMs,
        maxMessages: TOPIC_DEFAULTS.retentionMaxMessages,
        maxBytes: TOPIC_DEFAULTS.retentionMaxBytes,
      },
      '',
    ),
    subscriptions: array(subscriptionSpecSchema, {
      description: 'Durable subscriptions. Consumers may also make ephemeral ones at run time.',
      listType: 'map',
      listMapKeys: ['name'],
      maxItems: SPEC_LIMITS.subscriptionsMax,
    }),
    dedupWindow: duration('Publishes with the same dedupId inside this window are stored once.', {
      default: formatDurationMs(TOPIC_DEFAULTS.dedupWindowMs),
      maxMs: SPEC_LIMITS.dedupWindowMsMax,
    }),
    maxMessageBytes: byteSize('Largest payload accepted.', TOPIC_DEFAULTS.maxMessageBytes),
    deletionPolicy,
  },
  {
    description: 'A publish/subscribe topic: each subscription gets every message.',
    default: {},
    rules: [clusterRefImmutable],
  },
);

export const subscriptionStatusSchema = object(
  {
    name: string({ description: 'Name of the subscription.' }),
    depth: count('Messages not yet settled by this subscription (its lag).'),
    inFlight: count('Messages delivered and leased, not yet settled.'),
    consumers: count('Connected consumers.'),
    oldestMessageAge: age,
    deadLettered: count('Messages moved to the dead-letter queue.'),
  },
  { description: 'A subscription’s live state.', required: ['name'] },
);

export const topicStatusSchema = object(
  {
    observedGeneration,
    conditions,
    leader,
    messages: count('Messages retained.'),
    bytes: count('Bytes retained.'),
    subscriptionCount: count('Subscriptions present on the broker.'),
    maxSubscriptionDepth: count('Largest depth (lag) over the subscriptions.'),
    subscriptions: array(subscriptionStatusSchema, {
      description: 'Live state per subscription.',
      listType: 'map',
      listMapKeys: ['name'],
    }),
  },
  { description: 'Observed state, refreshed by the operator from the broker.' },
);

// ---- whole-object rules (they see metadata.name) ----

const DESTINATION_NAME_RULE: ValidationRule = {
  rule: `size(self.metadata.name) <= 63 && self.metadata.name.matches('${LABEL_REGEX}')`,
  message: `metadata.name names a broker destination: it must be ${LABEL_RULE} (no dots)`,
};

export const queueRules: readonly ValidationRule[] = [
  DESTINATION_NAME_RULE,
  {
    rule: '!has(self.spec) || !has(self.spec.deadLetterQueue) || self.spec.deadLetterQueue != self.metadata.name',
    message: 'a queue cannot be its own dead-letter queue',
    fieldPath: '.spec.deadLetterQueue',
  },
];

export const topicRules: readonly ValidationRule[] = [
  DESTINATION_NAME_RULE,
  {
    rule:
      '!has(self.spec) || !has(self.spec.subscriptions) || ' +
      'self.spec.subscriptions.all(s, !has(s.deadLetterQueue) || s.deadLetterQueue != self.metadata.name)',
    message: 'a subscription’s dead-letter queue cannot be the topic itself',
    fieldPath: '.spec.subscriptions',
  },
];

export const wharfClusterRules: readonly ValidationRule[] = [
  {
    rule: `size(self.metadata.name) <= 52 && self.metadata.name.matches('${LABEL_REGEX}')`,
    message: `metadata.name names the StatefulSet and its Services: it must be ${LABEL_RULE}, at most 52 characters`,
  },
];
