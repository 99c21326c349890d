// The delivery state of one subscription (a Queue has one, named ''): which messages wait, which
// are leased, retried, delayed or blocked behind their key, and the timers that move them.
//
// Each pending message has one state byte (StateColumn). Ready messages are found through the
// ReadyIndex (priority, then publish order), delayed ones, retries and leases through time
// heaps; all of them skip entries whose message is no longer in the state they were pushed for.
// A record exists only for messages delivered at least once.

import { assert } from '../../common/assert.ts';
import type { Filter } from './filter.ts';
import { PairHeap } from './heap.ts';
import { KeyIndex } from './keys.ts';
import { ReadyIndex } from './ready.ts';
import { StateColumn } from './states.ts';
import type { MessageStore } from './store.ts';
import type { DeliverySettings, SettleOp, SettleOutcome, SubscriptionSpec } from './types.ts';

export const NONE = 0;
/** Waiting for its delay to pass. */
export const DELAYED = 1;
/** Waiting behind an older message of its key (PerKey). */
export const BLOCKED = 2;
export const READY = 3;
export const INFLIGHT = 4;
/** Waiting for its retry backoff after a nack or an expired lease. */
export const RETRY = 5;
const STATE_COUNT = 6;

export type GoneReason = 'expired' | 'dropped';
/** Why a message left a subscription for good. */
export type LeftReason = 'acked' | 'deadLettered' | 'redriven' | GoneReason;

export { MAX_PRIORITY } from './ready.ts';

/** The lease heap is rebuilt when it holds this many more entries than there are leases. */
const STALE_SLACK = 1024;

export interface DeliveryRecord {
  attempts: number;
  /** When the current lease ends (INFLIGHT). */
  leaseExpiresMs: number;
  /** When the retry may be delivered (RETRY). */
  notBeforeMs: number;
  /** Length of the last lease, reused by `extend` without a delay. */
  ackDeadlineMs: number;
  /** The message's key, kept because a message can leave the store while in flight. */
  key: string;
  /** Set when the message left the store (TTL, retention) while in flight. */
  gone: GoneReason | undefined;
}

/** What a subscription needs from its destination and the engine. */
export interface SubscriptionHost {
  readonly store: MessageStore;
  clockMs(): number;
  /** Asks for `process` to run at `timeMs` or later. */
  schedule(owner: Subscription, timeMs: number): void;
  /** Moves a copy of the message to the dead-letter queue (it is still in the store). */
  deadLetter(sub: Subscription, seq: number, attempts: number, reason: string): void;
  /** The message left this subscription for good. */
  left(sub: Subscription, seq: number, why: LeftReason): void;
}

export interface Leased {
  readonly seq: number;
  readonly attempt: number;
  readonly leaseExpiresMs: number;
}

export interface SubscriptionCounters {
  acked: number;
  deadLettered: number;
  expired: number;
  dropped: number;
  /** Messages redriven out of this (dead-letter) queue. */
  redriven: number;
}

export class Subscription {
  readonly uid: number;
  readonly name: string;
  /** Created at run time by `subscribe`; a topic spec that declares the name makes it permanent. */
  ephemeral: boolean;
  settings: DeliverySettings;
  /** Topic subscriptions only: the spec as applied. */
  spec: SubscriptionSpec | undefined;
  filter: Filter | undefined;
  /** Engine timer bookkeeping: the time this owner is scheduled at (Infinity: not scheduled). */
  scheduledMs = Number.POSITIVE_INFINITY;
  readonly counters: SubscriptionCounters = { acked: 0, deadLettered: 0, expired: 0, dropped: 0, redriven: 0 };

  readonly #host: SubscriptionHost;
  readonly #states = new StateColumn();
  readonly #records = new Map<number, DeliveryRecord>();
  /** Messages in each state (index NONE unused). */
  readonly #counts: number[] = new Array<number>(STATE_COUNT).fill(0);
  readonly #ready = new ReadyIndex();
  readonly #delayed = new PairHeap();
  readonly #retry = new PairHeap();
  readonly #leases = new PairHeap();
  /** PerKey: the pending messages of each key in publish order; the front one is the key's head. */
  #keys: KeyIndex | undefined;
  #oldestHint = 0;

