// Simulated clients: publishes (dedup ids, keys), receives (leases), acks and nacks, sent to
// whoever leads, retried on NotLeader (following the hint), UNAVAILABLE and timeouts; a publish is
// retried with the same dedup id until it is acknowledged.

import type { ApplyResult, Command, PublishItem } from '../../broker/engine/types.ts';
import type { RaftReplica } from '../../broker/replica/raft-replica.ts';
import { NotLeaderError, WharfError } from '../../common/errors.ts';
import { DEAD_LETTER_QUEUE, MAIN_QUEUE } from './checker.ts';
import type { World } from './world.ts';

const CALL_TIMEOUT_MS = 300;
/**
 * Every eighth message gets a TTL of 0.1 to 1.5 s of simulated time, so some expire before they are
 * consumed, under faults too. Derived from the message number, not drawn from the world's random
 * stream, so adding TTLs did not reshuffle the draws of everything else.
 */
export function ttlOf(n: number): number {
  return n % 8 === 7 ? 100 + ((n * 7919) % 1400) : 0;
}

const KEYS = ['k0', 'k1', 'k2', 'k3'];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Workload {
  readonly #world: World;
  /** dedup id -> message id of publishes the broker acknowledged to the client. */
  readonly ackedPublishes = new Map<string, string>();
  #nextMessage = 0;
  #hint: string | undefined;
  stopped = false;
  stats = { publishes: 0, leases: 0, acks: 0, nacks: 0, retries: 0, timeouts: 0 };

  constructor(world: World) {
    this.#world = world;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#world.events.after(ms, resolve));
  }

  /** Proposes a command on the leader, retrying until it commits or `deadlineMs` passes. */
  async call(
    build: (replica: RaftReplica) => Command,
    deadlineMs: number,
  ): Promise<[RaftReplica, ApplyResult] | undefined> {
    const world = this.#world;
    while (world.nowMs < deadlineMs) {
      const replica = this.#target();
      if (replica === undefined) {
        await this.sleep(20);
        continue;
      }
      let timer: { cancelled: boolean } | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = world.events.after(CALL_TIMEOUT_MS, () => resolve('timeout'));
      });
      let outcome: ApplyResult | 'timeout' | Error;
      try {
        outcome = await Promise.race([replica.propose(build(replica)), timeout]);
      } catch (error) {
        outcome = error instanceof Error ? error : new Error(String(error));
      }
      if (timer !== undefined) timer.cancelled = true;
      if (outcome === 'timeout') {
        this.stats.timeouts++;
        this.#hint = undefined;
        continue;
      }
      if (outcome instanceof NotLeaderError) {
        this.#hint = outcome.leaderHint;
        this.stats.retries++;
        await this.sleep(5);
        continue;
      }
      if (outcome instanceof WharfError) {
        this.stats.retries++;
        await this.sleep(10 + world.random.int(20));
        continue;
      }
      if (outcome instanceof Error) throw outcome;
      this.#hint = replica.id;
      return [replica, outcome];
    }
    return undefined;
  }

  #target(): RaftReplica | undefined {
    const world = this.#world;
    const up = world.nodes.filter((n) => n.up && n.replica !== undefined);
    const hinted = up.find((n) => n.id === this.#hint);
    const pick = hinted ?? up[world.random.int(up.length)];
    return pick?.replica;
  }

  async publish(): Promise<void> {
    const n = this.#nextMessage++;
    const dedupId = `m${n}`;
    const item: PublishItem = {
      destination: MAIN_QUEUE,
      id: '',
      payload: encoder.encode(`body of ${dedupId}`),
      headers: {},
      key: KEYS[this.#world.random.int(KEYS.length)] as string,
      dedupId,
      priority: 0,
      delayMs: 0,
      ttlMs: ttlOf(n),
      replyTo: '',
      correlationId: '',
    };
    // Retried (same dedup id) until acknowledged; given up only when the run ends.
    const done = await this.call(
      (r) => ({ type: 'publish', nowMs: r.nowMs(), items: [item] }),
      Number.POSITIVE_INFINITY,
    );
    if (done === undefined) return;
    const [, result] = done;
    if (!('type' in result && result.type === 'published'))
      throw new Error(`publish answered ${JSON.stringify(result)}`);
    const outcome = result.outcomes[0];
    if (outcome?.ok === true) {
      this.stats.publishes++;
      this.ackedPublishes.set(dedupId, outcome.messageId);
    }
  }

  /** Leases up to a few messages of `destination`, reads their bodies, then acks or nacks each. */
  async receive(destination: string, ackAll: boolean): Promise<number> {
    const world = this.#world;
    const done = await this.call(
      (r) => ({ type: 'lease', nowMs: r.nowMs(), destination, subscription: '', max: 3, ackDeadlineMs: 0 }),
      world.nowMs + 2000,
    );
    if (done === undefined) return 0;
    const [replica, result] = done;
    if (!('type' in result && result.type === 'leased')) return 0;
    this.stats.leases += result.deliveries.length;
    if (result.deliveries.length === 0) return 0;
    let items: PublishItem[] | 'timeout';
    let timer: { cancelled: boolean } | undefined;
    try {
      // A replica that crashes mid-read never answers (its disk's pending operations are lost),
      // so the read is bounded like every other call.
      items = await Promise.race([
        replica.readMessages(result.deliveries.map((d) => d.ref)),
        new Promise<'timeout'>((resolve) => {
          timer = world.events.after(CALL_TIMEOUT_MS, () => resolve('timeout'));
        }),
      ]);
    } catch {
      return 0; // the replica crashed or stopped while reading: the leases will expire
    } finally {
      if (timer !== undefined) timer.cancelled = true;
    }
    if (items === 'timeout') return 0;
    for (const [i, d] of result.deliveries.entries()) {
      const body = items[i];
      if (body === undefined) continue;
      world.checker.checkBody(d.messageId, body.payload, body.dedupId);
      if (decoder.decode(body.payload) !== `body of ${body.dedupId}`) throw new Error('body mismatch');
    }
    for (const d of result.deliveries) {
      const roll = world.random.next();
      if (!ackAll && roll < 0.1) continue; // let the lease expire
      const op = ackAll || roll < 0.75 ? 'ack' : 'nack';
      if (op === 'ack') this.stats.acks++;
      else this.stats.nacks++;
      await this.call(
        (r) => ({
          type: 'settle',
          nowMs: r.nowMs(),
          op,
          receipts: [d.receipt],
          delayMs: 0,
          deadLetter: false,
          reason: '',
        }),
        world.nowMs + 1000,
      );
    }
    return result.deliveries.length;
  }

  /** One client's loop during the fault phase. */
  async run(): Promise<void> {
    const world = this.#world;
    while (!this.stopped) {
      await this.sleep(2 + world.random.int(30));
      const roll = world.random.next();
      if (roll < 0.55) await this.publish();
      else if (roll < 0.9) await this.receive(MAIN_QUEUE, false);
      else await this.receive(DEAD_LETTER_QUEUE, false);
    }
  }
}
