// A FIFO of numbers in fixed-size Float64Array chunks: 8 bytes per element, no per-element
// object, and memory is returned chunk by chunk as the front is consumed.

import { assert } from '../../common/assert.ts';

const CHUNK = 1024;

export class NumberDeque {
  #chunks: Float64Array[] = [];
  /** Index of the front element inside chunks[0]. */
  #head = 0;
  /** Index one past the back element inside the last chunk. */
  #tail = CHUNK;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#tail === CHUNK) {
      this.#chunks.push(new Float64Array(CHUNK));
      this.#tail = 0;
      if (this.#chunks.length === 1) this.#head = 0;
    }
    (this.#chunks[this.#chunks.length - 1] as Float64Array)[this.#tail++] = value;
    this.#length++;
  }

  /** The front element, or undefined when empty. */
  peek(): number | undefined {
    if (this.#length === 0) return undefined;
    return (this.#chunks[0] as Float64Array)[this.#head];
  }

  shift(): number | undefined {
    if (this.#length === 0) return undefined;
    const chunk = this.#chunks[0] as Float64Array;
    const value = chunk[this.#head++] as number;
    this.#length--;
    if (this.#length === 0) {
      this.clear();
    } else if (this.#head === CHUNK) {
      this.#chunks.shift();
      this.#head = 0;
    }
    return value;
  }

  /** Element `i` from the front (0-based). */
  at(i: number): number {
    assert(i >= 0 && i < this.#length, 'deque index out of range');
    const pos = this.#head + i;
    return (this.#chunks[Math.floor(pos / CHUNK)] as Float64Array)[pos % CHUNK] as number;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#tail = CHUNK;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.#length; i++) yield this.at(i);
  }
}
