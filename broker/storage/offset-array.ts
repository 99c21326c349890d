// A growable array of u32 file offsets: the in-memory index of one segment, 4 bytes per entry.

import { assert } from '../../common/assert.ts';

const INITIAL_CAPACITY = 256;

export class OffsetArray {
  #values = new Uint32Array(INITIAL_CAPACITY);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(offset: number): void {
    assert(offset >= 0 && offset <= 0xffffffff, `segment offset ${offset} does not fit in u32`);
    if (this.#length === this.#values.length) {
      const grown = new Uint32Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = offset;
  }

  at(position: number): number {
    assert(position >= 0 && position < this.#length, `offset position ${position} out of range`);
    return this.#values[position] as number;
  }

  /** Keeps the first `length` offsets. */
  truncate(length: number): void {
    assert(length >= 0 && length <= this.#length, `cannot truncate ${this.#length} offsets to ${length}`);
    this.#length = length;
  }

  /** Gives back the spare capacity of a segment that will not grow any more. */
  trim(): void {
    if (this.#values.length > Math.max(this.#length, INITIAL_CAPACITY)) {
      this.#values = this.#values.slice(0, Math.max(this.#length, INITIAL_CAPACITY));
    }
  }
}
