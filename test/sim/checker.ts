// The simulator's checkers. Raft: election safety (one leader per term), log matching (entries
// with the same index and term hold the same data, on every replica's durable log), leader
// completeness (a new leader's log holds every entry applied anywhere so far), state-machine
// safety (every replica applies the same entry at each index). Messaging, from the committed
// history of commands and their results: dedup (one message per dedup id), no phantom delivery,
// per-key first-delivery order on the PerKey queue, no message acknowledged twice; and at the end
// no acknowledged publish lost, at-least-once (every such message acked in its queue or the
// dead-letter queue, unless its TTL ran out first) and dead-letter accounting. An expired message
// is never delivered again.

import type { ApplyResult, Command, ExpiredMessage } from '../../broker/engine/types.ts';
import type { RaftReplica } from '../../broker/replica/raft-replica.ts';

export class SimFailure extends Error {
  override name = 'SimFailure';
}

/** FNV-1a over bytes, 32 bits. */
export function hashBytes(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 16777619) >>> 0;
  return h;
}

export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export const MAIN_QUEUE = 'default/orders';
export const DEAD_LETTER_QUEUE = 'default/orders-dlq';

interface Published {
  readonly dedupId: string;
  readonly key: string;
  readonly sequence: number;
  readonly payloadHash: number;
}

export class Checker {
  readonly #leaders = new Map<number, string>();
  /** history[i - 1]: the entry applied at index i (term and data hash). */
  readonly #history: { term: number; hash: number }[] = [];
  readonly #logTerms = new Map<string, number>();
  /** Model of the committed history, fed by the first replica to apply each index. */
  #modelIndex = 0;
  readonly published = new Map<string, Published>();
  readonly #byDedup = new Map<string, string>();
  readonly #receipts = new Map<string, { messageId: string; destination: string }>();
  readonly #lastFirstDelivery = new Map<string, number>();
  readonly ackedIn = new Map<string, string>();
  readonly delivered = new Set<string>();
  /** Messages whose TTL ran out, by message id: where they were then. */
  readonly expired = new Map<string, string>();
  leases = 0;

  /** The first violation found (also thrown, but a throw inside a replica may be caught there). */
  failure: string | undefined;

  fail(message: string): never {
    this.failure ??= message;
    throw new SimFailure(message);
  }

  get committedIndex(): number {
    return this.#history.length;
  }

  becameLeader(member: string, term: number, replica: RaftReplica): void {
    const other = this.#leaders.get(term);
    if (other !== undefined && other !== member)
      this.fail(`election safety: ${other} and ${member} both lead term ${term}`);
    this.#leaders.set(term, member);
    const storage = replica.raftStorage;
    const last = storage.lastIndex();
    if (last < this.#history.length) {
      this.fail(
        `leader completeness: ${member} leads term ${term} with last index ${last} < applied ${this.#history.length}`,
      );
    }
    for (let index = storage.firstIndex(); index <= this.#history.length; index++) {
      const want = this.#history[index - 1];
      const [entry] = storage.entries(index, index + 1, Number.POSITIVE_INFINITY);
      if (want === undefined || entry === undefined) continue;
      if (entry.term !== want.term || hashBytes(entry.data) !== want.hash) {
        this.fail(`leader completeness: ${member} (term ${term}) lacks the committed entry at ${index}`);
      }
    }
  }

  persisted(member: string, entries: readonly { index: number; term: number; data: Uint8Array }[]): void {
    for (const entry of entries) {
      const key = `${entry.index}/${entry.term}`;
      const hash = hashBytes(entry.data);
      const seen = this.#logTerms.get(key);
      if (seen === undefined) this.#logTerms.set(key, hash);
      else if (seen !== hash)
        this.fail(`log matching: ${member} stored different data at index ${entry.index} term ${entry.term}`);
    }
  }

  /** Returns whether this is the first time anyone applied `index` (then the model should see it). */
  applied(member: string, index: number, term: number, data: Uint8Array): boolean {
    const hash = hashBytes(data);
    const seen = this.#history[index - 1];
    if (seen !== undefined) {
      if (seen.term !== term || seen.hash !== hash) {
        this.fail(`state machine safety: ${member} applied term ${term} at ${index}, others term ${seen.term}`);
      }
      return false;
    }
    if (index !== this.#history.length + 1) {
      this.fail(`${member} applied ${index} first while the history ends at ${this.#history.length}`);
    }
    this.#history.push({ term, hash });
    return true;
  }

