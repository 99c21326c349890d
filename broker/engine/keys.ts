// PerKey ordering index: the pending messages of each key in publish order. Most keys have one
// pending message at a time, so a key maps straight to its sequence number; only keys with
// several get a small array. (A million distinct keys cost a Map entry each, not a chunk each.)

class KeyFifo {
  items: number[];
  head = 0;
  constructor(first: number, second: number) {
    this.items = [first, second];
  }
}

export class KeyIndex {
  readonly #map = new Map<string, number | KeyFifo>();

  /** Keys with pending messages (some may only hold messages that left, until `head` tidies them). */
  get size(): number {
    return this.#map.size;
  }

  /** Appends a message (sequence numbers arrive in ascending order per key). */
  push(key: string, seq: number): void {
    const entry = this.#map.get(key);
    if (entry === undefined) this.#map.set(key, seq);
    else if (typeof entry === 'number') this.#map.set(key, new KeyFifo(entry, seq));
    else entry.items.push(seq);
  }

  /** The oldest message of `key` still pending (`pending(seq)`), dropping those that left. */
  head(key: string, pending: (seq: number) => boolean): number | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    if (typeof entry === 'number') {
      if (pending(entry)) return entry;
      this.#map.delete(key);
      return undefined;
    }
    const items = entry.items;
    while (entry.head < items.length && !pending(items[entry.head] as number)) entry.head++;
    const remaining = items.length - entry.head;
    if (remaining === 0) {
      this.#map.delete(key);
      return undefined;
    }
    const first = items[entry.head] as number;
    if (remaining === 1) {
      this.#map.set(key, first);
    } else if (entry.head > 32 && entry.head * 2 > items.length) {
      entry.items = items.slice(entry.head);
      entry.head = 0;
    }
    return first;
  }
}
