// Admin API specs (proto, as users wrote them) <-> engine specs (validated, defaults filled in,
// milliseconds and bytes). Every rejection names the field and what is expected.
import { msToProtoDuration, msToProtoTimestamp, protoDurationMs } from '../../common/duration.ts';
import { invalidArgument } from '../../common/errors.ts';
import { canonicalDestination, checkSubscriptionName, splitDestination } from '../../common/names.ts';
import type { DeletionPolicy as ProtoDeletionPolicy } from '../../proto/gen/wharf/v1/DeletionPolicy.ts';
import type { Ordering as ProtoOrdering } from '../../proto/gen/wharf/v1/Ordering.ts';
import type { Overflow as ProtoOverflow } from '../../proto/gen/wharf/v1/Overflow.ts';
import type { Queue } from '../../proto/gen/wharf/v1/Queue.ts';
import type { QueueSpec__Output } from '../../proto/gen/wharf/v1/QueueSpec.ts';
import type { Retention__Output } from '../../proto/gen/wharf/v1/Retention.ts';
import type { RetryBackoff__Output } from '../../proto/gen/wharf/v1/RetryBackoff.ts';
import type { SubscriptionSpec__Output } from '../../proto/gen/wharf/v1/SubscriptionSpec.ts';
import type { Topic } from '../../proto/gen/wharf/v1/Topic.ts';
import type { TopicSpec__Output } from '../../proto/gen/wharf/v1/TopicSpec.ts';
import { parseFilter } from '../engine/filter.ts';
import type {
  DeletionPolicy,
  DeliverySettings,
  Ordering,
  Overflow,
  QueueSpec,
  QueueView,
  Retention,
  StartAt,
  SubscriptionSpec,
  SubscriptionStats,
  TopicSpec,
  TopicView,
} from '../engine/types.ts';
import { QUEUE_DEFAULTS, SPEC_LIMITS, TOPIC_DEFAULTS } from './spec-defaults.ts';

function ordering(value: string | number | undefined, field: string): Ordering {
  if (
    value === undefined ||
    value === 'ORDERING_UNSPECIFIED' ||
    value === 0 ||
    value === 'ORDERING_NONE' ||
    value === 1
  )
    return 'None';
  if (value === 'ORDERING_PER_KEY' || value === 2) return 'PerKey';
  throw invalidArgument(`${field}: unknown ordering ${String(value)} (None or PerKey)`);
}

function overflow(value: string | number | undefined, field: string): Overflow {
  if (
    value === undefined ||
    value === 'OVERFLOW_UNSPECIFIED' ||
    value === 0 ||
    value === 'OVERFLOW_REJECT_PUBLISH' ||
    value === 1
  )
    return 'RejectPublish';
  if (value === 'OVERFLOW_DROP_OLDEST' || value === 2) return 'DropOldest';
  throw invalidArgument(`${field}: unknown overflow ${String(value)} (RejectPublish or DropOldest)`);
}

function deletionPolicy(value: string | number | undefined, field: string): DeletionPolicy {
  switch (value) {
    case undefined:
    case 0:
    case 1:
    case 'DELETION_POLICY_UNSPECIFIED':
    case 'DELETION_POLICY_DELETE':
      return 'Delete';
    case 2:
    case 'DELETION_POLICY_RETAIN':
      return 'Retain';
    case 3:
    case 'DELETION_POLICY_DRAIN':
      return 'Drain';
    default:
      throw invalidArgument(`${field}: unknown deletion policy ${String(value)} (Delete, Retain or Drain)`);
  }
}

function inRange(value: number, min: number, max: number, field: string, unit = ''): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw invalidArgument(`${field}: ${value}${unit} is out of range (${min}${unit}..${max}${unit})`);
  }
  return value;
}

function durationOr(
  value: Parameters<typeof protoDurationMs>[0],
  fallbackMs: number,
  field: string,
  maxMs: number,
  minMs = 0,
): number {
  const ms = protoDurationMs(value, field);
  if (ms === undefined || ms === 0) return fallbackMs;
  return inRange(ms, minMs, maxMs, field, 'ms');
}

