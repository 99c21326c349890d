// One timer for the engine's next deadline (lease expiry, delayed message due, TTL), so the leader
// proposes a `tick` when time would change the state, and not in a busy loop. Like
// tick-scheduler.ts, but over injected Timers so the simulator controls when it fires.
import type { Clock } from '../../common/clock.ts';
import type { Timers } from './io.ts';

const TICK_DELAY_MS_MIN = 5;
/** Far deadlines are re-checked at least this often. */
const TICK_DELAY_MS_MAX = 3_600_000;

export class DeadlineTimer {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #fire: (nowMs: number) => void;
  #cancel: (() => void) | undefined;
  #dueMs = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(clock: Clock, timers: Timers, fire: (nowMs: number) => void) {
    this.#clock = clock;
    this.#timers = timers;
    this.#fire = fire;
  }

  /** Makes sure `fire` runs no later than `deadlineMs` (epoch ms); undefined: nothing to wait for. */
  arm(deadlineMs: number | undefined): void {
    if (this.#stopped || deadlineMs === undefined) return;
    const nowMs = this.#clock.nowMs();
    const wantMs = Math.min(Math.max(deadlineMs, nowMs + TICK_DELAY_MS_MIN), nowMs + TICK_DELAY_MS_MAX);
    if (this.#cancel !== undefined && this.#dueMs <= wantMs) return;
    this.#cancel?.();
    this.#dueMs = wantMs;
    this.#cancel = this.#timers.after(wantMs - nowMs, () => {
      this.#cancel = undefined;
      this.#dueMs = Number.POSITIVE_INFINITY;
      this.#fire(this.#clock.nowMs());
    });
  }

  /** Forgets the armed deadline (e.g. on losing leadership). */
  disarm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#dueMs = Number.POSITIVE_INFINITY;
  }

  stop(): void {
    this.#stopped = true;
    this.disarm();
  }
}
