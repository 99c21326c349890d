// Time is injected: production code takes a Clock, tests and the simulator pass their own.

export interface Clock {
  /** Wall-clock time in epoch milliseconds (stamped into log entries by the leader). */
  nowMs(): number;
  /** Monotonic milliseconds for measuring intervals and deadlines. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};
