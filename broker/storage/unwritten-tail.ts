// Entries accepted by append() whose records are not yet in the on-disk index: the contiguous
// tail of the log from `firstIndex` to the log's last index. Reads of these indexes are served
// from here. Each slot is a fresh object, so the writer can tell (by identity) whether the entry
// it just wrote is still the one the log holds at that index, or was truncated meanwhile.

import { assert } from '../../common/assert.ts';
import type { LogEntry } from './log-entry.ts';

export interface TailSlot {
  readonly entry: LogEntry;
}

export class UnwrittenTail {
  #slots: TailSlot[] = [];
  #head = 0;
  #firstIndex: number;

  constructor(firstIndex: number) {
    this.#firstIndex = firstIndex;
  }

  /** Index of the first unwritten entry; every index from here to the log's end is held here. */
  get firstIndex(): number {
    return this.#firstIndex;
  }

  get length(): number {
    return this.#slots.length - this.#head;
  }

  push(entry: LogEntry): TailSlot {
    assert(entry.index === this.#firstIndex + this.length, `unwritten tail expects ${this.#firstIndex + this.length}`);
    const slot = { entry };
    this.#slots.push(slot);
    return slot;
  }

  get(index: number): LogEntry | undefined {
    if (index < this.#firstIndex) return undefined;
    return this.#slots[this.#head + index - this.#firstIndex]?.entry;
  }

  /** Removes the first slot if it is `slot` (just written); false if it was truncated away. */
  shiftIf(slot: TailSlot): boolean {
    if (this.#slots[this.#head] !== slot) return false;
    this.#head++;
    this.#firstIndex++;
    if (this.#head === this.#slots.length) {
      this.#slots = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#slots.length) {
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }

  /** Drops `fromIndex` and after; if that is before the tail, the tail restarts (empty) there. */
  truncateFrom(fromIndex: number): void {
    if (fromIndex <= this.#firstIndex) {
      this.reset(fromIndex);
      return;
    }
    const keep = fromIndex - this.#firstIndex;
    if (keep < this.length) this.#slots.length = this.#head + keep;
  }

  reset(firstIndex: number): void {
    this.#slots = [];
    this.#head = 0;
    this.#firstIndex = firstIndex;
  }
}
