// A byte-bounded LRU of entries recently appended or read, so the common "read what was just
// committed" path does not touch the disk. Bodies otherwise live only in the segment files.
// A map plus an intrusive doubly linked list (most recent at the head): evicting never iterates
// the map, whose iteration slows down over the holes deletions leave.

import type { LogEntry } from './log-entry.ts';

/** Rough bookkeeping cost of one cached entry beyond its payload. */
const ENTRY_OVERHEAD_BYTES = 96;

interface Node {
  readonly entry: LogEntry;
  newer: Node | undefined;
  older: Node | undefined;
}

export class ReadCache {
  readonly #bytesMax: number;
  readonly #nodes = new Map<number, Node>();
  #newest: Node | undefined;
  #oldest: Node | undefined;
  #bytes = 0;

  constructor(bytesMax: number) {
    this.#bytesMax = bytesMax;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The entry at `index`, now the most recently used. */
  get(index: number): LogEntry | undefined {
    const node = this.#nodes.get(index);
    if (node === undefined) return undefined;
    if (node !== this.#newest) {
      this.#unlink(node);
      this.#linkNewest(node);
    }
    return node.entry;
  }

  /** The entry at `index`, leaving its recency alone (scans should not reorder the cache). */
  peek(index: number): LogEntry | undefined {
    return this.#nodes.get(index)?.entry;
  }

  put(entry: LogEntry): void {
    const cost = entry.data.length + ENTRY_OVERHEAD_BYTES;
    if (cost > this.#bytesMax) return;
    this.#remove(entry.index);
    const node: Node = { entry, newer: undefined, older: undefined };
    this.#nodes.set(entry.index, node);
    this.#linkNewest(node);
    this.#bytes += cost;
    while (this.#bytes > this.#bytesMax && this.#oldest !== undefined) this.#remove(this.#oldest.entry.index);
  }

  /** Drops `fromIndex` and after (suffix truncation). */
  dropFrom(fromIndex: number): void {
    for (const index of [...this.#nodes.keys()]) if (index >= fromIndex) this.#remove(index);
  }

  /** Drops everything before `index` (compaction). */
  dropBefore(index: number): void {
    for (const key of [...this.#nodes.keys()]) if (key < index) this.#remove(key);
  }

  clear(): void {
    this.#nodes.clear();
    this.#newest = undefined;
    this.#oldest = undefined;
    this.#bytes = 0;
  }

  #remove(index: number): void {
    const node = this.#nodes.get(index);
    if (node === undefined) return;
    this.#nodes.delete(index);
    this.#unlink(node);
    this.#bytes -= node.entry.data.length + ENTRY_OVERHEAD_BYTES;
  }

  #linkNewest(node: Node): void {
    node.older = this.#newest;
    node.newer = undefined;
    if (this.#newest !== undefined) this.#newest.newer = node;
    this.#newest = node;
    this.#oldest ??= node;
  }

  #unlink(node: Node): void {
    if (node.newer !== undefined) node.newer.older = node.older;
    else this.#newest = node.older;
    if (node.older !== undefined) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }
}
