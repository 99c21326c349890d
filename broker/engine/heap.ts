// Binary min-heaps over numbers kept in typed arrays (no object per entry). Callers use lazy
// deletion: an entry that no longer matches the state it was pushed for is skipped when it
// surfaces, and `rebuild` drops such entries in one pass when they pile up. An empty heap holds
// no array of its own (a broker may have thousands of idle subscriptions, each with several).

/** Shared by every empty heap; never written (a push grows the heap first). */
const EMPTY = new Float64Array(0);
const FIRST_CAPACITY = 8;

/** Min-heap of (primary, secondary) pairs ordered by primary, then secondary: e.g. (timeMs, seq). */
export class PairHeap {
  #a: Float64Array = EMPTY;
  #b: Float64Array = EMPTY;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(primary: number, secondary: number): void {
    if (this.#size === this.#a.length) this.#grow();
    const a = this.#a;
    const b = this.#b;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = a[parent] as number;
      if (pa < primary || (pa === primary && (b[parent] as number) <= secondary)) break;
      a[i] = pa;
      b[i] = b[parent] as number;
      i = parent;
    }
    a[i] = primary;
    b[i] = secondary;
  }

  /** Primary of the top entry, or Infinity when empty. */
  topPrimary(): number {
    return this.#size === 0 ? Number.POSITIVE_INFINITY : (this.#a[0] as number);
  }

  /** Secondary of the top entry (only meaningful when size > 0). */
  topSecondary(): number {
    return this.#b[0] as number;
  }

  pop(): void {
    if (this.#size === 0) return;
    const a = this.#a;
    const b = this.#b;
    const n = --this.#size;
    if (n === 0) return;
    const pa = a[n] as number;
    const pb = b[n] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const ca = a[child] as number;
        const ra = a[right] as number;
        if (ra < ca || (ra === ca && (b[right] as number) < (b[child] as number))) child = right;
      }
      const ca = a[child] as number;
      if (pa < ca || (pa === ca && pb <= (b[child] as number))) break;
      a[i] = ca;
      b[i] = b[child] as number;
      i = child;
    }
    a[i] = pa;
    b[i] = pb;
  }

  /** Visits entries with primary <= limit (in no particular order) until `visit` returns false. */
  visitUpTo(limit: number, visit: (primary: number, secondary: number) => boolean): void {
    const stack: number[] = [0];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i >= this.#size || (this.#a[i] as number) > limit) continue;
      if (!visit(this.#a[i] as number, this.#b[i] as number)) return;
      stack.push(2 * i + 1, 2 * i + 2);
    }
  }

  /** Keeps only entries for which `keep` is true. */
  rebuild(keep: (primary: number, secondary: number) => boolean): void {
    const a = this.#a.slice(0, this.#size);
    const b = this.#b.slice(0, this.#size);
    this.clear();
    for (let i = 0; i < a.length; i++) {
      if (keep(a[i] as number, b[i] as number)) this.push(a[i] as number, b[i] as number);
    }
  }

  clear(): void {
    this.#size = 0;
    this.#a = EMPTY;
    this.#b = EMPTY;
  }

  #grow(): void {
    const capacity = Math.max(FIRST_CAPACITY, this.#a.length * 2);
    const a = new Float64Array(capacity);
    const b = new Float64Array(capacity);
    a.set(this.#a);
    b.set(this.#b);
    this.#a = a;
    this.#b = b;
  }
}

/** Min-heap of single numbers. */
export class NumberHeap {
  #a: Float64Array = EMPTY;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(value: number): void {
    if (this.#size === this.#a.length) {
      const next = new Float64Array(Math.max(FIRST_CAPACITY, this.#a.length * 2));
      next.set(this.#a);
      this.#a = next;
    }
    const a = this.#a;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pv = a[parent] as number;
      if (pv <= value) break;
      a[i] = pv;
      i = parent;
    }
    a[i] = value;
  }

  /** The smallest value, or Infinity when empty. */
  top(): number {
    return this.#size === 0 ? Number.POSITIVE_INFINITY : (this.#a[0] as number);
  }

  pop(): void {
    if (this.#size === 0) return;
    const a = this.#a;
    const n = --this.#size;
    if (n === 0) return;
    const value = a[n] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (a[child + 1] as number) < (a[child] as number)) child++;
      const cv = a[child] as number;
      if (value <= cv) break;
      a[i] = cv;
      i = child;
    }
    a[i] = value;
  }

  visitUpTo(limit: number, visit: (value: number) => boolean): void {
    const stack: number[] = [0];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i >= this.#size || (this.#a[i] as number) > limit) continue;
      if (!visit(this.#a[i] as number)) return;
      stack.push(2 * i + 1, 2 * i + 2);
    }
  }

  rebuild(keep: (value: number) => boolean): void {
    const a = this.#a.slice(0, this.#size);
    this.clear();
    for (const v of a) if (keep(v)) this.push(v);
  }

  clear(): void {
    this.#size = 0;
    this.#a = EMPTY;
  }
}