  /** The committed command at `index` and its result (first applier only). */
  model(index: number, command: Command, result: ApplyResult, expired: readonly ExpiredMessage[]): void {
    if (index <= this.#modelIndex) return;
    this.#modelIndex = index;
    // Time moves before the command applies: these ran out first.
    for (const message of expired) {
      if (!this.published.has(message.messageId)) this.fail(`expired ${message.messageId} was never published`);
      if (this.expired.has(message.messageId)) this.fail(`${message.messageId} expired twice`);
      this.expired.set(message.messageId, message.destination);
    }
    if (command.type === 'publish' && 'type' in result && result.type === 'published') {
      command.items.forEach((item, i) => {
        const outcome = result.outcomes[i];
        if (outcome === undefined || !outcome.ok) return;
        const known = this.#byDedup.get(item.dedupId);
        if (known !== undefined) {
          if (!outcome.duplicate) this.fail(`dedup: ${item.dedupId} stored twice (${known}, ${outcome.messageId})`);
          if (outcome.messageId !== known)
            this.fail(`dedup: ${item.dedupId} answered ${outcome.messageId}, stored ${known}`);
          return;
        }
        if (outcome.duplicate) this.fail(`dedup: ${item.dedupId} called a duplicate but never stored`);
        this.#byDedup.set(item.dedupId, outcome.messageId);
        this.published.set(outcome.messageId, {
          dedupId: item.dedupId,
          key: item.key,
          sequence: outcome.sequence,
          payloadHash: hashBytes(item.payload),
        });
      });
    } else if (command.type === 'lease' && 'type' in result && result.type === 'leased') {
      for (const d of result.deliveries) {
        this.leases++;
        const published = this.published.get(d.messageId);
        if (published === undefined) this.fail(`phantom delivery: ${d.messageId} was never published`);
        if (this.ackedIn.has(d.messageId)) this.fail(`${d.messageId} delivered again after it was acknowledged`);
        if (this.expired.has(d.messageId)) this.fail(`${d.messageId} delivered after its TTL ran out`);
        this.delivered.add(d.messageId);
        this.#receipts.set(d.receipt, { messageId: d.messageId, destination: d.destination });
        if (d.destination === MAIN_QUEUE && d.attempt === 1) {
          const last = this.#lastFirstDelivery.get(published.key) ?? -1;
          if (d.sequence <= last) {
            this.fail(`per-key order: key ${published.key} delivered seq ${d.sequence} first after seq ${last}`);
          }
          this.#lastFirstDelivery.set(published.key, d.sequence);
        }
      }
    } else if (command.type === 'settle' && 'type' in result && result.type === 'settled' && command.op === 'ack') {
      command.receipts.forEach((receipt, i) => {
        if (result.outcomes[i] !== 'ok') return;
        const lease = this.#receipts.get(receipt);
        if (lease === undefined) this.fail(`ack of receipt ${receipt} that no lease handed out`);
        const before = this.ackedIn.get(lease.messageId);
        if (before !== undefined) this.fail(`${lease.messageId} acknowledged twice (${before}, ${lease.destination})`);
        this.ackedIn.set(lease.messageId, lease.destination);
      });
    }
  }

  /** A body read back for a delivery must be the one published under that message id. */
  checkBody(messageId: string, payload: Uint8Array, dedupId: string): void {
    const published = this.published.get(messageId);
    if (published === undefined) this.fail(`phantom body: ${messageId} was never published`);
    if (published.payloadHash !== hashBytes(payload) || published.dedupId !== dedupId) {
      this.fail(`wrong body for ${messageId}: not what was published`);
    }
  }

  /** End of run, after the drain: every acknowledged publish was delivered and acknowledged. */
  finalCheck(ackedPublishes: ReadonlyMap<string, string>, deadLettered: number): void {
    for (const [dedupId, messageId] of ackedPublishes) {
      if (!this.published.has(messageId)) this.fail(`lost acknowledged publish ${dedupId} (${messageId})`);
      if (!this.ackedIn.has(messageId) && !this.expired.has(messageId))
        this.fail(`at-least-once: acknowledged publish ${dedupId} never acked by a consumer`);
    }
    for (const messageId of this.published.keys()) {
      if (!this.ackedIn.has(messageId) && !this.expired.has(messageId)) {
        this.fail(`stored message ${messageId} never delivered and acknowledged`);
      }
    }
    // A dead letter is acked from the DLQ, or expires there (its TTL goes with it).
    let fromDeadLetter = 0;
    for (const destination of this.ackedIn.values()) if (destination === DEAD_LETTER_QUEUE) fromDeadLetter++;
    for (const destination of this.expired.values()) if (destination === DEAD_LETTER_QUEUE) fromDeadLetter++;
    if (fromDeadLetter !== deadLettered) {
      this.fail(
        `dead-letter accounting: queue counts ${deadLettered} dead-lettered, ${fromDeadLetter} acked from or expired in the DLQ`,
      );
    }
  }
}
