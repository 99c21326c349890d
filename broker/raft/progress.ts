// The leader's view of one follower (etcd's Progress): how far its log matches ours, where to send
// next, and how many appends are in flight. Probe: one MsgApp at a time until we find where the logs
// agree. Replicate: optimistic pipelining, next advances as soon as we send. Snapshot: waiting for
// an InstallSnapshot to land.
import { assert } from '../../common/assert.ts';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A bounded FIFO of the last index of each in-flight MsgApp, and their total bytes. */
export class Inflights {
  private readonly maxMsgs: number;
  private readonly maxBytes: number;
  private readonly items: { index: number; bytes: number }[] = [];
  private bytes = 0;

  constructor(maxMsgs: number, maxBytes: number) {
    assert(maxMsgs > 0, 'at least one in-flight message');
    this.maxMsgs = maxMsgs;
    this.maxBytes = maxBytes;
  }

  add(index: number, bytes: number): void {
    assert(!this.full(), 'in-flight window full');
    const last = this.items[this.items.length - 1];
    assert(last === undefined || index > last.index, 'in-flight indexes increase');
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Acknowledged up to `index`: frees the window for every message ending at or below it. */
  freeLE(index: number): void {
    let n = 0;
    for (const item of this.items) {
      if (item.index > index) break;
      this.bytes -= item.bytes;
      n++;
    }
    this.items.splice(0, n);
  }

  /** A heartbeat came back while the window was full: let one more message out, in case acks got lost. */
  freeFirstOne(): void {
    const first = this.items.shift();
    if (first !== undefined) this.bytes -= first.bytes;
  }

  full(): boolean {
    return this.items.length >= this.maxMsgs || this.bytes >= this.maxBytes;
  }

  count(): number {
    return this.items.length;
  }

  reset(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}

export class Progress {
  /** Highest index known to be durably replicated on the member. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: a MsgApp was sent since the last reply or heartbeat, so wait. */
  probeSent = false;
  /** In snapshot state: the snapshot index being installed, and ticks spent waiting. */
  pendingSnapshot = 0;
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  readonly inflights: Inflights;
  isLearner: boolean;

  constructor(next: number, isLearner: boolean, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    const snapshot = this.state === 'snapshot' ? this.pendingSnapshot : 0;
    this.resetState('probe');
    this.next = Math.max(this.match + 1, snapshot + 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  /** An acknowledgement up to n; returns whether it told us anything new. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** We just sent entries up to `last` (pipelining: assume they will arrive). */
  sentEntries(last: number, count: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /**
   * A rejection of the MsgApp whose prev index was `rejected`; `hint` is where to try next (at most
   * the follower's last index). Returns what the leader should make of it:
   *
   * - `stale`: a reply to something already known to match or superseded; ignore it.
   * - `backtrack`: the usual §5.3 walk back; `next` moved down (never below match + 1).
   * - `lost`: the follower's log ends below the index it acknowledged (`hint < match`), on a
   *   rejection of an append sent since that acknowledgement. A follower that keeps its log
   *   durable never does this (within a term, the part of its log that matches ours only grows),
   *   so it lost entries, e.g. a corrupt log repaired by truncation. Match is dropped to 0 and we
   *   probe from `hint + 1`. (In snapshot state rejections are handled as before: the snapshot's
   *   acknowledgement or its timeout moves us to probe, where a loss is seen.)
   *
   * Staleness. In probe state only the reply to the current probe counts (`rejected == next - 1`,
   * as in etcd); in replicate state every append sent since match last moved has prev >= match,
   * so rejections of a prev below match are older than the acknowledgement and stale. A reply
   * that passes these tests can still be an old duplicate (a reject of the same prev, generated
   * before the acknowledgement, delivered after it): the leader cannot tell, and takes it for
   * lost entries. That costs one extra probe, never safety, whereas taking real loss for
   * staleness resends the same append forever (next can never go below match + 1).
   *
   * Safety of lowering match. Commit never moves back: maybeCommit only ever advances the commit
   * index, and lower matches only delay new commits. Match goes to 0 rather than to `hint`
   * because a rejection proves nothing about what the follower holds (only an acknowledgement
   * does): until it acknowledges a probe again it counts in no quorum, and heartbeats tell it
   * commit 0. (The loss of entries it already helped commit is the caller's to contain: such a
   * follower must not vote until repaired; see broker/replica.)
   */
  maybeDecrTo(rejected: number, hint: number): 'stale' | 'backtrack' | 'lost' {
    if (this.state === 'replicate') {
      if (rejected < this.match) return 'stale';
      if (hint < this.match) return this.lostEntries(hint);
      if (rejected === this.match) return 'stale';
      this.next = this.match + 1;
      return 'backtrack';
    }
    if (this.next - 1 !== rejected) return 'stale';
    if (this.state === 'probe' && hint < this.match) return this.lostEntries(hint);
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return 'backtrack';
  }

  private lostEntries(hint: number): 'lost' {
    assert(hint >= 0 && hint < this.match, 'lost entries end below match');
    this.resetState('probe');
    this.match = 0;
    this.next = hint + 1;
    return 'lost';
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  describe(): string {
    const extra = this.state === 'snapshot' ? ` pendingSnapshot=${this.pendingSnapshot}` : '';
    const paused = this.isPaused() ? ' paused' : '';
    const learner = this.isLearner ? ' learner' : '';
    return `${this.state} match=${this.match} next=${this.next}${learner}${paused}${extra} inflight=${this.inflights.count()}`;
  }
}
