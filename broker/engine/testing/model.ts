// A deliberately naive reference model of one queue's delivery rules, for property tests: every
// message is an object in an array, and every question is answered by scanning them all. It
// knows nothing of heaps, FIFOs, chunks or lazy deletion, so agreeing with it says the engine's
// indexes implement the plain rules:
//
// - deliverable: not leased, not settled, its delay and retry backoff have passed, and under
//   PerKey it is the oldest unsettled message of its key (unkeyed messages are unordered);
// - lease order: highest priority first, then oldest first;
// - an expired lease or a nack retries after the backoff min * 2^(attempt-1) (capped at max),
//   counted from the lease's end (expiry) or the nack; a nack's own delay replaces the backoff;
// - the last allowed delivery (maxDeliveries) ending without an ack dead-letters the message, as
//   does a nack with deadLetter;
// - a TTL removes a waiting message; a leased one may still be acked, and expires when its lease ends.
//
// Time handling mirrors the engine's: each command first moves time to its nowMs, running TTLs
// and then lease expiries (in order of expiry time, then sequence).

import type { QueueSpec, SettleOp, SettleOutcome } from '../types.ts';

interface ModelMessage {
  readonly seq: number;
  readonly key: string;
  readonly priority: number;
  readonly dueMs: number;
  /** 0: no TTL. */
  readonly expiresMs: number;
  attempts: number;
  leased: boolean;
  leaseExpiresMs: number;
  leaseMs: number;
  notBeforeMs: number;
  /** Its TTL passed while it was leased. */
  gone: boolean;
  settled: 'acked' | 'deadLettered' | 'expired' | undefined;
}

export interface ModelDelivery {
  readonly seq: number;
  readonly attempt: number;
  readonly leaseExpiresMs: number;
}

export interface ModelStats {
  readonly depth: number;
  readonly delayed: number;
  readonly inFlight: number;
  readonly acked: number;
  readonly deadLettered: number;
  readonly expired: number;
}

export class QueueModel {
  readonly spec: QueueSpec;
  readonly messages: ModelMessage[] = [];
  /** Sequences of dead-lettered messages, in the order they were moved. */
  readonly deadLetters: number[] = [];
  nowMs = 0;

  constructor(spec: QueueSpec) {
    this.spec = spec;
  }

  #live(): ModelMessage[] {
    return this.messages.filter((m) => m.settled === undefined);
  }

  #backoffMs(attempts: number): number {
    const { retryBackoffMinMs: min, retryBackoffMaxMs: max } = this.spec;
    if (min <= 0) return 0;
    const backoff = min * 2 ** (attempts - 1);
    return max > 0 ? Math.min(backoff, max) : backoff;
  }

  /** Moves time forward: TTLs first, then expired leases in (expiry, seq) order. */
  advance(nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    for (const m of this.#live()) {
      if (m.expiresMs === 0 || m.expiresMs > this.nowMs) continue;
      if (m.leased) m.gone = true;
      else m.settled = 'expired';
    }
    const expired = this.#live()
      .filter((m) => m.leased && m.leaseExpiresMs <= this.nowMs)
      .sort((a, b) => a.leaseExpiresMs - b.leaseExpiresMs || a.seq - b.seq);
    for (const m of expired) this.#endLease(m, m.leaseExpiresMs, 0, false);
  }

  #endLease(m: ModelMessage, baseMs: number, delayMs: number, deadLetter: boolean): void {
    m.leased = false;
    if (m.gone) {
      m.settled = 'expired';
    } else if (deadLetter || (this.spec.maxDeliveries > 0 && m.attempts >= this.spec.maxDeliveries)) {
      m.settled = 'deadLettered';
      this.deadLetters.push(m.seq);
    } else {
      m.notBeforeMs = baseMs + (delayMs > 0 ? delayMs : this.#backoffMs(m.attempts));
    }
  }

  publish(key: string, priority: number, delayMs: number, ttlMs: number): number {
    const seq = this.messages.length + 1;
    this.messages.push({
      seq,
      key,
      priority,
      dueMs: this.nowMs + delayMs,
      expiresMs: ttlMs > 0 ? this.nowMs + ttlMs : 0,
      attempts: 0,
      leased: false,
      leaseExpiresMs: 0,
      leaseMs: 0,
      notBeforeMs: 0,
      gone: false,
      settled: undefined,
    });
    return seq;
  }

  #deliverable(m: ModelMessage): boolean {
    if (m.settled !== undefined || m.leased || m.dueMs > this.nowMs || m.notBeforeMs > this.nowMs) return false;
    if (this.spec.ordering !== 'PerKey' || m.key === '') return true;
    const oldest = this.messages.find((o) => o.key === m.key && o.settled === undefined);
    return oldest === m;
  }

  lease(max: number, ackDeadlineMs: number): ModelDelivery[] {
    const leaseMs = ackDeadlineMs > 0 ? ackDeadlineMs : this.spec.ackDeadlineMs;
    const chosen = this.messages
      .filter((m) => this.#deliverable(m))
      .sort((a, b) => b.priority - a.priority || a.seq - b.seq)
      .slice(0, max);
    return chosen.map((m) => {
      m.attempts++;
      m.leased = true;
      m.leaseMs = leaseMs;
      m.leaseExpiresMs = this.nowMs + leaseMs;
      return { seq: m.seq, attempt: m.attempts, leaseExpiresMs: m.leaseExpiresMs };
    });
  }

  settle(seq: number, attempt: number, op: SettleOp, delayMs: number, deadLetter: boolean): SettleOutcome {
    const m = this.messages[seq - 1];
    if (m === undefined || m.settled !== undefined || attempt > m.attempts) return 'unknown';
    if (attempt < m.attempts || !m.leased || m.leaseExpiresMs <= this.nowMs) return 'expired';
    if (op === 'ack') {
      m.leased = false;
      m.settled = 'acked';
    } else if (op === 'extend') {
      m.leaseExpiresMs = this.nowMs + (delayMs > 0 ? delayMs : m.leaseMs);
    } else {
      this.#endLease(m, this.nowMs, delayMs, deadLetter);
    }
    return 'ok';
  }

  stats(): ModelStats {
    const live = this.#live();
    const count = (what: ModelMessage['settled']) => this.messages.filter((m) => m.settled === what).length;
    return {
      depth: live.filter((m) => !m.leased).length,
      delayed: live.filter((m) => !m.leased && m.attempts === 0 && m.dueMs > this.nowMs).length,
      inFlight: live.filter((m) => m.leased).length,
      acked: count('acked'),
      deadLettered: count('deadLettered'),
      expired: count('expired'),
    };
  }
}
