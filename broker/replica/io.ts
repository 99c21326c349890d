// The I/O a Raft replica needs besides storage, behind small interfaces, so the deterministic
// simulator runs the exact replica code over a simulated network and simulated time.
import type { RaftMessage } from '../raft/messages.ts';

/**
 * Best-effort delivery of Raft messages to a member: it may drop, delay, duplicate or reorder them
 * (Raft tolerates all four). send() must not throw and must not call back synchronously.
 */
export interface Transport {
  send(message: RaftMessage): void;
}

/** A one-shot timer source; production wraps setTimeout, the simulator its event queue. */
export interface Timers {
  /** Calls `fire` once after `delayMs`; the returned function cancels it. */
  after(delayMs: number, fire: () => void): () => void;
}

/** Real timers that do not keep the process alive. */
export const systemTimers: Timers = {
  after(delayMs, fire) {
    const timer = setTimeout(fire, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** What a replica reports as it goes, for tests, the simulator's checkers and metrics. */
export interface ReplicaObserver {
  /** A committed entry was applied at `index` (an empty `data` is a leader's no-op). */
  applied?(member: string, index: number, term: number, data: Uint8Array): void;
  /** The member became leader of `term`. */
  becameLeader?(member: string, term: number): void;
  /** Entries [from..to] of `term`s are durable in the member's log (for log-matching checks). */
  persisted?(member: string, entries: readonly { index: number; term: number; data: Uint8Array }[]): void;
  /** The member installed a snapshot from the leader, at `index`, with `tailEntries` of log tail. */
  installedSnapshot?(member: string, index: number, tailEntries: number): void;
}
