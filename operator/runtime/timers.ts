// Time for the operator's runtime, injected: production passes systemTimers, tests a ManualTimers
// they advance by hand, so backoff, requeue delays and lease expiry are tested without sleeping.

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Monotonic milliseconds. */
  nowMs(): number;
  /** Wall-clock epoch milliseconds (for times written to the API server). */
  wallMs(): number;
  /** Runs `callback` once after `delayMs` (0 or less: as soon as possible). */
  after(delayMs: number, callback: () => void): TimerHandle;
}

export const systemTimers: Timers = {
  nowMs: () => performance.now(),
  wallMs: () => Date.now(),
  after(delayMs, callback) {
    // Not unref'd: a standby operator waiting for its Lease has nothing else keeping it alive.
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A promise that resolves after `delayMs` on `timers`, or at once when `signal` aborts. */
export function delay(timers: Timers, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      handle.cancel();
      resolve();
    };
    const handle = timers.after(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Pending {
  readonly dueMs: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Timers that only move when the test calls advance(); callbacks run in due order. */
export class ManualTimers implements Timers {
  #nowMs = 0;
  #seq = 0;
  #pending: Pending[] = [];
  readonly #wallOffsetMs: number;

  constructor(wallOffsetMs = 1_700_000_000_000) {
    this.#wallOffsetMs = wallOffsetMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  wallMs(): number {
    return this.#wallOffsetMs + this.#nowMs;
  }

  after(delayMs: number, callback: () => void): TimerHandle {
    const entry: Pending = { dueMs: this.#nowMs + Math.max(0, delayMs), seq: this.#seq++, callback, cancelled: false };
    this.#pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Timers still waiting to fire. */
  get pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      this.#pending = this.#pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.#pending) {
        if (
          p.dueMs <= targetMs &&
          (next === undefined || p.dueMs < next.dueMs || (p.dueMs === next.dueMs && p.seq < next.seq))
        )
          next = p;
      }
      if (next === undefined) break;
      next.cancelled = true;
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      next.callback();
    }
    this.#nowMs = targetMs;
  }
}
