// Terms of the stored entries, run-length encoded: a term changes rarely along a Raft log, so one
// (first index, term) pair per run keeps term(index) in memory for millions of entries.

import { assert } from '../../common/assert.ts';

export class TermRuns {
  /** First index of each run, ascending; the last run extends to #lastIndex. */
  #starts: number[] = [];
  #terms: number[] = [];
  #lastIndex = 0;

  /** Records that entry `index` (the one after the last recorded) has `term`. */
  append(index: number, term: number): void {
    const count = this.#terms.length;
    if (count > 0) assert(index === this.#lastIndex + 1, `term of index ${index} after ${this.#lastIndex}`);
    if (count === 0 || this.#terms[count - 1] !== term) {
      this.#starts.push(index);
      this.#terms.push(term);
    }
    this.#lastIndex = index;
  }

  /** Term of `index`; the caller checks it is recorded. */
  termAt(index: number): number {
    assert(this.#starts.length > 0 && index >= (this.#starts[0] as number) && index <= this.#lastIndex);
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.#starts[mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    return this.#terms[low] as number;
  }

  /** Forgets `fromIndex` and everything after it. */
  truncateFrom(fromIndex: number): void {
    while (this.#starts.length > 0 && (this.#starts[this.#starts.length - 1] as number) >= fromIndex) {
      this.#starts.pop();
      this.#terms.pop();
    }
    this.#lastIndex = this.#starts.length > 0 ? Math.min(this.#lastIndex, fromIndex - 1) : 0;
  }

  /** Forgets everything before `index`. */
  dropBefore(index: number): void {
    let drop = 0;
    while (drop + 1 < this.#starts.length && (this.#starts[drop + 1] as number) <= index) drop++;
    if (drop > 0) {
      this.#starts.splice(0, drop);
      this.#terms.splice(0, drop);
    }
    if (this.#starts.length > 0 && (this.#starts[0] as number) < index) {
      if (index > this.#lastIndex) this.clear();
      else this.#starts[0] = index;
    }
  }

  clear(): void {
    this.#starts = [];
    this.#terms = [];
    this.#lastIndex = 0;
  }

  /** Number of runs (for tests). */
  get runs(): number {
    return this.#starts.length;
  }
}
