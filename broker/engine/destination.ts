// One Queue or Topic: its message store, its subscriptions (a Queue has exactly one, named ''),
// deduplication, partition counters, and the store-level timers (TTL and age retention).

import { assert } from '../../common/assert.ts';
import { failedPrecondition, invalidArgument, resourceExhausted, type WharfError } from '../../common/errors.ts';
import { DedupIndex } from './dedup.ts';
import { keptHeaders, matches, parseFilter } from './filter.ts';
import { partitionOfKey } from './hash.ts';
import { formatReceipt } from './receipt.ts';
import { queueDelivery } from './spec.ts';
import { type DeadLetterInfo, MessageStore } from './store.ts';
import {
  type GoneReason,
  INFLIGHT,
  type Leased,
  type LeftReason,
  MAX_PRIORITY,
  Subscription,
  type SubscriptionHost,
} from './subscription.ts';
import {
  DEAD_LETTER_HEADERS,
  type Delivery,
  type MessageRef,
  type PublishItem,
  type PublishOutcome,
  type QueueSpec,
  type Retention,
  type SubscriptionSpec,
  type SubscriptionStats,
  type TopicSpec,
} from './types.ts';

/** Something with timers the engine runs when their time comes. */
export interface TimerOwner {
  readonly uid: number;
  /** The time of this owner's live entry in the engine's timer heap (Infinity: none). */
  scheduledMs: number;
  process(): void;
  nextDeadlineMs(): number;
}

export interface EngineHooks {
  clockMs(): number;
  newUid(): number;
  schedule(owner: TimerOwner, timeMs: number): void;
  /** The owner is gone: its timer entries become stale. */
  forget(owner: TimerOwner): void;
  deadLetter(from: Destination, sub: Subscription, seq: number, attempts: number, reason: string): void;
  /** The TTL of message `seq` ran out and it is about to be dropped (reported, nothing else). */
  expiring(from: Destination, seq: number): void;
}

export type Definition = { readonly kind: 'queue'; spec: QueueSpec } | { readonly kind: 'topic'; spec: TopicSpec };

/** A message moved in from elsewhere (dead-lettered or redriven). */
export interface MovedMessage {
  readonly ref: MessageRef;
  readonly bytes: number;
  readonly priority: number;
  readonly key: string;
  readonly id: string;
  readonly partition: number;
  /** Set when dead-lettering into this queue. */
  readonly deadLetter: DeadLetterInfo | undefined;
  /** Redrive into a topic: the one subscription that gets it. */
  readonly target: Subscription | undefined;
}

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function failure(error: WharfError): PublishOutcome {
  return { ok: false, kind: error.kind, message: error.message };
}

export class Destination implements SubscriptionHost, TimerOwner {
  readonly uid: number;
  readonly name: string;
  readonly createdMs: number;
  readonly def: Definition;
  draining = false;
  scheduledMs = Number.POSITIVE_INFINITY;
  readonly store: MessageStore;
  /** In creation (= uid) order. */
  readonly subs = new Map<string, Subscription>();
  readonly subsByUid = new Map<number, Subscription>();
  readonly dedup = new DedupIndex();
  /** Topics: the last sequence number of each partition. */
  partitionSeqs: number[];
  /** Topics: the round-robin counter for messages without a key. */
  roundRobin = 0;
  readonly #hooks: EngineHooks;
  readonly #uidText: string;

  constructor(
    hooks: EngineHooks,
    init: { uid: number; name: string; createdMs: number; def: Definition; nextSeq?: number },
  ) {
    this.#hooks = hooks;
    this.uid = init.uid;
    this.name = init.name;
    this.createdMs = init.createdMs;
    this.def = init.def;
    this.#uidText = init.uid.toString(36);
    this.store = new MessageStore(init.def.kind === 'topic', init.nextSeq ?? 1);
    this.partitionSeqs = init.def.kind === 'topic' ? new Array<number>(init.def.spec.partitions).fill(0) : [];
  }

  get kind(): 'queue' | 'topic' {
    return this.def.kind;
  }
  get retention(): Retention {
    return this.def.spec.retention;
  }

  // ---- SubscriptionHost ----------------------------------------------------------------------

  clockMs(): number {
    return this.#hooks.clockMs();
  }
  schedule(owner: Subscription, timeMs: number): void {
    this.#hooks.schedule(owner, timeMs);
  }
  deadLetter(sub: Subscription, seq: number, attempts: number, reason: string): void {
    this.#hooks.deadLetter(this, sub, seq, attempts, reason);
  }
  left(_sub: Subscription, seq: number, _why: LeftReason): void {
    // A queue's message lives as long as its one subscription holds it; a topic keeps it for retention.
    if (this.def.kind === 'queue' && this.store.has(seq)) this.store.remove(seq);
  }