  constructor(
    host: SubscriptionHost,
    init: {
      uid: number;
      name: string;
      ephemeral: boolean;
      settings: DeliverySettings;
      spec: SubscriptionSpec | undefined;
      filter: Filter | undefined;
    },
  ) {
    this.#host = host;
    this.uid = init.uid;
    this.name = init.name;
    this.ephemeral = init.ephemeral;
    this.settings = init.settings;
    this.spec = init.spec;
    this.filter = init.filter;
    this.#keys = init.settings.ordering === 'PerKey' ? new KeyIndex() : undefined;
  }

  get pending(): number {
    return this.#states.count;
  }
  get inFlight(): number {
    return this.#counts[INFLIGHT] as number;
  }
  get delayed(): number {
    return this.#counts[DELAYED] as number;
  }
  get ready(): number {
    return this.#counts[READY] as number;
  }
  /** Waiting messages, including delayed, blocked and retrying ones. */
  get depth(): number {
    return this.pending - this.inFlight;
  }

  stateOf(seq: number): number {
    return this.#states.get(seq);
  }

  record(seq: number): Readonly<DeliveryRecord> | undefined {
    return this.#records.get(seq);
  }

  // ---- state changes -------------------------------------------------------------------------

  #setState(seq: number, next: number): void {
    const old = this.#states.get(seq);
    if (old !== NONE) this.#counts[old] = (this.#counts[old] as number) - 1;
    if (next !== NONE) this.#counts[next] = (this.#counts[next] as number) + 1;
    this.#states.set(seq, next);
  }

  readonly #isReady = (seq: number): boolean => this.#states.get(seq) === READY;

  #makeReady(seq: number): void {
    this.#setState(seq, READY);
    this.#ready.push(seq, this.#host.store.priority(seq), this.ready, this.#isReady);
  }

  #keyOf(seq: number): string {
    const record = this.#records.get(seq);
    if (record !== undefined) return record.key;
    return this.#host.store.key(seq);
  }

  readonly #isPending = (seq: number): boolean => this.#states.get(seq) !== NONE;

  /** PerKey: the head of the key after dropping entries that left the subscription. */
  #keyHead(key: string): number | undefined {
    return this.#keys?.head(key, this.#isPending);
  }

  /** May this (waiting, due) message be delivered now, as far as ordering goes? */
  #eligible(seq: number): boolean {
    if (this.#keys === undefined) return true;
    const key = this.#keyOf(seq);
    return key === '' || this.#keyHead(key) === seq;
  }

  /** After the head of `key` left: the next one may become ready. */
  #advanceKey(key: string): void {
    const head = this.#keyHead(key);
    if (head !== undefined && this.#states.get(head) === BLOCKED) this.#makeReady(head);
  }

  /** A message becomes pending for this subscription (publish, new subscription, redrive). */
  admit(seq: number): void {
    assert(this.#states.get(seq) === NONE, `message ${seq} admitted twice`);
    const store = this.#host.store;
    let isHead = true;
    if (this.#keys !== undefined) {
      const key = store.key(seq);
      if (key !== '') {
        isHead = this.#keyHead(key) === undefined;
        this.#keys.push(key, seq);
      }
    }
    const dueMs = store.dueMs(seq);
    if (dueMs > this.#host.clockMs()) {
      this.#setState(seq, DELAYED);
      this.#delayed.push(dueMs, seq);
      this.#host.schedule(this, dueMs);
    } else if (isHead) {
      this.#makeReady(seq);
    } else {
      this.#setState(seq, BLOCKED);
    }
  }

  /** The message leaves for good; counters and the key's next message follow. */
  #finish(seq: number, why: LeftReason): void {
    const key = this.#keys !== undefined ? this.#keyOf(seq) : '';
    this.#setState(seq, NONE);
    this.#records.delete(seq);
    this.counters[why]++;
    if (key !== '') this.#advanceKey(key);
    this.#host.left(this, seq, why);
  }

  #deadLetter(seq: number, attempts: number, reason: string): void {
    this.#host.deadLetter(this, seq, attempts, reason);
    this.#finish(seq, 'deadLettered');
  }

  /** Takes a waiting message out to move it elsewhere (redrive). */
  takeForRedrive(seq: number): boolean {
    const state = this.#states.get(seq);
    if (state === NONE || state === INFLIGHT) return false;
    this.#finish(seq, 'redriven');
    return true;
  }

  /** The store dropped the message (TTL, retention). A leased one stays leased until it is settled. */
  remove(seq: number, why: GoneReason): void {
    const state = this.#states.get(seq);
    if (state === NONE) return;
    if (state === INFLIGHT) {
      const record = this.#records.get(seq);
      assert(record !== undefined, 'in-flight message without a record');
      record.gone ??= why;
      return;
    }
    this.#finish(seq, why);
  }

  // ---- delivery ------------------------------------------------------------------------------

  /** Leases up to `max` ready messages: highest priority first, then oldest first. */
  lease(max: number, ackDeadlineMs: number, out: Leased[]): void {
    const nowMs = this.#host.clockMs();
    const leaseMs = Math.max(1, ackDeadlineMs > 0 ? ackDeadlineMs : this.settings.ackDeadlineMs);
    for (let i = 0; i < max; i++) {
      const seq = this.#ready.pop(this.#isReady);
      if (seq === undefined) break;
      let record = this.#records.get(seq);
      if (record === undefined) {
        record = {
          attempts: 0,
          leaseExpiresMs: 0,
          notBeforeMs: 0,
          ackDeadlineMs: leaseMs,
          key: this.#host.store.key(seq),
          gone: undefined,
        };
        this.#records.set(seq, record);
      }
      record.attempts++;
      record.leaseExpiresMs = nowMs + leaseMs;
      record.ackDeadlineMs = leaseMs;
      this.#setState(seq, INFLIGHT);
      this.#leases.push(record.leaseExpiresMs, seq);
      out.push({ seq, attempt: record.attempts, leaseExpiresMs: record.leaseExpiresMs });
    }
    if (out.length > 0) this.#host.schedule(this, nowMs + leaseMs);
    this.#compactLeases();
  }

  settle(
    seq: number,
    attempt: number,
    op: SettleOp,
    delayMs: number,
    deadLetter: boolean,
    reason: string,
  ): SettleOutcome {
    const state = this.#states.get(seq);
    const record = this.#records.get(seq);
    if (state === NONE || record === undefined || attempt > record.attempts) return 'unknown';
    const nowMs = this.#host.clockMs();
    if (attempt < record.attempts || state !== INFLIGHT || record.leaseExpiresMs <= nowMs) return 'expired';
    switch (op) {
      case 'ack':
        this.#finish(seq, 'acked');
        break;
      case 'extend': {
        const leaseMs = Math.max(1, delayMs > 0 ? delayMs : record.ackDeadlineMs);
        record.leaseExpiresMs = nowMs + leaseMs;
        this.#leases.push(record.leaseExpiresMs, seq);
        this.#host.schedule(this, record.leaseExpiresMs);
        this.#compactLeases();
        break;
      }
      case 'nack':
        this.#endLease(seq, record, nowMs, deadLetter ? reason || 'nacked' : undefined, Math.max(0, delayMs));
        break;
    }
    return 'ok';
  }

  /** A lease ended without an ack: retry after the backoff, or dead-letter, or let a gone message go. */
  #endLease(
    seq: number,
    record: DeliveryRecord,
    baseMs: number,
    deadLetterReason: string | undefined,
    delayMs: number,
  ) {
    if (record.gone !== undefined) {
      this.#finish(seq, record.gone);
      return;
    }
    if (deadLetterReason !== undefined) {
      this.#deadLetter(seq, record.attempts, deadLetterReason);
      return;
    }
    const maxDeliveries = this.settings.maxDeliveries;
    if (maxDeliveries > 0 && record.attempts >= maxDeliveries) {
      this.#deadLetter(seq, record.attempts, 'max-deliveries');
      return;
    }
    record.notBeforeMs = delayMs > 0 ? baseMs + delayMs : baseMs + this.backoffMs(record.attempts);
    if (record.notBeforeMs <= this.#host.clockMs()) {
      if (this.#eligible(seq)) this.#makeReady(seq);
      else this.#setState(seq, BLOCKED);
      return;
    }
    this.#setState(seq, RETRY);
    this.#retry.push(record.notBeforeMs, seq);
    this.#host.schedule(this, record.notBeforeMs);
  }

  /** Retry backoff after `attempts` deliveries: min * 2^(attempts-1), capped at max. */
  backoffMs(attempts: number): number {
    const { retryBackoffMinMs: minMs, retryBackoffMaxMs: maxMs } = this.settings;
    if (minMs <= 0) return 0;
    const exponent = Math.min(Math.max(0, attempts - 1), 52);
    const backoff = minMs * 2 ** exponent;
    return maxMs > 0 ? Math.min(backoff, maxMs) : backoff;
  }

  #compactLeases(): void {
    if (this.#leases.size > 2 * this.inFlight + STALE_SLACK) {
      this.#leases.rebuild((t, seq) => this.#validLease(t, seq));
    }
  }

  #validLease(timeMs: number, seq: number): boolean {
    return this.#states.get(seq) === INFLIGHT && this.#records.get(seq)?.leaseExpiresMs === timeMs;
  }
  #validRetry(timeMs: number, seq: number): boolean {
    return this.#states.get(seq) === RETRY && this.#records.get(seq)?.notBeforeMs === timeMs;
  }
  #validDelay(timeMs: number, seq: number): boolean {
    return this.#states.get(seq) === DELAYED && this.#host.store.dueMs(seq) === timeMs;
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Runs every timer due at the engine's clock: lease expiries, retries, delays. */
  process(): void {
    const nowMs = this.#host.clockMs();
    const leases = this.#leases;
    while (leases.size > 0 && leases.topPrimary() <= nowMs) {
      const timeMs = leases.topPrimary();
      const seq = leases.topSecondary();
      leases.pop();
      if (!this.#validLease(timeMs, seq)) continue;
      this.#endLease(seq, this.#records.get(seq) as DeliveryRecord, timeMs, undefined, 0);
    }
    const retry = this.#retry;
    while (retry.size > 0 && retry.topPrimary() <= nowMs) {
      const timeMs = retry.topPrimary();
      const seq = retry.topSecondary();
      retry.pop();
      if (!this.#validRetry(timeMs, seq)) continue;
      if (this.#eligible(seq)) this.#makeReady(seq);
      else this.#setState(seq, BLOCKED);
    }
    const delayed = this.#delayed;
    while (delayed.size > 0 && delayed.topPrimary() <= nowMs) {
      const timeMs = delayed.topPrimary();
      const seq = delayed.topSecondary();
      delayed.pop();
      if (!this.#validDelay(timeMs, seq)) continue;
      if (this.#eligible(seq)) this.#makeReady(seq);
      else this.#setState(seq, BLOCKED);
    }
  }

  /** The earliest time `process` would change something, or Infinity. */
  nextDeadlineMs(): number {
    const leases = this.#leases;
    while (leases.size > 0 && !this.#validLease(leases.topPrimary(), leases.topSecondary())) leases.pop();
    const retry = this.#retry;
    while (retry.size > 0 && !this.#validRetry(retry.topPrimary(), retry.topSecondary())) retry.pop();
    const delayed = this.#delayed;
    while (delayed.size > 0 && !this.#validDelay(delayed.topPrimary(), delayed.topSecondary())) delayed.pop();
    return Math.min(leases.topPrimary(), retry.topPrimary(), delayed.topPrimary());
  }

  /** Messages deliverable at `nowMs` (which may be ahead of the engine's clock): an estimate for dispatch. */
  readyAt(nowMs: number, limit: number): number {
    let count = this.ready;
    const visit = (timeMs: number, seq: number, valid: (t: number, s: number) => boolean): boolean => {
      if (valid(timeMs, seq) && this.#eligible(seq)) count++;
      return count < limit;
    };
    if (count < limit) this.#retry.visitUpTo(nowMs, (t, s) => visit(t, s, (a, b) => this.#validRetry(a, b)));
    if (count < limit) this.#delayed.visitUpTo(nowMs, (t, s) => visit(t, s, (a, b) => this.#validDelay(a, b)));
    return Math.min(count, limit);
  }

  /** The oldest message still pending here (and still in the store). */
  oldestSeq(): number | undefined {
    let seq = this.#states.next(this.#oldestHint);
    this.#oldestHint = seq ?? this.#host.store.nextSeq;
    while (seq !== undefined && !this.#host.store.has(seq)) seq = this.#states.next(seq + 1);
    return seq;
  }

  // ---- rebuilding ----------------------------------------------------------------------------

  /** Visits pending messages with their records, ascending (for snapshots). */
  forEachPending(visit: (seq: number, state: number, record: Readonly<DeliveryRecord> | undefined) => void): void {
    const records = this.#records;
    this.#states.forEach((seq, state) => {
      visit(seq, state, records.size === 0 ? undefined : records.get(seq));
    });
  }

  /** Restores one pending message (before `reindex`). */
  restorePending(seq: number, state: number, record: DeliveryRecord | undefined): void {
    assert(state !== NONE);
    this.#states.set(seq, state);
    if (record !== undefined) this.#records.set(seq, record);
  }

  /** Can the ordering change now? Not while messages are leased: their keys' order would be lost. */
  canChangeOrdering(): boolean {
    return this.inFlight === 0;
  }

  /** Applies new delivery settings; a new ordering rebuilds the queues. */
  updateSettings(settings: DeliverySettings): void {
    const reorder = settings.ordering !== this.settings.ordering;
    assert(!reorder || this.canChangeOrdering(), 'ordering changed with messages in flight');
    this.settings = settings;
    if (reorder) this.reindex();
  }

  /**
   * Rebuilds every index from the states and records: the waiting messages are classified again
   * (delayed, blocked behind their key, or ready) exactly as the incremental path leaves them.
   */
  reindex(): void {
    const store = this.#host.store;
    const nowMs = this.#host.clockMs();
    this.#ready.clear();
    this.#delayed.clear();
    this.#retry.clear();
    this.#leases.clear();
    this.#keys = this.settings.ordering === 'PerKey' ? new KeyIndex() : undefined;
    this.#counts.fill(0);
    this.#oldestHint = 0;
    for (const seq of this.#states.entries()) {
      const state = this.#states.get(seq);
      this.#counts[state] = (this.#counts[state] as number) + 1;
      const record = this.#records.get(seq);
      let isHead = true;
      if (this.#keys !== undefined) {
        const key = this.#keyOf(seq);
        if (key !== '') {
          isHead = this.#keyHead(key) === undefined;
          this.#keys.push(key, seq);
        }
      }
      if (state === INFLIGHT) {
        assert(record !== undefined, 'in-flight message without a record');
        this.#leases.push(record.leaseExpiresMs, seq);
      } else if (state === RETRY) {
        assert(record !== undefined, 'retrying message without a record');
        this.#retry.push(record.notBeforeMs, seq);
      } else if (record === undefined && store.dueMs(seq) > nowMs) {
        this.#setState(seq, DELAYED);
        this.#delayed.push(store.dueMs(seq), seq);
      } else if (isHead) {
        this.#makeReady(seq);
      } else {
        this.#setState(seq, BLOCKED);
      }
    }
    const next = this.nextDeadlineMs();
    if (next !== Number.POSITIVE_INFINITY) this.#host.schedule(this, next);
  }

  /** Checks the counters against the states (tests). */
  checkInvariants(): void {
    const counts = new Float64Array(STATE_COUNT);
    for (const seq of this.#states.entries()) {
      const state = this.#states.get(seq);
      counts[state] = (counts[state] as number) + 1;
      const record = this.#records.get(seq);
      if (state === INFLIGHT || state === RETRY) assert(record !== undefined, `state ${state} without a record`);
      if (record?.gone !== undefined) assert(state === INFLIGHT, 'a gone message is only kept while in flight');
      if (state !== INFLIGHT) assert(this.#host.store.has(seq), `pending message ${seq} is not in the store`);
      if (state === READY || state === BLOCKED) {
        assert(
          (state === READY) === this.#eligible(seq),
          `message ${seq}: state ${state} but eligible is ${!(state === READY)}`,
        );
      }
    }
    for (let s = 1; s < STATE_COUNT; s++) {
      assert(counts[s] === this.#counts[s], `count of state ${s}: ${this.#counts[s]} kept, ${counts[s]} found`);
    }
    assert(this.#records.size <= this.pending, 'records of messages that are not pending');
  }
}