function retention(
  value: Retention__Output | null,
  defaults: { retentionMaxAgeMs: number; retentionMaxMessages: number; retentionMaxBytes: number },
  field: string,
): Retention {
  return {
    maxAgeMs: durationOr(value?.maxAge, defaults.retentionMaxAgeMs, `${field}.maxAge`, Number.MAX_SAFE_INTEGER),
    maxMessages: value?.maxMessages || defaults.retentionMaxMessages,
    maxBytes: value?.maxBytes || defaults.retentionMaxBytes,
  };
}

function backoff(value: RetryBackoff__Output | null, field: string): { minMs: number; maxMs: number } {
  const minMs = durationOr(value?.min, QUEUE_DEFAULTS.retryBackoffMinMs, `${field}.min`, SPEC_LIMITS.retryBackoffMsMax);
  const maxMs = durationOr(
    value?.max,
    Math.max(minMs, QUEUE_DEFAULTS.retryBackoffMaxMs),
    `${field}.max`,
    SPEC_LIMITS.retryBackoffMsMax,
  );
  if (minMs > maxMs) throw invalidArgument(`${field}: min (${minMs}ms) is above max (${maxMs}ms)`);
  return { minMs, maxMs };
}

interface DeliveryInput {
  readonly ackDeadline: Parameters<typeof protoDurationMs>[0];
  readonly maxDeliveries: number;
  readonly deadLetterQueue: string;
  readonly retryBackoff: RetryBackoff__Output | null;
  readonly ordering: ProtoOrdering | string;
}

function deliverySettings(input: DeliveryInput, owner: string, field: string): DeliverySettings {
  const { namespace } = splitDestination(owner);
  const deadLetterQueue = input.deadLetterQueue === '' ? '' : canonicalDestination(input.deadLetterQueue, namespace);
  if (deadLetterQueue === owner) {
    throw invalidArgument(`${field}.deadLetterQueue: ${owner} cannot be its own dead-letter queue`);
  }
  const retry = backoff(input.retryBackoff, `${field}.retryBackoff`);
  const maxDeliveries =
    input.maxDeliveries ||
    (deadLetterQueue === '' ? QUEUE_DEFAULTS.maxDeliveriesWithoutDlq : QUEUE_DEFAULTS.maxDeliveriesWithDlq);
  return {
    ackDeadlineMs: durationOr(
      input.ackDeadline,
      QUEUE_DEFAULTS.ackDeadlineMs,
      `${field}.ackDeadline`,
      SPEC_LIMITS.ackDeadlineMsMax,
      SPEC_LIMITS.ackDeadlineMsMin,
    ),
    maxDeliveries: inRange(maxDeliveries, 0, SPEC_LIMITS.maxDeliveriesMax, `${field}.maxDeliveries`),
    deadLetterQueue,
    retryBackoffMinMs: retry.minMs,
    retryBackoffMaxMs: retry.maxMs,
    ordering: ordering(input.ordering, `${field}.ordering`),
  };
}

function replicas(value: number, fallback: number, field: string): number {
  return inRange(value || fallback, 1, SPEC_LIMITS.replicasMax, field);
}

function maxMessageBytes(value: number, fallback: number, field: string): number {
  return inRange(value || fallback, 1, SPEC_LIMITS.maxMessageBytesMax, field, ' bytes');
}

