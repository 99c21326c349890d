// Per-item exponential backoff (client-go's ItemExponentialFailureRateLimiter): each failure of
// one key doubles its delay from baseDelayMs up to maxDelayMs; forget() resets it on success.
// Keys tracked at once are bounded: the oldest entry is dropped when the table is full.

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Keys whose failure count is remembered at once. */
  readonly keysMax: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseDelayMs: 5, maxDelayMs: 300_000, keysMax: 10_000 });

export class ItemBackoff {
  readonly #options: BackoffOptions;
  readonly #failures = new Map<string, number>();

  constructor(options: BackoffOptions = DEFAULT_BACKOFF) {
    if (options.baseDelayMs <= 0 || options.maxDelayMs < options.baseDelayMs || options.keysMax < 1) {
      throw new RangeError('backoff needs 0 < baseDelayMs <= maxDelayMs and keysMax >= 1');
    }
    this.#options = options;
  }

  /** The delay before retrying `key` now, counting this failure. */
  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.delete(key); // re-inserted last: the Map's order is least recently failed first
    if (this.#failures.size >= this.#options.keysMax) {
      const oldest = this.#failures.keys().next();
      if (oldest.done !== true) this.#failures.delete(oldest.value);
    }
    this.#failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after maxDelayMs caps it; Math.min keeps it finite.
    return Math.min(this.#options.baseDelayMs * 2 ** failures, this.#options.maxDelayMs);
  }

  /** Failures recorded for `key` since its last success. */
  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }
}
