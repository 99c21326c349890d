// The simulator's only source of progress: events ordered by (simulated time, insertion order).
// Everything asynchronous in the simulated world (disk completions, message deliveries, timers,
// client actions) is an event here, so a seed fixes the whole interleaving.
import { assert } from '../../common/assert.ts';

export interface SimEvent {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export class EventQueue {
  readonly #heap: SimEvent[] = [];
  readonly #limit: number;
  #seq = 0;
  #nowMs: number;

  constructor(startMs: number, limit: number) {
    this.#nowMs = startMs;
    this.#limit = limit;
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  get size(): number {
    return this.#heap.length;
  }

  at(atMs: number, run: () => void): SimEvent {
    assert(this.#heap.length < this.#limit, `event queue over its limit of ${this.#limit}`);
    const event: SimEvent = { atMs: Math.max(atMs, this.#nowMs), seq: this.#seq++, run, cancelled: false };
    const heap = this.#heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent] as SimEvent)) break;
      heap[i] = heap[parent] as SimEvent;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  after(delayMs: number, run: () => void): SimEvent {
    return this.at(this.#nowMs + delayMs, run);
  }

  /** Removes the next live event and advances time to it; undefined when none is left. */
  pop(): SimEvent | undefined {
    for (;;) {
      const heap = this.#heap;
      const top = heap[0];
      if (top === undefined) return undefined;
      const last = heap.pop() as SimEvent;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          let best = last;
          if (l < heap.length && before(heap[l] as SimEvent, best)) {
            m = l;
            best = heap[l] as SimEvent;
          }
          if (r < heap.length && before(heap[r] as SimEvent, best)) m = r;
          if (m === i) break;
          heap[i] = heap[m] as SimEvent;
          i = m;
        }
        heap[i] = last;
      }
      if (top.cancelled) continue;
      this.#nowMs = top.atMs;
      return top;
    }
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
