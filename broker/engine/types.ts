// The engine's contract: resource specs, the commands that are applied from the log, and what
// applying them returns. Everything here is plain data; times are epoch milliseconds stamped by
// the leader into each command (the engine never reads a clock), durations are milliseconds,
// sizes are bytes, and 0 means "no limit" for limits.

import type { ErrorKind } from '../../common/errors.ts';

export type Ordering = 'None' | 'PerKey';
export type Overflow = 'RejectPublish' | 'DropOldest';
export type DeletionPolicy = 'Delete' | 'Retain' | 'Drain';
/** 'Earliest', 'Latest', or an epoch time in ms: messages published at or after it. */
export type StartAt = 'Earliest' | 'Latest' | number;

export interface Retention {
  readonly maxAgeMs: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export interface DeliverySettings {
  readonly ackDeadlineMs: number;
  /** 0: unlimited redeliveries. */
  readonly maxDeliveries: number;
  /** Canonical "<namespace>/<name>" of a Queue, or '' (then messages over maxDeliveries are discarded and counted). */
  readonly deadLetterQueue: string;
  readonly retryBackoffMinMs: number;
  readonly retryBackoffMaxMs: number;
  readonly ordering: Ordering;
}

export interface QueueSpec extends DeliverySettings {
  readonly replicas: number;
  /** 0: no deduplication. */
  readonly dedupWindowMs: number;
  readonly retention: Retention;
  readonly overflow: Overflow;
  readonly maxMessageBytes: number;
  readonly deletionPolicy: DeletionPolicy;
}

export interface SubscriptionSpec extends DeliverySettings {
  readonly name: string;
  /** Header filter, e.g. "headers.type == 'invoice'"; '' takes every message. */
  readonly filter: string;
  readonly startAt: StartAt;
}

export interface TopicSpec {
  readonly partitions: number;
  readonly replicas: number;
  readonly retention: Retention;
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly dedupWindowMs: number;
  readonly maxMessageBytes: number;
  readonly deletionPolicy: DeletionPolicy;
}

/** One message as a producer published it; stored in the log, never kept whole in engine memory. */
export interface PublishItem {
  /** Canonical destination name. */
  readonly destination: string;
  /** Producer-chosen id, or '' for the engine to assign one. */
  readonly id: string;
  readonly payload: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string;
  readonly dedupId: string;
  readonly priority: number;
  readonly delayMs: number;
  /** 0: never expires. */
  readonly ttlMs: number;
  readonly replyTo: string;
  readonly correlationId: string;
}

/** Where a message body lives: the publish command at log `index`, item number `slot`. */
export interface MessageRef {
  readonly index: number;
  readonly slot: number;
}

export type SettleOp = 'ack' | 'nack' | 'extend';

/** The commands of the replicated log. Every one carries the leader's time as `nowMs`. */
export type Command =
  | { readonly type: 'applyQueue'; readonly nowMs: number; readonly name: string; readonly spec: QueueSpec }
  | { readonly type: 'deleteQueue'; readonly nowMs: number; readonly name: string }
  | { readonly type: 'applyTopic'; readonly nowMs: number; readonly name: string; readonly spec: TopicSpec }
  | { readonly type: 'deleteTopic'; readonly nowMs: number; readonly name: string }
  | { readonly type: 'publish'; readonly nowMs: number; readonly items: readonly PublishItem[] }
  | {
      readonly type: 'lease';
      readonly nowMs: number;
      readonly destination: string;
      /** '' for a Queue. */
      readonly subscription: string;
      readonly max: number;
      /** 0: the subscription's own ackDeadlineMs. */
      readonly ackDeadlineMs: number;
    }
  | {
      readonly type: 'settle';
      readonly nowMs: number;
      readonly op: SettleOp;
      readonly receipts: readonly string[];
      /** nack: redelivery delay (0: the retry backoff); extend: the new lease length from nowMs (0: the ack deadline). */
      readonly delayMs: number;
      /** nack only: straight to the dead-letter queue. */
      readonly deadLetter: boolean;
      readonly reason: string;
    }
  | {
      /** A run-time subscription on a topic, removed by `unsubscribe` when its last consumer leaves. */
      readonly type: 'subscribe';
      readonly nowMs: number;
      readonly destination: string;
      readonly spec: SubscriptionSpec;
    }
  | {
      readonly type: 'unsubscribe';
      readonly nowMs: number;
      readonly destination: string;
      readonly subscription: string;
    }
  | { readonly type: 'redrive'; readonly nowMs: number; readonly deadLetterQueue: string; readonly max: number }
  /** Advances time: expires leases and TTLs, releases delayed messages, applies age retention. */
  | { readonly type: 'tick'; readonly nowMs: number };

export type CommandType = Command['type'];

export interface Failure {
  readonly ok: false;
  readonly kind: ErrorKind;
  readonly message: string;
}

export type PublishOutcome =
  | {
      readonly ok: true;
      readonly messageId: string;
      readonly sequence: number;
      readonly partition: number;
      readonly duplicate: boolean;
    }
  | Failure;

/**
 * One leased message. A dead-lettered or redriven message is a new message of the queue it moved
 * to (its own sequence there, publishMs = when it moved) that keeps the original messageId and
 * the original MessageRef (the body is not copied).
 */
export interface Delivery {
  readonly ref: MessageRef;
  readonly destination: string;
  readonly subscription: string;
  readonly messageId: string;
  readonly sequence: number;
  readonly partition: number;
  readonly publishMs: number;
  readonly attempt: number;
  readonly leaseExpiresMs: number;
  readonly receipt: string;
  /** Headers the engine adds on top of the stored ones (dead-letter origin, reason, attempts). */
  readonly extraHeaders: Readonly<Record<string, string>>;
}

export type SettleOutcome = 'ok' | 'expired' | 'unknown';

/**
 * What applying a command returns. applyQueue/applyTopic/subscribe answer 'applied' (subscribe
 * with `name` = the topic, also when the subscription already existed); deleteQueue/deleteTopic
 * answer 'deleted' (`draining: true` while a Drain waits for the destination to empty), and so
 * does unsubscribe (`name` = the topic; also when there was no such subscription).
 */
export type ApplyResult =
  | { readonly type: 'applied'; readonly name: string }
  | { readonly type: 'deleted'; readonly name: string; readonly draining: boolean }
  | { readonly type: 'published'; readonly outcomes: readonly PublishOutcome[] }
  | { readonly type: 'leased'; readonly deliveries: readonly Delivery[] }
  | { readonly type: 'settled'; readonly outcomes: readonly SettleOutcome[] }
  | { readonly type: 'redriven'; readonly count: number }
  | { readonly type: 'ticked' }
  | Failure;

/**
 * A message whose TTL ran out while a command was applied: the engine dropped it and delivers it
 * no more (a lease already held on it may still be acked). Reported once per message, also for a
 * topic with many subscriptions; not replicated state (see Engine.lastExpired).
 */
export interface ExpiredMessage {
  readonly destination: string;
  readonly messageId: string;
  /** Where its body is stored (the log may drop it any time after this). */
  readonly ref: MessageRef;
  /** The engine's time when it was dropped: the stamp of the command being applied. */
  readonly timeMs: number;
}

/** Counters for one subscription (a Queue has exactly one, named ''). */
export interface SubscriptionStats {
  readonly name: string;
  /** Messages waiting to be delivered, including delayed ones. */
  readonly depth: number;
  readonly delayed: number;
  readonly inFlight: number;
  readonly oldestMessageAgeMs: number;
  readonly deadLettered: number;
  readonly ephemeral: boolean;
  /** Messages acknowledged by this subscription. */
  readonly acked: number;
  /** Messages whose TTL passed before this subscription settled them. */
  readonly expired: number;
  /** Messages retention dropped (age, maxMessages/maxBytes, DropOldest) before this subscription settled them. */
  readonly dropped: number;
}

export interface QueueView {
  readonly name: string;
  readonly spec: QueueSpec;
  readonly createdMs: number;
  readonly draining: boolean;
  readonly bytes: number;
  readonly stats: SubscriptionStats;
}

export interface TopicView {
  readonly name: string;
  readonly spec: TopicSpec;
  readonly createdMs: number;
  readonly draining: boolean;
  readonly messages: number;
  readonly bytes: number;
  readonly subscriptions: readonly SubscriptionStats[];
}

/** Header names the engine puts on dead-lettered messages. */
export const DEAD_LETTER_HEADERS = {
  origin: 'wharf-dlq-origin',
  subscription: 'wharf-dlq-subscription',
  attempts: 'wharf-dlq-attempts',
  reason: 'wharf-dlq-reason',
  timeMs: 'wharf-dlq-time-ms',
  originalId: 'wharf-dlq-original-id',
} as const;
