// Single publishes that arrive together (one PublishStream read, many concurrent Publish calls)
// become one publish command: one log record, one Raft entry, one fsync share and one apply call
// instead of one each. Items are independent inside a command (each has its own outcome, dedup id
// and destination), so callers cannot see that they were batched, except in the latency of one
// setImmediate at most.
import type { PublishItem, PublishOutcome } from '../engine/types.ts';

/** A command is sent once it holds this many items or payload bytes, whichever comes first. */
export const COALESCED_ITEMS_MAX = 512;
export const COALESCED_BYTES_MAX = 1024 * 1024;

type ProposeItems = (items: readonly PublishItem[]) => Promise<readonly PublishOutcome[]>;

interface Waiter {
  readonly resolve: (outcome: PublishOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export class PublishCoalescer {
  readonly #propose: ProposeItems;
  #items: PublishItem[] = [];
  #waiters: Waiter[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(propose: ProposeItems) {
    this.#propose = propose;
  }

  /** Resolves with this item's outcome once the command holding it is applied. */
  publish(item: PublishItem): Promise<PublishOutcome> {
    const outcome = new Promise<PublishOutcome>((resolve, reject) => {
      this.#items.push(item);
      this.#waiters.push({ resolve, reject });
    });
    this.#bytes += item.payload.byteLength;
    if (this.#items.length >= COALESCED_ITEMS_MAX || this.#bytes >= COALESCED_BYTES_MAX) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // After the I/O that delivered this publish has delivered all it read.
      setImmediate(() => {
        this.#scheduled = false;
        this.#flush();
      });
    }
    return outcome;
  }

  #flush(): void {
    if (this.#items.length === 0) return;
    const items = this.#items;
    const waiters = this.#waiters;
    this.#items = [];
    this.#waiters = [];
    this.#bytes = 0;
    this.#propose(items).then(
      (outcomes) => {
        for (const [i, waiter] of waiters.entries()) {
          const outcome = outcomes[i];
          if (outcome === undefined)
            waiter.reject(new Error(`publish command answered ${outcomes.length} of ${items.length} items`));
          else waiter.resolve(outcome);
        }
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}
