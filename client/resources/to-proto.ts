// Validated resource documents → admin proto Queue/Topic messages. Only fields the document sets
// are set (the broker fills in the documented defaults), durations become google.protobuf.Duration,
// enums their proto names. Pure module.
import { msToProtoDuration } from '../../common/duration.ts';
import type { Queue } from '../../proto/gen/wharf/v1/Queue.ts';
import type { QueueSpec } from '../../proto/gen/wharf/v1/QueueSpec.ts';
import type { Retention } from '../../proto/gen/wharf/v1/Retention.ts';
import type { RetryBackoff } from '../../proto/gen/wharf/v1/RetryBackoff.ts';
import type { SubscriptionSpec } from '../../proto/gen/wharf/v1/SubscriptionSpec.ts';
import type { Topic } from '../../proto/gen/wharf/v1/Topic.ts';
import type { TopicSpec } from '../../proto/gen/wharf/v1/TopicSpec.ts';
import type { DeliveryInput, QueueDocument, RetentionInput, TopicDocument } from './schema.ts';

export const ORDERING_TO_PROTO = { None: 'ORDERING_NONE', PerKey: 'ORDERING_PER_KEY' } as const;
export const OVERFLOW_TO_PROTO = {
  RejectPublish: 'OVERFLOW_REJECT_PUBLISH',
  DropOldest: 'OVERFLOW_DROP_OLDEST',
} as const;
export const DELETION_POLICY_TO_PROTO = {
  Delete: 'DELETION_POLICY_DELETE',
  Retain: 'DELETION_POLICY_RETAIN',
  Drain: 'DELETION_POLICY_DRAIN',
} as const;

/** Copies the defined entries only, so absent fields stay absent (exactOptionalPropertyTypes). */
function defined<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as Array<keyof T>) {
    const value = fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

const duration = (ms: number | undefined) => (ms === undefined ? undefined : msToProtoDuration(ms));

/** "orders-dlq" → "<namespace>/orders-dlq"; "other/x" stays. */
export function qualify(ref: string | undefined, namespace: string): string | undefined {
  if (ref === undefined) return undefined;
  return ref.includes('/') ? ref : `${namespace}/${ref}`;
}

function retryBackoff(input: DeliveryInput['retryBackoff']): RetryBackoff | undefined {
  if (input === undefined) return undefined;
  return defined<RetryBackoff>({ min: duration(input.min), max: duration(input.max) });
}

function retention(input: RetentionInput | undefined): Retention | undefined {
  if (input === undefined) return undefined;
  return defined<Retention>({
    maxAge: duration(input.maxAge),
    maxMessages: input.maxMessages,
    maxBytes: input.maxBytes,
  });
}

function delivery(input: DeliveryInput, namespace: string) {
  return {
    ackDeadline: duration(input.ackDeadline),
    maxDeliveries: input.maxDeliveries,
    deadLetterQueue: qualify(input.deadLetterQueue, namespace),
    retryBackoff: retryBackoff(input.retryBackoff),
    ordering: input.ordering === undefined ? undefined : ORDERING_TO_PROTO[input.ordering],
  };
}

export function queueToProto(doc: QueueDocument, namespace: string): Queue {
  const spec = doc.spec ?? {};
  return {
    name: `${namespace}/${doc.metadata.name}`,
    spec: defined<QueueSpec>({
      replicas: spec.replicas,
      ...delivery(spec, namespace),
      dedupWindow: duration(spec.dedupWindow),
      retention: retention(spec.retention),
      overflow: spec.overflow === undefined ? undefined : OVERFLOW_TO_PROTO[spec.overflow],
      maxMessageBytes: spec.maxMessageBytes,
      deletionPolicy: spec.deletionPolicy === undefined ? undefined : DELETION_POLICY_TO_PROTO[spec.deletionPolicy],
    }),
  };
}

export function topicToProto(doc: TopicDocument, namespace: string): Topic {
  const spec = doc.spec ?? {};
  return {
    name: `${namespace}/${doc.metadata.name}`,
    spec: defined<TopicSpec>({
      partitions: spec.partitions,
      replicas: spec.replicas,
      retention: retention(spec.retention),
      subscriptions: (spec.subscriptions ?? []).map((sub) =>
        defined<SubscriptionSpec>({
          name: sub.name,
          ...delivery(sub, namespace),
          filter: sub.filter,
          startAt: sub.startAt,
        }),
      ),
      dedupWindow: duration(spec.dedupWindow),
      maxMessageBytes: spec.maxMessageBytes,
      deletionPolicy: spec.deletionPolicy === undefined ? undefined : DELETION_POLICY_TO_PROTO[spec.deletionPolicy],
    }),
  };
}
