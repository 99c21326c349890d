// The engine's state and the plumbing every command shares: the clock, uids, the name and uid
// indexes of destinations, the timer heap that runs destinations' and subscriptions' deadlines,
// dead-lettering between destinations, and Drain deletions.
//
// Timers: each owner (a destination for TTL/age, a subscription for leases, retries, delays) has
// at most one live entry in `timers`, at `owner.scheduledMs`; other entries are stale and skipped.
// When time advances, every owner due by then runs, in uid order, so the outcome never depends on
// the heap's layout (which differs after a restore, or after nextDeadlineMs tidied it).

import { assert } from '../../common/assert.ts';
import type { Destination, EngineHooks, TimerOwner } from './destination.ts';
import { PairHeap } from './heap.ts';
import type { Subscription } from './subscription.ts';
import type { ExpiredMessage } from './types.ts';

/**
 * Expired messages reported per command (for tracing, which traces fewer); a mass expiry of
 * millions must not build an array of millions. Counts come from the subscriptions, not from here.
 */
export const EXPIRED_REPORTED_MAX = 1_024;

/** Passes of the timer loop per command; every pass settles what the previous one scheduled. */
const TIMER_ROUNDS_MAX = 8;

export class Core implements EngineHooks {
  appliedIndex = 0;
  clock = 0;
  uidCounter = 0;
  readonly byName = new Map<string, Destination>();
  readonly byUid = new Map<number, Destination>();
  readonly owners = new Map<number, TimerOwner>();
  readonly timers = new PairHeap();
  /** Names of destinations being drained; deleted when empty. */
  readonly draining = new Set<string>();
  /**
   * Messages whose TTL ran out during the command being applied, the first EXPIRED_REPORTED_MAX (a new array for each command
   * that has any, so one handed out is never changed). Reported outward only: never read by the
   * engine, not in snapshots.
   */
  expiredMessages: ExpiredMessage[] = [];

  clockMs(): number {
    return this.clock;
  }

  newUid(): number {
    return ++this.uidCounter;
  }

  advanceClock(nowMs: number): void {
    if (Number.isFinite(nowMs) && nowMs > this.clock) this.clock = nowMs;
  }

  schedule(owner: TimerOwner, timeMs: number): void {
    if (!(timeMs < owner.scheduledMs)) return;
    assert(this.owners.get(owner.uid) === owner, `timer for unknown owner ${owner.uid}`);
    owner.scheduledMs = timeMs;
    this.timers.push(timeMs, owner.uid);
    if (this.timers.size > 2 * this.owners.size + 1024) {
      this.timers.rebuild((t, uid) => this.owners.get(uid)?.scheduledMs === t);
    }
  }

  reschedule(owner: TimerOwner): void {
    this.schedule(owner, owner.nextDeadlineMs());
  }

  forget(owner: TimerOwner): void {
    this.owners.delete(owner.uid);
    owner.scheduledMs = Number.POSITIVE_INFINITY;
  }

  register(owner: TimerOwner): void {
    assert(!this.owners.has(owner.uid), `uid ${owner.uid} registered twice`);
    this.owners.set(owner.uid, owner);
  }

  addDestination(dest: Destination): void {
    assert(!this.byName.has(dest.name) && !this.byUid.has(dest.uid));
    this.byName.set(dest.name, dest);
    this.byUid.set(dest.uid, dest);
    this.register(dest);
    for (const sub of dest.subs.values()) this.register(sub);
  }

  addSubscription(sub: Subscription): void {
    this.register(sub);
    this.reschedule(sub);
  }

  deleteDestination(dest: Destination): void {
    this.byName.delete(dest.name);
    this.byUid.delete(dest.uid);
    this.draining.delete(dest.name);
    for (const sub of dest.subs.values()) this.forget(sub);
    this.forget(dest);
  }

  /** Runs every owner whose deadline has come, in uid order. */
  runTimers(): void {
    for (let round = 0; round < TIMER_ROUNDS_MAX; round++) {
      const due: TimerOwner[] = [];
      const timers = this.timers;
      while (timers.size > 0 && timers.topPrimary() <= this.clock) {
        const timeMs = timers.topPrimary();
        const owner = this.owners.get(timers.topSecondary());
        timers.pop();
        if (owner === undefined || owner.scheduledMs !== timeMs) continue;
        owner.scheduledMs = Number.POSITIVE_INFINITY;
        due.push(owner);
      }
      if (due.length === 0) return;
      due.sort((a, b) => a.uid - b.uid);
      for (const owner of due) owner.process();
      for (const owner of due) if (this.owners.get(owner.uid) === owner) this.reschedule(owner);
    }
    assert(this.timers.topPrimary() > this.clock, 'timers keep firing at the same time');
  }

  /** The earliest time a tick would change something. Tidies stale and early entries (not replicated state). */
  nextDeadlineMs(): number | undefined {
    const timers = this.timers;
    while (timers.size > 0) {
      const timeMs = timers.topPrimary();
      const owner = this.owners.get(timers.topSecondary());
      if (owner === undefined || owner.scheduledMs !== timeMs) {
        timers.pop();
        continue;
      }
      const actualMs = owner.nextDeadlineMs();
      if (actualMs <= timeMs) return timeMs;
      timers.pop();
      owner.scheduledMs = Number.POSITIVE_INFINITY;
      this.schedule(owner, actualMs);
    }
    return undefined;
  }

  /** Moves a message that failed `sub` to its dead-letter queue; without one it is discarded. */
  deadLetter(from: Destination, sub: Subscription, seq: number, attempts: number, reason: string): void {
    const name = sub.settings.deadLetterQueue;
    const dlq = name === '' ? undefined : this.byName.get(name);
    if (dlq === undefined || dlq.kind !== 'queue' || dlq.draining || dlq === from) return;
    const store = from.store;
    const id = from.messageId(seq);
    dlq.appendMoved({
      ref: store.ref(seq),
      bytes: store.bytes(seq),
      priority: store.priority(seq),
      key: store.key(seq),
      id,
      partition: 0,
      deadLetter: {
        origin: from.name,
        subscription: sub.name,
        partition: store.partition(seq),
        attempts,
        reason,
        timeMs: this.clock,
        originalId: id,
      },
      target: undefined,
    });
  }

  expiring(from: Destination, seq: number): void {
    if (this.expiredMessages.length >= EXPIRED_REPORTED_MAX) return;
    const ref = from.store.ref(seq);
    this.expiredMessages.push({ destination: from.name, messageId: from.messageId(seq), ref, timeMs: this.clock });
  }

  /** Deletes draining destinations that have become empty. */
  finishDrains(): void {
    if (this.draining.size === 0) return;
    for (const name of [...this.draining].sort()) {
      const dest = this.byName.get(name);
      if (dest === undefined || !dest.draining) this.draining.delete(name);
      else if (dest.isEmpty()) this.deleteDestination(dest);
    }
  }
}
