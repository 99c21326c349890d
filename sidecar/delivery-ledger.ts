// The deliveries the sidecar handed to the app and that are not settled yet, by receipt: where to
// send their settles, which process span to end, and what to nack when the sidecar drains.
// Bounded: past the limit the oldest entry is forgotten (its span ended), which only costs a
// redelivery after its lease if the sidecar then drains; entries whose lease ran out are swept.
import type { Span } from '@opentelemetry/api';

export const LEDGER_ENTRIES_MAX = 100_000;

export interface HeldDelivery {
  readonly receipt: string;
  readonly destination: string;
  readonly subscription: string;
  readonly messageId: string;
  /** Broker address the delivery came from (settles go back there). */
  readonly address: string;
  /** The Consume stream it was pushed on, or undefined for Receive. */
  readonly streamId: number | undefined;
  readonly span: Span | undefined;
  /** When the broker takes the delivery back unless it is settled or extended (epoch ms). */
  leaseExpiresMs: number;
}

export class DeliveryLedger {
  readonly #entries = new Map<string, HeldDelivery>();
  readonly #limit: number;

  constructor(limit = LEDGER_ENTRIES_MAX) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  add(entry: HeldDelivery): void {
    if (entry.receipt === '') return;
    this.#entries.set(entry.receipt, entry);
    if (this.#entries.size > this.#limit) {
      const [oldest] = this.#entries.values();
      if (oldest !== undefined) {
        this.#entries.delete(oldest.receipt);
        oldest.span?.end();
      }
    }
  }

  get(receipt: string): HeldDelivery | undefined {
    return this.#entries.get(receipt);
  }

  /** Forgets a settled delivery and returns what was held. */
  take(receipt: string): HeldDelivery | undefined {
    const entry = this.#entries.get(receipt);
    if (entry !== undefined) this.#entries.delete(receipt);
    return entry;
  }

  /** An extension the broker confirmed: the lease now runs until `leaseExpiresMs`. */
  extended(receipt: string, leaseExpiresMs: number): void {
    const entry = this.#entries.get(receipt);
    if (entry !== undefined) entry.leaseExpiresMs = leaseExpiresMs;
  }

  /**
   * Forgets deliveries whose lease ran out more than `graceMs` ago (the broker redelivers them;
   * their receipts are dead) and returns them, so their spans can be ended.
   */
  expire(nowMs: number, graceMs: number): HeldDelivery[] {
    const expired: HeldDelivery[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.leaseExpiresMs > 0 && entry.leaseExpiresMs + graceMs < nowMs) expired.push(entry);
    }
    for (const entry of expired) this.#entries.delete(entry.receipt);
    return expired;
  }

  /** Held deliveries of one Consume stream (streamId) or of Receive calls (undefined). */
  heldBy(streamId: number | undefined): HeldDelivery[] {
    return [...this.#entries.values()].filter((e) => e.streamId === streamId);
  }
}
