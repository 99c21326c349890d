// What the Raft core reads of durable state. The caller writes it (persisting each Ready); the
// core only reads, so a crash loses exactly what the caller had not made durable.
import { CompactedError, WharfError } from '../../common/errors.ts';
import type { ConfState, Entry, HardState, Snapshot } from './messages.ts';

export { CompactedError };

/** Asked for an index past the last stored one. */
export class UnavailableError extends WharfError {
  override name = 'UnavailableError';
  constructor(index: number, lastIndex: number) {
    super('unavailable', `log index ${index} is not stored yet (last index is ${lastIndex})`);
  }
}

export interface InitialState {
  readonly hardState: HardState;
  /** Membership as of the stored snapshot; later confChange entries are replayed on start. */
  readonly confState: ConfState;
}

export interface RaftStorage {
  initialState(): InitialState;
  /**
   * Entries [lo, hi), at least one if any, then as many as fit in `maxBytes`.
   * Throws CompactedError if lo < firstIndex(), UnavailableError if hi > lastIndex() + 1.
   */
  entries(lo: number, hi: number, maxBytes: number): readonly Entry[];
  /** Term of entry i, for firstIndex()-1 <= i <= lastIndex(); CompactedError/UnavailableError otherwise. */
  term(index: number): number;
  /** Index of the first entry still stored (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot. */
  snapshot(): Snapshot;
}
