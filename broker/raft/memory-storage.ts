// An in-memory RaftStorage, for tests and the simulator. "Durable" means "written here": a crashed
// node restarts from this object and loses only what the core held in its unstable log.
import { assert } from '../../common/assert.ts';
import { type ConfState, EMPTY_HARD_STATE, type Entry, entryBytes, type HardState, type Snapshot } from './messages.ts';
import { CompactedError, type InitialState, type RaftStorage, UnavailableError } from './storage.ts';

export class MemoryStorage implements RaftStorage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot;
  // ents[0] is a dummy standing for the snapshot (index, term); real entries follow.
  private ents: Entry[];

  constructor(conf: ConfState, snapshot?: Snapshot) {
    this.snap = snapshot ?? { meta: { index: 0, term: 0, conf }, data: new Uint8Array() };
    this.ents = [this.dummy()];
    if (snapshot !== undefined) this.hardState = { term: snapshot.meta.term, vote: '', commit: snapshot.meta.index };
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.meta.conf };
  }

  hardStateNow(): HardState {
    return this.hardState;
  }

  setHardState(hardState: HardState): void {
    assert(hardState.term >= this.hardState.term, 'term never decreases');
    assert(hardState.commit >= this.hardState.commit, 'commit never decreases');
    this.hardState = hardState;
  }

  entries(lo: number, hi: number, maxBytes: number): readonly Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const entry = this.at(i);
      bytes += entryBytes(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, offset + 1);
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    return this.at(index).term;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Append entries, truncating any stored suffix they conflict with (the core decided that). */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index > this.offset(), 'append below the snapshot');
    assert(first.index <= this.lastIndex() + 1, 'append leaves a gap');
    this.ents.length = first.index - this.offset();
    for (const entry of entries) this.ents.push(entry);
  }

  /** Replace the log with a received snapshot. */
  applySnapshot(snapshot: Snapshot): void {
    assert(snapshot.meta.index >= this.snap.meta.index, 'snapshot older than the stored one');
    this.snap = snapshot;
    this.ents = [this.dummy()];
  }

  /**
   * Tests and simulations: forget every entry after `index`, as a node whose corrupt log was repaired
   * by truncation would. Below the snapshot the snapshot goes too (a corrupt snapshot takes the log
   * with it, as in broker/replica) and the node starts from an empty log. Breaks durability on
   * purpose; the hard state's commit is clamped to what remains, as the replica does when it opens
   * such a log.
   */
  loseEntriesAfter(index: number): void {
    if (index < this.snap.meta.index) {
      this.snap = { meta: { index: 0, term: 0, conf: this.snap.meta.conf }, data: new Uint8Array() };
      this.ents = [this.dummy()];
      index = 0;
    }
    if (index < this.lastIndex()) this.ents.length = index - this.offset() + 1;
    this.hardState = { ...this.hardState, commit: Math.min(this.hardState.commit, index) };
  }

  /** Record a snapshot of our own state machine at `index` (<= applied); does not drop entries. */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array): Snapshot {
    assert(index > this.snap.meta.index, 'snapshot not newer than the stored one');
    assert(index <= this.lastIndex(), 'snapshot past the last index');
    this.snap = { meta: { index, term: this.term(index), conf }, data };
    return this.snap;
  }

  /** Drop entries up to and including `index` (which the snapshot must cover). */
  compact(index: number): void {
    const offset = this.offset();
    if (index <= offset) return;
    assert(index <= this.lastIndex(), 'compact past the last index');
    assert(index <= this.snap.meta.index, 'compact past the snapshot');
    this.ents = [...this.ents.slice(index - offset)];
  }

  private offset(): number {
    const dummy = this.ents[0];
    assert(dummy !== undefined, 'dummy entry');
    return dummy.index;
  }

  private at(index: number): Entry {
    const entry = this.ents[index - this.offset()];
    assert(entry !== undefined, `entry ${index} stored`);
    return entry;
  }

  private dummy(): Entry {
    return { term: this.snap.meta.term, index: this.snap.meta.index, type: 'normal', data: new Uint8Array() };
  }
}