export function queueSpecFromProto(name: string, spec: QueueSpec__Output | null): QueueSpec {
  const s = spec ?? ({} as Partial<QueueSpec__Output>);
  return {
    replicas: replicas(s.replicas ?? 0, QUEUE_DEFAULTS.replicas, 'spec.replicas'),
    ...deliverySettings(
      {
        ackDeadline: s.ackDeadline ?? null,
        maxDeliveries: s.maxDeliveries ?? 0,
        deadLetterQueue: s.deadLetterQueue ?? '',
        retryBackoff: s.retryBackoff ?? null,
        ordering: s.ordering ?? 'ORDERING_UNSPECIFIED',
      },
      name,
      'spec',
    ),
    dedupWindowMs: durationOr(
      s.dedupWindow,
      QUEUE_DEFAULTS.dedupWindowMs,
      'spec.dedupWindow',
      SPEC_LIMITS.dedupWindowMsMax,
    ),
    retention: retention(s.retention ?? null, QUEUE_DEFAULTS, 'spec.retention'),
    overflow: overflow(s.overflow, 'spec.overflow'),
    maxMessageBytes: maxMessageBytes(s.maxMessageBytes ?? 0, QUEUE_DEFAULTS.maxMessageBytes, 'spec.maxMessageBytes'),
    deletionPolicy: deletionPolicy(s.deletionPolicy, 'spec.deletionPolicy'),
  };
}

/** "Earliest", "Latest" or an RFC 3339 time; `fallback` when empty. */
export function parseStartAt(text: string, fallback: StartAt, field: string): StartAt {
  if (text === '') return fallback;
  if (text === 'Earliest' || text === 'Latest') return text;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  const ms = rfc3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalidArgument(`${field}: "${text}" is not Earliest, Latest or an RFC 3339 time (2026-01-02T15:04:05Z)`);
  }
  return ms;
}

