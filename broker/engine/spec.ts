// Validation of Queue and Topic specs as the engine sees them (milliseconds and bytes). The API
// layer converts YAML/proto values first; these checks are the last line, so a bad spec coming
// through the log is refused the same way on every replica. Exported for the API to call early.

import { isWharfError } from '../../common/errors.ts';
import { parseFilter } from './filter.ts';
import type { DeliverySettings, QueueSpec, Retention, SubscriptionSpec, TopicSpec } from './types.ts';

const ORDERINGS = ['None', 'PerKey'];
const OVERFLOWS = ['RejectPublish', 'DropOldest'];
const DELETION_POLICIES = ['Delete', 'Retain', 'Drain'];
/** Largest number of partitions of one topic. */
export const MAX_PARTITIONS = 1024;
/** Largest number of subscriptions of one topic (declared and ephemeral). */
export const MAX_SUBSCRIPTIONS = 1024;

function count(value: unknown, field: string, min = 0): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    return `${field} must be an integer >= ${min}, got ${String(value)}`;
  }
  return undefined;
}

function retentionError(retention: Retention | undefined): string | undefined {
  if (typeof retention !== 'object' || retention === null) return 'retention is missing';
  return (
    count(retention.maxAgeMs, 'retention.maxAgeMs') ??
    count(retention.maxMessages, 'retention.maxMessages') ??
    count(retention.maxBytes, 'retention.maxBytes')
  );
}

function deliveryError(s: DeliverySettings, prefix: string, self: string): string | undefined {
  const error =
    count(s.ackDeadlineMs, `${prefix}ackDeadlineMs`, 1) ??
    count(s.maxDeliveries, `${prefix}maxDeliveries`) ??
    count(s.retryBackoffMinMs, `${prefix}retryBackoffMinMs`) ??
    count(s.retryBackoffMaxMs, `${prefix}retryBackoffMaxMs`);
  if (error !== undefined) return error;
  if (s.retryBackoffMaxMs > 0 && s.retryBackoffMinMs > s.retryBackoffMaxMs) {
    return `${prefix}retryBackoffMinMs (${s.retryBackoffMinMs}) is above retryBackoffMaxMs (${s.retryBackoffMaxMs})`;
  }
  if (!ORDERINGS.includes(s.ordering)) return `${prefix}ordering must be None or PerKey, got ${String(s.ordering)}`;
  if (typeof s.deadLetterQueue !== 'string') return `${prefix}deadLetterQueue must be a string`;
  if (s.deadLetterQueue === self) return `${prefix}deadLetterQueue cannot be ${self} itself`;
  return undefined;
}

function commonError(
  spec: { dedupWindowMs: number; maxMessageBytes: number; deletionPolicy: string; replicas: number },
  retention: Retention,
): string | undefined {
  return (
    count(spec.replicas, 'replicas') ??
    count(spec.dedupWindowMs, 'dedupWindowMs') ??
    count(spec.maxMessageBytes, 'maxMessageBytes') ??
    retentionError(retention) ??
    (DELETION_POLICIES.includes(spec.deletionPolicy)
      ? undefined
      : `deletionPolicy must be Delete, Retain or Drain, got ${String(spec.deletionPolicy)}`)
  );
}

/** The first problem with a queue spec, or undefined. */
export function queueSpecError(name: string, spec: QueueSpec): string | undefined {
  if (typeof spec !== 'object' || spec === null) return 'spec is missing';
  return (
    commonError(spec, spec.retention) ??
    deliveryError(spec, '', name) ??
    (OVERFLOWS.includes(spec.overflow)
      ? undefined
      : `overflow must be RejectPublish or DropOldest, got ${String(spec.overflow)}`)
  );
}

export function subscriptionSpecError(topic: string, spec: SubscriptionSpec): string | undefined {
  if (typeof spec !== 'object' || spec === null) return 'subscription spec is missing';
  if (typeof spec.name !== 'string' || spec.name === '') return 'a topic subscription needs a name';
  const prefix = `subscription ${spec.name}: `;
  const error = deliveryError(spec, prefix, topic);
  if (error !== undefined) return error;
  if (typeof spec.filter !== 'string') return `${prefix}filter must be a string`;
  try {
    parseFilter(spec.filter);
  } catch (e) {
    if (isWharfError(e)) return `${prefix}${e.message}`;
    throw e;
  }
  const startAt = spec.startAt;
  if (startAt !== 'Earliest' && startAt !== 'Latest' && (typeof startAt !== 'number' || !Number.isFinite(startAt))) {
    return `${prefix}startAt must be Earliest, Latest or a time, got ${String(startAt)}`;
  }
  return undefined;
}

export function topicSpecError(name: string, spec: TopicSpec): string | undefined {
  if (typeof spec !== 'object' || spec === null) return 'spec is missing';
  const error = commonError(spec, spec.retention) ?? count(spec.partitions, 'partitions', 1);
  if (error !== undefined) return error;
  if (spec.partitions > MAX_PARTITIONS) return `partitions must be at most ${MAX_PARTITIONS}, got ${spec.partitions}`;
  if (!Array.isArray(spec.subscriptions)) return 'subscriptions must be a list';
  if (spec.subscriptions.length > MAX_SUBSCRIPTIONS) return `more than ${MAX_SUBSCRIPTIONS} subscriptions`;
  const names = new Set<string>();
  for (const sub of spec.subscriptions) {
    const subError = subscriptionSpecError(name, sub);
    if (subError !== undefined) return subError;
    if (names.has(sub.name)) return `subscription ${sub.name} is declared twice`;
    names.add(sub.name);
  }
  return undefined;
}

/** The delivery settings of a queue's one subscription. */
export function queueDelivery(spec: QueueSpec): DeliverySettings {
  return {
    ackDeadlineMs: spec.ackDeadlineMs,
    maxDeliveries: spec.maxDeliveries,
    deadLetterQueue: spec.deadLetterQueue,
    retryBackoffMinMs: spec.retryBackoffMinMs,
    retryBackoffMaxMs: spec.retryBackoffMaxMs,
    ordering: spec.ordering,
  };
}
