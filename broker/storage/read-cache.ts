// A byte-bounded LRU of entries recently appended or read, so the common "read what was just
// committed" path does not touch the disk. Bodies otherwise live only in the segment files.

import type { LogEntry } from './log-entry.ts';

/** Rough bookkeeping cost of one cached entry beyond its payload. */
const ENTRY_OVERHEAD_BYTES = 96;

export class ReadCache {
  readonly #bytesMax: number;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  #entries = new Map<number, LogEntry>();
  #bytes = 0;

  constructor(bytesMax: number) {
    this.#bytesMax = bytesMax;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(index: number): LogEntry | undefined {
    const entry = this.#entries.get(index);
    if (entry !== undefined) {
      this.#entries.delete(index);
      this.#entries.set(index, entry);
    }
    return entry;
  }

  put(entry: LogEntry): void {
    const cost = entry.data.length + ENTRY_OVERHEAD_BYTES;
    if (cost > this.#bytesMax) return;
    this.#remove(entry.index);
    this.#entries.set(entry.index, entry);
    this.#bytes += cost;
    while (this.#bytes > this.#bytesMax) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#remove(oldest.value);
    }
  }

  /** Drops `fromIndex` and after (suffix truncation). */
  dropFrom(fromIndex: number): void {
    for (const index of [...this.#entries.keys()]) if (index >= fromIndex) this.#remove(index);
  }

  /** Drops everything before `index` (compaction). */
  dropBefore(index: number): void {
    for (const key of [...this.#entries.keys()]) if (key < index) this.#remove(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(index: number): void {
    const entry = this.#entries.get(index);
    if (entry === undefined) return;
    this.#entries.delete(index);
    this.#bytes -= entry.data.length + ENTRY_OVERHEAD_BYTES;
  }
}
