// The simulated network between replicas: per-link delay, drop and duplicate rates, and blocked
// links (a partition blocks both directions; a one-way fault only one). Random delays reorder.

import type { RaftMessage } from '../../broker/raft/messages.ts';
import type { Random } from '../../common/random.ts';
import type { EventQueue } from './event-queue.ts';

export interface LinkFaults {
  dropRate: number;
  duplicateRate: number;
  delayMsMin: number;
  delayMsMax: number;
}

const CALM: LinkFaults = { dropRate: 0, duplicateRate: 0, delayMsMin: 0.5, delayMsMax: 3 };
/** Messages in flight at once; past it the network drops (a bounded queue, like a socket buffer). */
const IN_FLIGHT_MAX = 20_000;

export class SimNetwork {
  readonly #events: EventQueue;
  readonly #random: Random;
  readonly #deliver: (message: RaftMessage) => void;
  readonly #blocked = new Set<string>();
  #faults: LinkFaults = CALM;
  #inFlight = 0;
  stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(events: EventQueue, random: Random, deliver: (message: RaftMessage) => void) {
    this.#events = events;
    this.#random = random;
    this.#deliver = deliver;
  }

  setFaults(faults: LinkFaults): void {
    this.#faults = faults;
  }

  heal(): void {
    this.#blocked.clear();
    this.#faults = CALM;
  }

  /** Cuts `from` -> `to` (one way). */
  block(from: string, to: string): void {
    this.#blocked.add(`${from}>${to}`);
  }

  /** Splits the members into two sides that cannot talk to each other. */
  partition(side: readonly string[], others: readonly string[]): void {
    for (const a of side) {
      for (const b of others) {
        this.block(a, b);
        this.block(b, a);
      }
    }
  }

  send(message: RaftMessage): void {
    this.stats.sent++;
    const f = this.#faults;
    if (this.#blocked.has(`${message.from}>${message.to}`) || this.#inFlight >= IN_FLIGHT_MAX) {
      this.stats.dropped++;
      return;
    }
    if (this.#random.next() < f.dropRate) {
      this.stats.dropped++;
      return;
    }
    const copies = this.#random.next() < f.duplicateRate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      this.#inFlight++;
      const delay = f.delayMsMin + this.#random.next() * (f.delayMsMax - f.delayMsMin);
      this.#events.after(delay, () => {
        this.#inFlight--;
        // Checked again on arrival: a partition made while the message was in flight cuts it too.
        if (this.#blocked.has(`${message.from}>${message.to}`)) {
          this.stats.dropped++;
          return;
        }
        this.stats.delivered++;
        this.#deliver(message);
      });
    }
  }
}
