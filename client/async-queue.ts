// A small push/pull queue turned into an async iterator: the producer pushes items as they arrive,
// ends it or fails it; the consumer iterates. Used for a Consume stream's deliveries.

export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #waiters: Array<{ resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }> = [];
  #done = false;
  #error: unknown = undefined;
  #failed = false;

  get size(): number {
    return this.#items.length;
  }

  get done(): boolean {
    return this.#done;
  }

  push(item: T): void {
    if (this.#done) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  /** No more items: iteration ends once the buffered ones are taken. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
  }

  /** Iteration throws `error` once the buffered items are taken. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#failed = true;
    this.#error = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}
