// The replicated state machine: applies log entries (commands) to queues and topics. Applying
// is deterministic: time comes only from each command's nowMs (the engine's clock is the largest
// seen, so it never goes backwards), and the same commands in the same order give the same
// state and results on every replica, and after a snapshot is restored.

import { assert, unreachable } from '../../common/assert.ts';
import { applyQueue, applyTopic, deleteDestination, redrive, subscribe, unsubscribe } from './admin.ts';
import { Core } from './core.ts';
import { lease, publish, settle } from './messaging.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot.ts';
import type { ApplyResult, Command, ExpiredMessage, QueueView, TopicView } from './types.ts';

/** Most messages readyCount counts (dispatchers only need to know whether there is enough for their credit). */
export const READY_COUNT_MAX = 65_536;

export class Engine {
  readonly #core: Core;

  constructor(core: Core = new Core()) {
    this.#core = core;
  }

  /** The log index of the last applied entry (0 before any). */
  get appliedIndex(): number {
    return this.#core.appliedIndex;
  }

  /** The engine's clock: the largest nowMs applied so far. */
  get clockMs(): number {
    return this.#core.clock;
  }

  apply(index: number, command: Command): ApplyResult {
    const core = this.#core;
    assert(
      Number.isSafeInteger(index) && index > core.appliedIndex,
      `apply: index ${index} after ${core.appliedIndex}`,
    );
    // Stamps are whole milliseconds: a fraction would only fail later, when a snapshot encodes it.
    assert(Number.isSafeInteger(command.nowMs) && command.nowMs >= 0, `apply: nowMs ${command.nowMs} is not whole ms`);
    if (core.expiredMessages.length > 0) core.expiredMessages = [];
    core.advanceClock(command.nowMs);
    core.runTimers();
    const result = this.#dispatch(index, command);
    core.finishDrains();
    core.appliedIndex = index;
    return result;
  }

  /**
   * Messages whose TTL ran out while the last command was applied (by any command: time moves
   * first), in the order they were dropped; an array apply() never changes once it returned it.
   * For metrics and tracing: no engine state depends on it, and it is not replicated.
   */
  get lastExpired(): readonly ExpiredMessage[] {
    return this.#core.expiredMessages;
  }

  #dispatch(index: number, cmd: Command): ApplyResult {
    const core = this.#core;
    switch (cmd.type) {
      case 'applyQueue':
        return applyQueue(core, cmd.name, cmd.spec);
      case 'deleteQueue':
        return deleteDestination(core, 'queue', cmd.name);
      case 'applyTopic':
        return applyTopic(core, cmd.name, cmd.spec);
      case 'deleteTopic':
        return deleteDestination(core, 'topic', cmd.name);
      case 'publish':
        return publish(core, index, cmd.items);
      case 'lease':
        return lease(core, cmd.destination, cmd.subscription, cmd.max, cmd.ackDeadlineMs);
      case 'settle':
        return settle(core, cmd.op, cmd.receipts, cmd.delayMs, cmd.deadLetter, cmd.reason);
      case 'subscribe':
        return subscribe(core, cmd.destination, cmd.spec);
      case 'unsubscribe':
        return unsubscribe(core, cmd.destination, cmd.subscription);
      case 'redrive':
        return redrive(core, cmd.deadLetterQueue, cmd.max);
      case 'tick':
        return { type: 'ticked' };
      default:
        return unreachable(cmd);
    }
  }

  /** The earliest time a tick would change something (lease expiry, retry, delay, TTL, age), if any. */
  nextDeadlineMs(): number | undefined {
    return this.#core.nextDeadlineMs();
  }

  /** Messages of a subscription deliverable at `nowMs` (capped at READY_COUNT_MAX); 0 when there is no such subscription. */
  readyCount(destination: string, subscription: string, nowMs: number): number {
    const sub = this.#core.byName.get(destination)?.subs.get(subscription);
    return sub === undefined ? 0 : sub.readyAt(nowMs, READY_COUNT_MAX);
  }

  /** The smallest log index a live message still refers to: log segments below it may go. */
  minLiveIndex(): number | undefined {
    let min: number | undefined;
    for (const dest of this.#core.byName.values()) {
      const index = dest.store.minRefIndex();
      if (index !== undefined && (min === undefined || index < min)) min = index;
    }
    return min;
  }

  kindOf(name: string): 'queue' | 'topic' | undefined {
    return this.#core.byName.get(name)?.kind;
  }

  getQueue(name: string, nowMs: number): QueueView | undefined {
    const dest = this.#core.byName.get(name);
    if (dest === undefined || dest.def.kind !== 'queue') return undefined;
    return {
      name,
      spec: dest.def.spec,
      createdMs: dest.createdMs,
      draining: dest.draining,
      bytes: dest.store.liveBytes,
      stats: dest.stats(dest.queueSub(), nowMs),
    };
  }

  /** Queues in `namespace` ('' = all), by name. */
  listQueues(namespace: string, nowMs: number): QueueView[] {
    return this.#names(namespace, 'queue').flatMap((name) => this.getQueue(name, nowMs) ?? []);
  }

  getTopic(name: string, nowMs: number): TopicView | undefined {
    const dest = this.#core.byName.get(name);
    if (dest === undefined || dest.def.kind !== 'topic') return undefined;
    return {
      name,
      spec: dest.def.spec,
      createdMs: dest.createdMs,
      draining: dest.draining,
      messages: dest.store.liveCount,
      bytes: dest.store.liveBytes,
      subscriptions: [...dest.subs.values()].map((sub) => dest.stats(sub, nowMs)),
    };
  }

  listTopics(namespace: string, nowMs: number): TopicView[] {
    return this.#names(namespace, 'topic').flatMap((name) => this.getTopic(name, nowMs) ?? []);
  }

  #names(namespace: string, kind: 'queue' | 'topic'): string[] {
    const prefix = namespace === '' ? '' : `${namespace}/`;
    const names: string[] = [];
    for (const [name, dest] of this.#core.byName) {
      if (dest.kind === kind && name.startsWith(prefix)) names.push(name);
    }
    return names.sort();
  }

  /** Run-time subscriptions, by destination then name (the replica removes those left without consumers). */
  ephemeralSubscriptions(): { destination: string; subscription: string }[] {
    const out: { destination: string; subscription: string }[] = [];
    for (const name of [...this.#core.byName.keys()].sort()) {
      const dest = this.#core.byName.get(name);
      for (const sub of dest?.subs.values() ?? []) {
        if (sub.ephemeral) out.push({ destination: name, subscription: sub.name });
      }
    }
    return out;
  }

  snapshot(): Uint8Array {
    return encodeSnapshot(this.#core);
  }

  static restore(snapshot: Uint8Array): Engine {
    return new Engine(decodeSnapshot(snapshot));
  }

  /** Checks internal invariants (tests and the simulator): throws an AssertionError on a bug. */
  checkInvariants(): void {
    for (const dest of this.#core.byName.values()) {
      for (const sub of dest.subs.values()) sub.checkInvariants();
      if (dest.kind === 'queue') {
        const sub = dest.queueSub();
        for (const seq of dest.store.live()) assert(sub.stateOf(seq) !== 0, `queue message ${seq} is in no state`);
      }
    }
  }
}