  // ---- subscriptions -------------------------------------------------------------------------

  /** The queue's one subscription. */
  queueSub(): Subscription {
    const sub = this.subs.get('');
    assert(this.def.kind === 'queue' && sub !== undefined, `${this.name} is not a queue`);
    return sub;
  }

  createQueueSub(uid: number): Subscription {
    assert(this.def.kind === 'queue' && this.subs.size === 0);
    const sub = new Subscription(this, {
      uid,
      name: '',
      ephemeral: false,
      settings: queueDelivery(this.def.spec),
      spec: undefined,
      filter: undefined,
    });
    this.#addSub(sub);
    return sub;
  }

  /** A new topic subscription, with no messages yet (see `materialize`). */
  createTopicSub(uid: number, spec: SubscriptionSpec, ephemeral: boolean): Subscription {
    assert(this.def.kind === 'topic' && !this.subs.has(spec.name));
    const filter = parseFilter(spec.filter);
    const sub = new Subscription(this, { uid, name: spec.name, ephemeral, settings: spec, spec, filter });
    this.#addSub(sub);
    return sub;
  }

  /** Gives a new subscription the retained messages its startAt asks for. O(retained messages). */
  materialize(sub: Subscription): void {
    const startAt = sub.spec?.startAt ?? 'Latest';
    if (startAt === 'Latest') return;
    const fromMs = startAt === 'Earliest' ? Number.NEGATIVE_INFINITY : startAt;
    const store = this.store;
    for (const seq of store.live()) {
      if (store.target.has(seq) || store.publishMs(seq) < fromMs) continue;
      if (matches(sub.filter, store.headers(seq))) sub.admit(seq);
    }
  }

