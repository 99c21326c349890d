// Publish deduplication: the first publish of a dedupId inside a destination's window is stored;
// repeats inside the window answer with the original message's id and sequence. Entries are
// evicted in the order they were made (times never go backwards), so the window can change
// between specs without a rescan.

export interface DedupEntry {
  readonly dedupId: string;
  readonly firstSeenMs: number;
  readonly messageId: string;
  readonly sequence: number;
  readonly partition: number;
}

export class DedupIndex {
  readonly #byId = new Map<string, DedupEntry>();
  #order: DedupEntry[] = [];
  #head = 0;

  get size(): number {
    return this.#byId.size;
  }

  /** The entry for `dedupId` still inside the window at `nowMs`, if any. */
  lookup(dedupId: string, nowMs: number, windowMs: number): DedupEntry | undefined {
    this.evict(nowMs, windowMs);
    return this.#byId.get(dedupId);
  }

  record(entry: DedupEntry): void {
    this.#byId.set(entry.dedupId, entry);
    this.#order.push(entry);
  }

  evict(nowMs: number, windowMs: number): void {
    const order = this.#order;
    while (this.#head < order.length) {
      const entry = order[this.#head] as DedupEntry;
      if (nowMs - entry.firstSeenMs < windowMs) break;
      if (this.#byId.get(entry.dedupId) === entry) this.#byId.delete(entry.dedupId);
      this.#head++;
    }
    if (this.#head === order.length) {
      this.#order = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > order.length) {
      this.#order = order.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Live entries inside the window, oldest first (for snapshots). */
  *live(nowMs: number, windowMs: number): IterableIterator<DedupEntry> {
    for (let i = this.#head; i < this.#order.length; i++) {
      const entry = this.#order[i] as DedupEntry;
      if (nowMs - entry.firstSeenMs < windowMs && this.#byId.get(entry.dedupId) === entry) yield entry;
    }
  }
}
