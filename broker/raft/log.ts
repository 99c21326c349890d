// The Raft log as the core sees it: what storage holds durably, followed by the unstable part
// (entries, or a snapshot, handed out in a Ready but not yet reported persisted).
import { assert } from '../../common/assert.ts';
import { type Entry, entryBytes, type Snapshot } from './messages.ts';
import { CompactedError, type RaftStorage, UnavailableError } from './storage.ts';

/** Entries and an optional snapshot the caller has not yet persisted. */
class Unstable {
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];
  /** Index of entries[0]. */
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.meta.index;
  }

  term(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot !== undefined && this.snapshot.meta.index === index) return this.snapshot.meta.term;
      return undefined;
    }
    return this.entries[index - this.offset]?.term;
  }

  truncateAndAppend(entries: readonly Entry[]): void {
    const first = entries[0];
    assert(first !== undefined, 'append of nothing');
    if (first.index === this.offset + this.entries.length) {
      this.entries.push(...entries);
    } else if (first.index <= this.offset) {
      // Replaces everything unstable; the storage suffix from here is replaced once persisted.
      this.offset = first.index;
      this.entries = [...entries];
    } else {
      this.entries = [...this.entries.slice(0, first.index - this.offset), ...entries];
    }
  }
}

export class RaftLog {
  readonly storage: RaftStorage;
  private readonly unstable: Unstable;
  /** Highest index known committed on a quorum; never decreases. */
  committed: number;
  /** Highest index handed to the state machine; applied <= committed. */
  applied: number;

  constructor(storage: RaftStorage, committed: number, applied: number) {
    this.storage = storage;
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = committed;
    this.applied = applied;
    assert(committed <= storage.lastIndex(), `committed ${committed} beyond stored log ${storage.lastIndex()}`);
    assert(applied <= committed, 'applied beyond committed');
  }

  firstIndex(): number {
    const snap = this.unstable.snapshot;
    return snap !== undefined ? snap.meta.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    assert(term !== undefined, 'last term known');
    return term;
  }

  /** Term of entry i, or undefined when it is compacted away or past the end. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    const unstable = this.unstable.term(index);
    if (unstable !== undefined) return unstable;
    try {
      return this.storage.term(index);
    } catch (error) {
      if (error instanceof CompactedError || error instanceof UnavailableError) return undefined;
      throw error;
    }
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a candidate's log is at least as up-to-date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries (§5.3): if our log matches (prevTerm, prevIndex), append the
   * entries, truncating the first conflicting suffix, and return the last index now known to match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with the committed log (${this.committed})`);
      const first = entries[0];
      assert(first !== undefined, 'conflict implies entries');
      this.append(entries.slice(conflict - first.index));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** The first index whose entry differs from ours (or is new), or 0 when all match. */
  private findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index <= `index` whose term is <= `term`, so the leader can skip
   * a whole term of mismatching entries in one round trip. Returns [index, its term].
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    let i = Math.min(index, this.lastIndex());
    for (; i >= 0; i--) {
      const ourTerm = this.term(i);
      if (ourTerm === undefined) return [i, 0];
      if (ourTerm <= term) return [i, ourTerm];
    }
    return [0, 0];
  }

  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    assert(first.index - 1 >= this.committed, `append at ${first.index} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(
      index <= this.committed && index >= this.applied,
      `applied ${index} outside [${this.applied}, ${this.committed}]`,
    );
    this.applied = index;
  }

  /** Entries [lo, hi) up to maxBytes (at least one). Undefined if lo is compacted. */
  slice(lo: number, hi: number, maxBytes: number): readonly Entry[] | undefined {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) return undefined;
    assert(hi <= this.lastIndex() + 1, 'slice past the end');
    const out: Entry[] = [];
    let bytes = 0;
    const u = this.unstable;
    const storedHi = Math.min(hi, u.offset);
    if (lo < storedHi) {
      try {
        const stored = this.storage.entries(lo, storedHi, maxBytes);
        for (const entry of stored) {
          bytes += entryBytes(entry);
          out.push(entry);
        }
        if (stored.length < storedHi - lo) return out;
      } catch (error) {
        if (error instanceof CompactedError) return undefined;
        throw error;
      }
    }
    for (let i = Math.max(lo, u.offset); i < hi; i++) {
      const entry = u.entries[i - u.offset];
      assert(entry !== undefined, `unstable entry ${i}`);
      if (out.length > 0 && bytes + entryBytes(entry) > maxBytes) break;
      bytes += entryBytes(entry);
      out.push(entry);
    }
    return out;
  }

  /** Last index known durable (stored and not superseded by unstable entries). */
  persistedIndex(): number {
    if (this.unstable.snapshot !== undefined) return 0;
    return Math.min(this.storage.lastIndex(), this.unstable.offset - 1);
  }

  unstableEntries(): readonly Entry[] {
    return [...this.unstable.entries];
  }

  unstableSnapshot(): Snapshot | undefined {
    return this.unstable.snapshot;
  }

  /** Committed entries not yet applied, up to maxBytes. */
  nextCommittedEntries(maxBytes: number): readonly Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed < lo) return [];
    return this.slice(lo, this.committed + 1, maxBytes) ?? [];
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  /** The caller persisted entries up to (index, term). */
  stableTo(index: number, term: number): void {
    const u = this.unstable;
    // A newer append may have replaced what was persisted; then keep the unstable entries.
    if (u.term(index) !== term || index < u.offset) return;
    u.entries = u.entries.slice(index + 1 - u.offset);
    u.offset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.unstable.snapshot?.meta.index === index) this.unstable.snapshot = undefined;
  }

  /** Replace the whole log with a snapshot received from the leader. */
  restore(snapshot: Snapshot): void {
    assert(snapshot.meta.index > this.committed, 'restore of a snapshot we already committed past');
    this.committed = snapshot.meta.index;
    this.unstable.snapshot = snapshot;
    this.unstable.entries = [];
    this.unstable.offset = snapshot.meta.index + 1;
  }

  /** After a snapshot was applied, the state machine stands at its index. */
  appliedSnapshot(index: number): void {
    if (index > this.applied) this.applied = index;
  }
}