  #addSub(sub: Subscription): void {
    this.subs.set(sub.name, sub);
    this.subsByUid.set(sub.uid, sub);
  }

  removeSub(name: string): void {
    const sub = this.subs.get(name);
    if (sub === undefined) return;
    this.subs.delete(name);
    this.subsByUid.delete(sub.uid);
    this.#hooks.forget(sub);
  }

  /** Every message settled: what Drain waits for. */
  isEmpty(): boolean {
    for (const sub of this.subs.values()) if (sub.pending > 0) return false;
    return true;
  }

  // ---- publishing ----------------------------------------------------------------------------

  publish(item: PublishItem, ref: MessageRef): PublishOutcome {
    const nowMs = this.#hooks.clockMs();
    const spec = this.def.spec;
    if (this.draining) {
      return failure(failedPrecondition(`${this.name} is draining (being deleted): it takes no new messages`));
    }
    const size = item.payload.length;
    if (spec.maxMessageBytes > 0 && size > spec.maxMessageBytes) {
      return failure(
        invalidArgument(
          `message of ${size} bytes is larger than ${this.name}'s maxMessageBytes (${spec.maxMessageBytes})`,
        ),
      );
    }
    if (!Number.isInteger(item.priority) || item.priority < 0 || item.priority > MAX_PRIORITY) {
      return failure(invalidArgument(`priority must be 0..${MAX_PRIORITY}, got ${item.priority}`));
    }
    if (!Number.isSafeInteger(item.delayMs) || item.delayMs < 0) {
      return failure(invalidArgument(`delay must be a whole number of ms >= 0, got ${item.delayMs}`));
    }
    if (!Number.isSafeInteger(item.ttlMs) || item.ttlMs < 0) {
      return failure(invalidArgument(`ttl must be a whole number of ms >= 0, got ${item.ttlMs}`));
    }
    const dedupOn = item.dedupId !== '' && spec.dedupWindowMs > 0;
    if (dedupOn) {
      const seen = this.dedup.lookup(item.dedupId, nowMs, spec.dedupWindowMs);
      if (seen !== undefined) {
        return {
          ok: true,
          messageId: seen.messageId,
          sequence: seen.sequence,
          partition: seen.partition,
          duplicate: true,
        };
      }
    }
    const room = this.#makeRoom(size, this.def.kind === 'queue' && this.def.spec.overflow === 'RejectPublish');
    if (room !== undefined) return failure(room);

    let partition = 0;
    let partitionSeq = 0;
    if (this.def.kind === 'topic') {
      const partitions = this.partitionSeqs.length;
      partition = item.key !== '' ? partitionOfKey(item.key, partitions) : this.roundRobin++ % partitions;
      partitionSeq = (this.partitionSeqs[partition] ?? 0) + 1;
      this.partitionSeqs[partition] = partitionSeq;
    }
    const headers = this.def.kind === 'topic' ? keptHeaders(item.headers) : undefined;
    const seq = this.store.append({
      ref,
      publishMs: nowMs,
      bytes: size,
      priority: item.priority,
      dueMs: item.delayMs > 0 ? nowMs + item.delayMs : 0,
      expiresMs: item.ttlMs > 0 ? nowMs + item.ttlMs : 0,
      key: item.key,
      id: item.id,
      headers,
      partition,
      partitionSeq,
      moved: false,
    });
    for (const sub of this.subs.values()) {
      if (sub.filter === undefined || matches(sub.filter, headers)) sub.admit(seq);
    }
    const messageId = this.messageId(seq);
    const sequence = this.def.kind === 'topic' ? partitionSeq : seq;
    if (dedupOn) this.dedup.record({ dedupId: item.dedupId, firstSeenMs: nowMs, messageId, sequence, partition });
    this.#scheduleStore(seq);
    return { ok: true, messageId, sequence, partition, duplicate: false };
  }

  /**
   * Makes room for one more message of `size` bytes under the retention limits. Topics and
   * DropOldest queues drop their oldest messages (queues only waiting ones); `reject` refuses instead.
   */
  #makeRoom(size: number, reject: boolean): WharfError | undefined {
    const { maxMessages, maxBytes } = this.retention;
    const store = this.store;
    if (maxBytes > 0 && size > maxBytes) {
      return resourceExhausted(
        `message of ${size} bytes is larger than ${this.name}'s retention.maxBytes (${maxBytes})`,
      );
    }
    const over = (): string | undefined => {
      if (maxMessages > 0 && store.liveCount + 1 > maxMessages) return `retention.maxMessages (${maxMessages})`;
      if (maxBytes > 0 && store.liveBytes + size > maxBytes) return `retention.maxBytes (${maxBytes})`;
      return undefined;
    };
    let limit = over();
    if (limit === undefined) return undefined;
    if (reject) return resourceExhausted(`${this.name} is full: ${limit} reached (overflow: RejectPublish)`);
    // Each round drops one message, so this ends within the store's size.
    while (limit !== undefined) {
      const victim = this.#oldestDroppable();
      if (victim === undefined) {
        return resourceExhausted(`${this.name} is full: ${limit} reached and every message is in flight`);
      }
      this.drop(victim, 'dropped');
      limit = over();
    }
    return undefined;
  }

  /** The oldest message retention may drop: any for a topic, the oldest not leased for a queue. */
  #oldestDroppable(): number | undefined {
    let seq = this.store.first();
    if (this.def.kind === 'topic') return seq;
    const sub = this.queueSub();
    while (seq !== undefined && sub.stateOf(seq) === INFLIGHT) seq = this.store.nextLive(seq + 1);
    return seq;
  }

  #scheduleStore(seq: number): void {
    const expiresMs = this.store.expiresMs(seq);
    if (expiresMs > 0) this.#hooks.schedule(this, expiresMs);
    const maxAgeMs = this.retention.maxAgeMs;
    if (maxAgeMs > 0) this.#hooks.schedule(this, this.store.publishMs(seq) + maxAgeMs);
  }

  /** Removes a message from the store and every subscription (TTL, retention). */
  drop(seq: number, why: GoneReason): void {
    if (why === 'expired') this.#hooks.expiring(this, seq);
    for (const sub of this.subs.values()) sub.remove(seq, why);
    if (this.store.has(seq)) this.store.remove(seq);
  }

  /** Appends a dead-lettered or redriven message. Limits apply by dropping, never by refusing. */
  appendMoved(m: MovedMessage): number {
    // A full RejectPublish queue still takes dead letters (over its limit) rather than lose them.
    if (this.def.kind === 'topic' || this.def.spec.overflow === 'DropOldest') this.#makeRoom(m.bytes, false);
    let partitionSeq = 0;
    if (this.def.kind === 'topic') {
      assert(m.partition < this.partitionSeqs.length, 'redrive into a partition that does not exist');
      partitionSeq = (this.partitionSeqs[m.partition] ?? 0) + 1;
      this.partitionSeqs[m.partition] = partitionSeq;
    }
    const seq = this.store.append({
      ref: m.ref,
      publishMs: this.#hooks.clockMs(),
      bytes: m.bytes,
      priority: m.priority,
      dueMs: 0,
      expiresMs: 0,
      key: m.key,
      id: m.id,
      headers: undefined,
      partition: m.partition,
      partitionSeq,
      moved: true,
    });
    if (m.deadLetter !== undefined) this.store.deadLetterInfo.set(seq, m.deadLetter);
    if (this.def.kind === 'queue') {
      this.queueSub().admit(seq);
    } else {
      assert(
        m.target !== undefined && this.subsByUid.get(m.target.uid) === m.target,
        'redrive into a topic needs its subscription',
      );
      this.store.target.set(seq, m.target.uid);
      m.target.admit(seq);
    }
    this.#scheduleStore(seq);
    return seq;
  }

  // ---- store timers --------------------------------------------------------------------------

  process(): void {
    const nowMs = this.#hooks.clockMs();
    const store = this.store;
    const ttl = store.ttl;
    while (ttl.size > 0 && ttl.topPrimary() <= nowMs) {
      const timeMs = ttl.topPrimary();
      const seq = ttl.topSecondary();
      ttl.pop();
      if (store.has(seq) && store.expiresMs(seq) === timeMs) this.drop(seq, 'expired');
    }
    const maxAgeMs = this.retention.maxAgeMs;
    if (maxAgeMs > 0) {
      for (
        let seq = store.first();
        seq !== undefined && store.publishMs(seq) + maxAgeMs <= nowMs;
        seq = store.first()
      ) {
        this.drop(seq, 'dropped');
      }
    }
    this.dedup.evict(nowMs, this.def.spec.dedupWindowMs);
  }

  nextDeadlineMs(): number {
    const store = this.store;
    const ttl = store.ttl;
    while (
      ttl.size > 0 &&
      !(store.has(ttl.topSecondary()) && store.expiresMs(ttl.topSecondary()) === ttl.topPrimary())
    ) {
      ttl.pop();
    }
    let next = ttl.topPrimary();
    const maxAgeMs = this.retention.maxAgeMs;
    const first = maxAgeMs > 0 ? store.first() : undefined;
    if (first !== undefined) next = Math.min(next, store.publishMs(first) + maxAgeMs);
    return next;
  }

  // ---- reading -------------------------------------------------------------------------------

  messageId(seq: number): string {
    const id = this.store.id(seq);
    return id !== '' ? id : `${this.#uidText}-${seq.toString(36)}`;
  }

  delivery(sub: Subscription, leased: Leased): Delivery {
    const store = this.store;
    const seq = leased.seq;
    const info = store.deadLetterInfo.get(seq);
    return {
      ref: store.ref(seq),
      destination: this.name,
      subscription: sub.name,
      messageId: this.messageId(seq),
      sequence: store.sequence(seq),
      partition: store.partition(seq),
      publishMs: store.publishMs(seq),
      attempt: leased.attempt,
      leaseExpiresMs: leased.leaseExpiresMs,
      receipt: formatReceipt({ destinationUid: this.uid, subscriptionUid: sub.uid, seq, attempt: leased.attempt }),
      extraHeaders: info === undefined ? EMPTY_HEADERS : deadLetterHeaders(info),
    };
  }

  stats(sub: Subscription, nowMs: number): SubscriptionStats {
    const oldest = sub.oldestSeq();
    return {
      name: sub.name,
      depth: sub.depth,
      delayed: sub.delayed,
      inFlight: sub.inFlight,
      oldestMessageAgeMs: oldest === undefined ? 0 : Math.max(0, nowMs - this.store.publishMs(oldest)),
      deadLettered: sub.counters.deadLettered,
      ephemeral: sub.ephemeral,
      acked: sub.counters.acked,
      expired: sub.counters.expired,
      dropped: sub.counters.dropped,
    };
  }
}

export function deadLetterHeaders(info: DeadLetterInfo): Readonly<Record<string, string>> {
  return {
    [DEAD_LETTER_HEADERS.origin]: info.origin,
    [DEAD_LETTER_HEADERS.subscription]: info.subscription,
    [DEAD_LETTER_HEADERS.attempts]: String(info.attempts),
    [DEAD_LETTER_HEADERS.reason]: info.reason,
    [DEAD_LETTER_HEADERS.timeMs]: String(info.timeMs),
    [DEAD_LETTER_HEADERS.originalId]: info.originalId,
  };
}
