// A keyed work queue with client-go's semantics (util/workqueue): a key added while it waits is
// stored once (repeated events collapse); a key added while a worker processes it is marked dirty
// and queued again only when that worker calls done(), so one object is never reconciled twice at
// once and no event is lost. addRateLimited() requeues after the key's exponential backoff,
// forget() resets it; addAfter() delays a key (the earliest of several requested times wins).
// Bounded: at most itemsMax distinct keys wait; add() refuses beyond that (the periodic resync of
// a level-triggered controller brings a refused key back).
import { type BackoffOptions, DEFAULT_BACKOFF, ItemBackoff } from './rate-limiter.ts';
import type { TimerHandle, Timers } from './timers.ts';

export interface WorkQueueOptions {
  readonly timers: Timers;
  readonly itemsMax?: number;
  readonly backoff?: BackoffOptions;
}

export const DEFAULT_ITEMS_MAX = 100_000;

interface Waiting {
  readonly dueMs: number;
  readonly handle: TimerHandle;
}

export class WorkQueue {
  readonly #timers: Timers;
  readonly #itemsMax: number;
  readonly #backoff: ItemBackoff;
  /** Keys ready for a worker, in order. */
  readonly #queue: string[] = [];
  /** Keys that need processing: queued, or added again while being processed. */
  readonly #dirty = new Set<string>();
  /** Keys a worker holds right now. */
  readonly #processing = new Set<string>();
  /** Keys waiting for a delay to pass before add(). */
  readonly #waiting = new Map<string, Waiting>();
  /** Workers blocked in get(). */
  readonly #getters: Array<(key: string | undefined) => void> = [];
  #shuttingDown = false;
  #refused = 0;

  constructor(options: WorkQueueOptions) {
    this.#timers = options.timers;
    this.#itemsMax = options.itemsMax ?? DEFAULT_ITEMS_MAX;
    this.#backoff = new ItemBackoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  /** Queues `key` unless it is already waiting; false when shutting down or full. */
  add(key: string): boolean {
    if (this.#shuttingDown) return false;
    if (this.#dirty.has(key)) return true;
    if (this.#dirty.size >= this.#itemsMax) {
      this.#refused++;
      return false;
    }
    this.#dirty.add(key);
    if (this.#processing.has(key)) return true; // done() queues it again
    this.#enqueue(key);
    return true;
  }

  /** Queues `key` after `delayMs`; an earlier pending time for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueMs = this.#timers.nowMs() + delayMs;
    const existing = this.#waiting.get(key);
    if (existing !== undefined) {
      if (existing.dueMs <= dueMs) return;
      existing.handle.cancel();
    }
    const handle = this.#timers.after(delayMs, () => {
      this.#waiting.delete(key);
      this.add(key);
    });
    this.#waiting.set(key, { dueMs, handle });
  }

  /** Queues `key` after its backoff (which grows with each call until forget()). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.#backoff.when(key));
  }

  /** The key succeeded: its backoff starts again from the base delay. */
  forget(key: string): void {
    this.#backoff.forget(key);
  }

  retries(key: string): number {
    return this.#backoff.retries(key);
  }

  /** The next key to process; undefined once the queue shuts down. Call done(key) after. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) return Promise.resolve(this.#take(key));
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** The worker finished `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#enqueue(key);
  }

  /** Stops accepting keys and wakes every blocked get() with undefined. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const waiting of this.#waiting.values()) waiting.handle.cancel();
    this.#waiting.clear();
    for (const getter of this.#getters.splice(0)) getter(undefined);
  }

  get length(): number {
    return this.#queue.length;
  }

  get processingCount(): number {
    return this.#processing.size;
  }

  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** add() calls refused because itemsMax keys were already waiting. */
  get refusedCount(): number {
    return this.#refused;
  }

  #enqueue(key: string): void {
    const getter = this.#getters.shift();
    if (getter !== undefined) getter(this.#take(key));
    else this.#queue.push(key);
  }

  #take(key: string): string {
    this.#processing.add(key);
    this.#dirty.delete(key);
    return key;
  }
}

export type Handler = (key: string) => Promise<HandlerResult>;

/** What a reconcile asks of the queue: nothing more, or come back after `requeueAfterMs`. */
export interface HandlerResult {
  readonly requeueAfterMs?: number;
}

/**
 * Runs `workers` loops that take keys and call `handler`: success forgets the backoff (and
 * requeues after requeueAfterMs when asked), a thrown error requeues with backoff. Resolves when
 * the queue shuts down and every loop has finished its key.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  handler: Handler,
  onError: (key: string, error: unknown) => void,
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await handler(key);
        queue.forget(key);
        if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        onError(key, error);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