export function subscriptionSpecFromProto(
  topic: string,
  sub: SubscriptionSpec__Output,
  field: string,
  startAtFallback: StartAt,
): SubscriptionSpec {
  if (sub.name === '') throw invalidArgument(`${field}.name: a subscription needs a name`);
  checkSubscriptionName(sub.name);
  if (sub.filter.length > SPEC_LIMITS.filterLengthMax) {
    throw invalidArgument(`${field}.filter: longer than ${SPEC_LIMITS.filterLengthMax} characters`);
  }
  if (sub.filter !== '') {
    try {
      parseFilter(sub.filter);
    } catch (error) {
      throw invalidArgument(`${field}.filter: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    name: sub.name,
    ...deliverySettings(sub, topic, field),
    filter: sub.filter,
    startAt: parseStartAt(sub.startAt, startAtFallback, `${field}.startAt`),
  };
}

export function topicSpecFromProto(name: string, spec: TopicSpec__Output | null): TopicSpec {
  const s = spec ?? ({} as Partial<TopicSpec__Output>);
  const subscriptions = s.subscriptions ?? [];
  if (subscriptions.length > SPEC_LIMITS.subscriptionsMax) {
    throw invalidArgument(`spec.subscriptions: at most ${SPEC_LIMITS.subscriptionsMax} subscriptions`);
  }
  const seen = new Set<string>();
  const subs = subscriptions.map((sub, i) => {
    if (seen.has(sub.name)) throw invalidArgument(`spec.subscriptions[${i}].name: "${sub.name}" is declared twice`);
    seen.add(sub.name);
    // Declared subscriptions start at the earliest retained message unless told otherwise: nothing is missed.
    return subscriptionSpecFromProto(name, sub, `spec.subscriptions[${i}]`, 'Earliest');
  });
  return {
    partitions: inRange(s.partitions || TOPIC_DEFAULTS.partitions, 1, SPEC_LIMITS.partitionsMax, 'spec.partitions'),
    replicas: replicas(s.replicas ?? 0, TOPIC_DEFAULTS.replicas, 'spec.replicas'),
    retention: retention(s.retention ?? null, TOPIC_DEFAULTS, 'spec.retention'),
    subscriptions: subs,
    dedupWindowMs: durationOr(
      s.dedupWindow,
      TOPIC_DEFAULTS.dedupWindowMs,
      'spec.dedupWindow',
      SPEC_LIMITS.dedupWindowMsMax,
    ),
    maxMessageBytes: maxMessageBytes(s.maxMessageBytes ?? 0, TOPIC_DEFAULTS.maxMessageBytes, 'spec.maxMessageBytes'),
    deletionPolicy: deletionPolicy(s.deletionPolicy, 'spec.deletionPolicy'),
  };
}

const ORDERING_TO_PROTO: Record<Ordering, ProtoOrdering> = { None: 'ORDERING_NONE', PerKey: 'ORDERING_PER_KEY' };
const OVERFLOW_TO_PROTO: Record<Overflow, ProtoOverflow> = {
  RejectPublish: 'OVERFLOW_REJECT_PUBLISH',
  DropOldest: 'OVERFLOW_DROP_OLDEST',
};
const DELETION_TO_PROTO: Record<DeletionPolicy, ProtoDeletionPolicy> = {
  Delete: 'DELETION_POLICY_DELETE',
  Retain: 'DELETION_POLICY_RETAIN',
  Drain: 'DELETION_POLICY_DRAIN',
};

function retentionToProto(r: Retention) {
  return { maxAge: msToProtoDuration(r.maxAgeMs), maxMessages: r.maxMessages, maxBytes: r.maxBytes };
}

function deliveryToProto(d: DeliverySettings) {
  return {
    ackDeadline: msToProtoDuration(d.ackDeadlineMs),
    maxDeliveries: d.maxDeliveries,
    deadLetterQueue: d.deadLetterQueue,
    retryBackoff: { min: msToProtoDuration(d.retryBackoffMinMs), max: msToProtoDuration(d.retryBackoffMaxMs) },
    ordering: ORDERING_TO_PROTO[d.ordering],
  };
}

function startAtToProto(startAt: StartAt): string {
  return typeof startAt === 'number' ? new Date(startAt).toISOString() : startAt;
}

export interface LiveCounts {
  readonly consumers: (destination: string, subscription: string) => number;
  readonly leader: string;
}

function subscriptionStatus(stats: SubscriptionStats, destination: string, live: LiveCounts) {
  return {
    name: stats.name,
    depth: stats.depth,
    inFlight: stats.inFlight,
    consumers: live.consumers(destination, stats.name),
    oldestMessageAge: msToProtoDuration(stats.oldestMessageAgeMs),
    deadLettered: stats.deadLettered,
    ephemeral: stats.ephemeral,
  };
}

export function queueToProto(view: QueueView, live: LiveCounts): Queue {
  const { spec, stats } = view;
  return {
    name: view.name,
    spec: {
      replicas: spec.replicas,
      ...deliveryToProto(spec),
      dedupWindow: msToProtoDuration(spec.dedupWindowMs),
      retention: retentionToProto(spec.retention),
      overflow: OVERFLOW_TO_PROTO[spec.overflow],
      maxMessageBytes: spec.maxMessageBytes,
      deletionPolicy: DELETION_TO_PROTO[spec.deletionPolicy],
    },
    status: {
      ready: !view.draining,
      leader: live.leader,
      depth: stats.depth,
      inFlight: stats.inFlight,
      consumers: live.consumers(view.name, ''),
      oldestMessageAge: msToProtoDuration(stats.oldestMessageAgeMs),
      deadLettered: stats.deadLettered,
      bytes: view.bytes,
      delayed: stats.delayed,
      draining: view.draining,
    },
    createTime: msToProtoTimestamp(view.createdMs),
  };
}

export function topicToProto(view: TopicView, live: LiveCounts): Topic {
  const { spec } = view;
  return {
    name: view.name,
    spec: {
      partitions: spec.partitions,
      replicas: spec.replicas,
      retention: retentionToProto(spec.retention),
      subscriptions: spec.subscriptions.map((sub) => ({
        name: sub.name,
        ...deliveryToProto(sub),
        filter: sub.filter,
        startAt: startAtToProto(sub.startAt),
      })),
      dedupWindow: msToProtoDuration(spec.dedupWindowMs),
      maxMessageBytes: spec.maxMessageBytes,
      deletionPolicy: DELETION_TO_PROTO[spec.deletionPolicy],
    },
    status: {
      ready: !view.draining,
      leader: live.leader,
      messages: view.messages,
      bytes: view.bytes,
      subscriptions: view.subscriptions.map((s) => subscriptionStatus(s, view.name, live)),
    },
    createTime: msToProtoTimestamp(view.createdMs),
  };
}
