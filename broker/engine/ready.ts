// The ready messages of a subscription in delivery order: highest priority first, then oldest
// (lowest sequence number) first. Messages that become ready in publish order go to a FIFO per
// priority (8 bytes each); the rest (retries, released delays, key heads) go to one heap whose
// keys pack (priority, seq) into a number. Entries are never removed from the middle: `pop`
// skips those whose message is no longer ready, and the heap is rebuilt when they pile up.

import { NumberDeque } from './deque.ts';
import { NumberHeap } from './heap.ts';

export const MAX_PRIORITY = 9;
const LEVELS = MAX_PRIORITY + 1;
/** (9 - priority) * 2^48 + seq: sequence numbers stay below 2^48. */
const SEQ_SPACE = 2 ** 48;
/** The heap is rebuilt when it holds this many more entries than there are ready messages. */
const STALE_SLACK = 1024;

export class ReadyIndex {
  #fifos: (NumberDeque | undefined)[] = new Array<NumberDeque | undefined>(LEVELS).fill(undefined);
  #fifoLast: number[] = new Array<number>(LEVELS).fill(0);
  #heap = new NumberHeap();

  /** Adds a ready message; `readyCount` (all ready messages) bounds the heap's stale entries. */
  push(seq: number, priority: number, readyCount: number, isReady: (seq: number) => boolean): void {
    if (seq > (this.#fifoLast[priority] as number)) {
      let fifo = this.#fifos[priority];
      if (fifo === undefined) {
        fifo = new NumberDeque();
        this.#fifos[priority] = fifo;
      }
      fifo.push(seq);
      this.#fifoLast[priority] = seq;
      return;
    }
    this.#heap.push((MAX_PRIORITY - priority) * SEQ_SPACE + seq);
    if (this.#heap.size > 2 * readyCount + STALE_SLACK) {
      this.#heap.rebuild((packed) => isReady(packed % SEQ_SPACE));
    }
  }

  /** Removes and returns the next message to deliver, skipping entries that are no longer ready. */
  pop(isReady: (seq: number) => boolean): number | undefined {
    const heap = this.#heap;
    while (heap.size > 0 && !isReady(heap.top() % SEQ_SPACE)) heap.pop();
    const heapKey = heap.top();
    let fifoKey = Number.POSITIVE_INFINITY;
    let fifo: NumberDeque | undefined;
    for (let p = MAX_PRIORITY; p >= 0 && fifo === undefined; p--) {
      const candidate = this.#fifos[p];
      if (candidate === undefined) continue;
      let head = candidate.peek();
      while (head !== undefined && !isReady(head)) {
        candidate.shift();
        head = candidate.peek();
      }
      if (head === undefined) continue;
      fifoKey = (MAX_PRIORITY - p) * SEQ_SPACE + head;
      fifo = candidate;
    }
    if (heapKey < fifoKey) {
      heap.pop();
      return heapKey % SEQ_SPACE;
    }
    return fifo?.shift();
  }

  clear(): void {
    this.#fifos = new Array<NumberDeque | undefined>(LEVELS).fill(undefined);
    this.#fifoLast = new Array<number>(LEVELS).fill(0);
    this.#heap = new NumberHeap();
  }
}
