// Admin proto Queue/Topic (as the broker returns them) → the resource's YAML shape, for
// `--json` and `-o yaml` output. Unset and zero values are left out; durations and sizes are
// written the way people write them ("30s", "10Gi"). Pure module.
import { formatDurationMs, protoDurationMs } from '../../common/duration.ts';
import { splitDestination } from '../../common/names.ts';
import { formatBytes } from '../../common/quantity.ts';
import type { Duration__Output } from '../../proto/gen/google/protobuf/Duration.ts';
import type { Timestamp__Output } from '../../proto/gen/google/protobuf/Timestamp.ts';
import type { Queue__Output } from '../../proto/gen/wharf/v1/Queue.ts';
import type { Retention__Output } from '../../proto/gen/wharf/v1/Retention.ts';
import type { RetryBackoff__Output } from '../../proto/gen/wharf/v1/RetryBackoff.ts';
import type { SubscriptionSpec__Output } from '../../proto/gen/wharf/v1/SubscriptionSpec.ts';
import type { Topic__Output } from '../../proto/gen/wharf/v1/Topic.ts';
import { API_VERSION } from './schema.ts';
import { DELETION_POLICY_TO_PROTO, ORDERING_TO_PROTO, OVERFLOW_TO_PROTO } from './to-proto.ts';

export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue };
export type YamlObject = { [key: string]: YamlValue };

function invert<K extends string, V extends string>(table: Record<K, V>): Record<string, K | undefined> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<string, K | undefined>;
}
const ORDERING_FROM_PROTO = invert(ORDERING_TO_PROTO);
const OVERFLOW_FROM_PROTO = invert(OVERFLOW_TO_PROTO);
const DELETION_POLICY_FROM_PROTO = invert(DELETION_POLICY_TO_PROTO);

/** Leaves out undefined, '', 0, false and empty mappings/lists. */
function compact(fields: Record<string, YamlValue | undefined | null>): YamlObject {
  const out: YamlObject = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '' || value === 0 || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}

export function durationText(value: Duration__Output | null | undefined): string | undefined {
  const ms = protoDurationMs(value, 'duration');
  return ms === undefined || ms === 0 ? undefined : formatDurationMs(ms);
}

export function timestampText(value: Timestamp__Output | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6);
  return ms === 0 ? undefined : new Date(ms).toISOString();
}

function sizeValue(value: number): YamlValue | undefined {
  if (value === 0) return undefined;
  const text = formatBytes(value);
  return /^\d+$/.test(text) ? value : text;
}

/** "default/orders-dlq" is written "orders-dlq" inside namespace "default". */
function localRef(ref: string, namespace: string): string {
  return ref.startsWith(`${namespace}/`) ? ref.slice(namespace.length + 1) : ref;
}

function retryBackoff(value: RetryBackoff__Output | null): YamlObject {
  return compact({ min: durationText(value?.min), max: durationText(value?.max) });
}

function retention(value: Retention__Output | null): YamlObject {
  return compact({
    maxAge: durationText(value?.maxAge),
    maxMessages: value?.maxMessages,
    maxBytes: sizeValue(value?.maxBytes ?? 0),
  });
}

function metadata(name: string, createTime: Timestamp__Output | null): YamlObject {
  const { namespace, name: local } = splitDestination(name);
  return compact({ name: local, namespace, creationTimestamp: timestampText(createTime) });
}

export function queueToResource(queue: Queue__Output): YamlObject {
  const { namespace } = splitDestination(queue.name);
  const spec = queue.spec;
  const status = queue.status;
  return compact({
    apiVersion: API_VERSION,
    kind: 'Queue',
    metadata: metadata(queue.name, queue.createTime),
    spec: compact({
      replicas: spec?.replicas,
      ackDeadline: durationText(spec?.ackDeadline),
      maxDeliveries: spec?.maxDeliveries,
      deadLetterQueue: localRef(spec?.deadLetterQueue ?? '', namespace),
      retryBackoff: retryBackoff(spec?.retryBackoff ?? null),
      ordering: ORDERING_FROM_PROTO[spec?.ordering ?? ''],
      dedupWindow: durationText(spec?.dedupWindow),
      retention: retention(spec?.retention ?? null),
      overflow: OVERFLOW_FROM_PROTO[spec?.overflow ?? ''],
      maxMessageBytes: sizeValue(spec?.maxMessageBytes ?? 0),
      deletionPolicy: DELETION_POLICY_FROM_PROTO[spec?.deletionPolicy ?? ''],
    }),
    status: status
      ? {
          ready: status.ready,
          ...compact({ leader: status.leader }),
          depth: status.depth,
          inFlight: status.inFlight,
          consumers: status.consumers,
          ...compact({
            oldestMessageAge: durationText(status.oldestMessageAge),
            deadLettered: status.deadLettered,
            bytes: status.bytes,
            delayed: status.delayed,
            draining: status.draining,
          }),
        }
      : undefined,
  });
}

function subscriptionToResource(sub: SubscriptionSpec__Output, namespace: string): YamlObject {
  return compact({
    name: sub.name,
    ackDeadline: durationText(sub.ackDeadline),
    maxDeliveries: sub.maxDeliveries,
    deadLetterQueue: localRef(sub.deadLetterQueue, namespace),
    filter: sub.filter,
    startAt: sub.startAt,
    retryBackoff: retryBackoff(sub.retryBackoff),
    ordering: ORDERING_FROM_PROTO[sub.ordering],
  });
}

export function topicToResource(topic: Topic__Output): YamlObject {
  const { namespace } = splitDestination(topic.name);
  const spec = topic.spec;
  const status = topic.status;
  return compact({
    apiVersion: API_VERSION,
    kind: 'Topic',
    metadata: metadata(topic.name, topic.createTime),
    spec: compact({
      partitions: spec?.partitions,
      replicas: spec?.replicas,
      retention: retention(spec?.retention ?? null),
      subscriptions: (spec?.subscriptions ?? []).map((sub) => subscriptionToResource(sub, namespace)),
      dedupWindow: durationText(spec?.dedupWindow),
      maxMessageBytes: sizeValue(spec?.maxMessageBytes ?? 0),
      deletionPolicy: DELETION_POLICY_FROM_PROTO[spec?.deletionPolicy ?? ''],
    }),
    status: status
      ? {
          ready: status.ready,
          ...compact({ leader: status.leader, messages: status.messages, bytes: status.bytes }),
          subscriptions: status.subscriptions.map((sub) => ({
            name: sub.name,
            depth: sub.depth,
            inFlight: sub.inFlight,
            consumers: sub.consumers,
            ...compact({
              oldestMessageAge: durationText(sub.oldestMessageAge),
              deadLettered: sub.deadLettered,
              ephemeral: sub.ephemeral,
            }),
          })),
        }
      : undefined,
  });
}
