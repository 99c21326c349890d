// A FIFO of numbers in Float64Array chunks: 8 bytes per element, no per-element object, and
// memory is returned chunk by chunk as the front is consumed. Chunks start small and double up
// to CHUNK_MAX, so the many short FIFOs of a broker with many idle queues stay small.

const CHUNK_MIN = 16;
const CHUNK_MAX = 1024;

export class NumberDeque {
  #chunks: Float64Array[] = [];
  /** Index of the front element inside chunks[0]. */
  #head = 0;
  /** Index one past the back element inside the last chunk. */
  #tail = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    let last = this.#chunks[this.#chunks.length - 1];
    if (last === undefined || this.#tail === last.length) {
      last = new Float64Array(last === undefined ? CHUNK_MIN : Math.min(CHUNK_MAX, last.length * 2));
      this.#chunks.push(last);
      this.#tail = 0;
    }
    last[this.#tail++] = value;
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
    } else if (this.#head === chunk.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
    return value;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#tail = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c] as Float64Array;
      const end = c === chunks.length - 1 ? this.#tail : chunk.length;
      for (let i = c === 0 ? this.#head : 0; i < end; i++) yield chunk[i] as number;
    }
  }
}
