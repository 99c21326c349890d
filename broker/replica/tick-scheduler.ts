// Arms one timer for the engine's next deadline (lease expiry, delayed message due, TTL), so the
// leader proposes a `tick` exactly when time would change the state, and not in a busy loop.
import type { Clock } from '../../common/clock.ts';

const TICK_DELAY_MS_MIN = 5;
/** Far deadlines are re-checked at least this often (setTimeout's range is limited). */
const TICK_DELAY_MS_MAX = 3_600_000;

export class TickScheduler {
  readonly #clock: Clock;
  readonly #fire: (nowMs: number) => void;
  #timer: NodeJS.Timeout | undefined;
  #dueMs = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(clock: Clock, fire: (nowMs: number) => void) {
    this.#clock = clock;
    this.#fire = fire;
  }

  /** Makes sure a tick happens no later than `deadlineMs` (epoch ms); undefined: nothing to wait for. */
  arm(deadlineMs: number | undefined): void {
    if (this.#stopped || deadlineMs === undefined) return;
    const nowMs = this.#clock.nowMs();
    const wantMs = Math.min(Math.max(deadlineMs, nowMs + TICK_DELAY_MS_MIN), nowMs + TICK_DELAY_MS_MAX);
    if (this.#timer !== undefined && this.#dueMs <= wantMs) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#dueMs = wantMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#dueMs = Number.POSITIVE_INFINITY;
      this.#fire(this.#clock.nowMs());
    }, wantMs - nowMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
