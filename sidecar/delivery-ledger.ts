// The deliveries the sidecar handed to the app and that are not settled yet, by receipt: where to
// send their settles, which process span to end, and what to nack when the sidecar drains.
// Bounded: past the limit the oldest entry is forgotten (its span ended), which only costs a
// redelivery after its lease if the sidecar then drains.
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

  /** Held deliveries of one Consume stream (streamId) or of Receive calls (undefined). */
  heldBy(streamId: number | undefined): HeldDelivery[] {
    return [...this.#entries.values()].filter((e) => e.streamId === streamId);
  }
}
