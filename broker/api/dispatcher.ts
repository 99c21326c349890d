// Hands deliverable messages to the consumers attached to this broker: push sessions (Consume,
// within their credit) and long-poll waiters (Receive). One lease proposal at a time per
// subscription, sized to the demand, so a burst of consumers costs one log entry, not one each.
// Wakes on every applied command that can make messages deliverable.
import type { Logger } from '../../common/logger.ts';
import type { Delivery as ProtoDelivery } from '../../proto/gen/wharf/v1/Delivery.ts';
import type { Delivery, PublishItem } from '../engine/types.ts';
import type { Replica } from '../replica/replica.ts';
import { toProtoDelivery } from './delivery-convert.ts';
import type { BrokerTracing } from './tracing.ts';

/** Most messages leased by one proposal. */
const LEASE_BATCH_MAX = 512;
/**
 * Lease proposals under way at once per subscription: each waits for its fsync, so pipelining
 * them keeps consumers fed while the disk works.
 */
const LEASES_IN_FLIGHT_MAX = 4;
/** Nack delay that makes a delivery nobody took deliverable again at once. */
export const REDELIVER_NOW_MS = 1;

export interface PushTarget {
  /** How many more deliveries to lease for this consumer now (0 while its stream is backed up). */
  demand(): number;
  /** How many already-leased deliveries it still takes (its credit, backed up or not). */
  capacity(): number;
  deliver(delivery: ProtoDelivery): void;
}

interface Waiter {
  readonly max: number;
  readonly ackDeadlineMs: number;
  readonly resolve: (deliveries: ProtoDelivery[]) => void;
  /** A Receive without wait: answered after the first lease that counted it, even if empty. */
  readonly immediate: boolean;
  /** A lease that counted this waiter's demand has started. */
  counted: boolean;
  done: boolean;
}

interface Channel {
  readonly destination: string;
  readonly subscription: string;
  readonly targets: Set<PushTarget>;
  readonly waiters: Waiter[];
  ackDeadlineMs: number;
  /** Lease proposals under way. */
  leases: number;
  /** Messages asked for by those proposals, not yet handed out. */
  outstanding: number;
  /** Hand-outs run in lease order, so consumers see messages in the order they were leased. */
  handout: Promise<void>;
  again: boolean;
}

export class Dispatcher {
  readonly #replica: Replica;
  readonly #logger: Logger;
  readonly #channels = new Map<string, Channel>();

  readonly #tracing: BrokerTracing | undefined;
  /** Cluster mode: whether this member leads (leases are proposed only then). */
  readonly #leading: (() => boolean) | undefined;

  constructor(replica: Replica, logger: Logger, tracing?: BrokerTracing, leading?: () => boolean) {
    this.#replica = replica;
    this.#logger = logger;
    this.#tracing = tracing;
    this.#leading = leading;
    replica.onApplied((command) => {
      switch (command.type) {
        case 'publish': {
          const seen = new Set<string>();
          for (const item of command.items) {
            if (seen.has(item.destination)) continue;
            seen.add(item.destination);
            this.wake(item.destination);
          }
          return;
        }
        case 'settle':
        case 'tick':
        case 'redrive':
        case 'applyQueue':
        case 'applyTopic':
        case 'subscribe':
          this.wakeAll();
          return;
        default:
          return;
      }
    });
  }

  #channel(destination: string, subscription: string): Channel {
    const key = `${destination}\u0000${subscription}`;
    let channel = this.#channels.get(key);
    if (channel === undefined) {
      channel = {
        destination,
        subscription,
        targets: new Set(),
        waiters: [],
        ackDeadlineMs: 0,
        leases: 0,
        outstanding: 0,
        handout: Promise.resolve(),
        again: false,
      };
      this.#channels.set(key, channel);
    }
    return channel;
  }

  #release(channel: Channel): void {
    if (channel.targets.size === 0 && channel.waiters.length === 0 && channel.leases === 0) {
      this.#channels.delete(`${channel.destination}\u0000${channel.subscription}`);
    }
  }

  consumers(destination: string, subscription: string): number {
    return this.#channels.get(`${destination}\u0000${subscription}`)?.targets.size ?? 0;
  }

  attach(destination: string, subscription: string, target: PushTarget, ackDeadlineMs: number): void {
    const channel = this.#channel(destination, subscription);
    channel.targets.add(target);
    channel.ackDeadlineMs = ackDeadlineMs;
    this.#pump(channel);
  }

  /** Returns how many push consumers remain on the subscription. */
  detach(destination: string, subscription: string, target: PushTarget): number {
    const channel = this.#channels.get(`${destination}\u0000${subscription}`);
    if (channel === undefined) return 0;
    channel.targets.delete(target);
    const left = channel.targets.size;
    this.#release(channel);
    return left;
  }

  /** Long-poll: resolves with up to `max` deliveries as soon as there are any, or [] after waitMs. */
  receive(destination: string, subscription: string, max: number, waitMs: number, ackDeadlineMs: number) {
    const channel = this.#channel(destination, subscription);
    return new Promise<ProtoDelivery[]>((resolve) => {
      const immediate = waitMs === 0;
      const waiter: Waiter = { max, ackDeadlineMs, immediate, counted: false, done: false, resolve };
      const timer = immediate ? undefined : setTimeout(() => finish([]), waitMs);
      const finish = (deliveries: ProtoDelivery[]): void => {
        if (waiter.done) return;
        waiter.done = true;
        if (timer !== undefined) clearTimeout(timer);
        const at = channel.waiters.indexOf(waiter);
        if (at >= 0) channel.waiters.splice(at, 1);
        this.#release(channel);
        resolve(deliveries);
      };
      (waiter as { resolve: (d: ProtoDelivery[]) => void }).resolve = finish;
      channel.waiters.push(waiter);
      this.#pump(channel);
      // Nothing deliverable now and no lease under way: an immediate Receive answers at once.
      if (immediate && channel.leases === 0) finish([]);
    });
  }

  /** Something may have become deliverable on `destination`. */
  wake(destination: string): void {
    for (const channel of this.#channels.values()) {
      if (channel.destination === destination) this.#pump(channel);
    }
  }

  wakeAll(): void {
    for (const channel of this.#channels.values()) this.#pump(channel);
  }

  #demand(channel: Channel): number {
    let demand = 0;
    for (const waiter of channel.waiters) demand += waiter.max;
    for (const target of channel.targets) demand += target.demand();
    return demand;
  }

  #pump(channel: Channel): void {
    // A follower leases nothing: its proposals would be refused (wakeAll() when it leads).
    if (this.#leading !== undefined && !this.#leading()) return;
    if (channel.leases >= LEASES_IN_FLIGHT_MAX) {
      channel.again = true;
      return;
    }
    const demand = Math.min(this.#demand(channel) - channel.outstanding, LEASE_BATCH_MAX);
    const nowMs = this.#replica.nowMs();
    const ready = demand <= 0 ? 0 : this.#replica.engine.readyCount(channel.destination, channel.subscription, nowMs);
    const max = Math.min(demand, ready - channel.outstanding);
    if (max <= 0) {
      // Leases under way may free credit or leave messages: look again when they finish.
      if (channel.leases > 0) channel.again = true;
      return;
    }
    channel.leases++;
    channel.outstanding += max;
    channel.again = false;
    for (const waiter of channel.waiters) waiter.counted = true;
    const ackDeadlineMs = channel.waiters[0]?.ackDeadlineMs ?? channel.ackDeadlineMs;
    this.#replica
      .propose({
        type: 'lease',
        nowMs,
        destination: channel.destination,
        subscription: channel.subscription,
        max,
        ackDeadlineMs,
      })
      .then((result) => {
        if ('ok' in result || result.type !== 'leased') {
          this.#logger.debug({ destination: channel.destination, result }, 'lease refused');
          this.#failWaiters(channel);
          return;
        }
        const deliveries = result.deliveries;
        // Read bodies now, in parallel with earlier hand-outs; hand out in lease order.
        const items = this.#replica.readMessages(deliveries.map((d) => d.ref));
        channel.handout = channel.handout.then(async () => this.#handOut(channel, deliveries, await items));
        return channel.handout;
      })
      .catch((error: unknown) => {
        this.#logger.warn({ err: error, destination: channel.destination }, 'lease failed');
        this.#failWaiters(channel);
      })
      .finally(() => {
        channel.leases--;
        channel.outstanding -= max;
        for (const waiter of channel.waiters.slice()) if (waiter.immediate && waiter.counted) waiter.resolve([]);
        if (channel.again) this.#pump(channel);
        else this.#release(channel);
      });
    // Keep the pipeline full while demand and messages remain.
    this.#pump(channel);
  }

  /** The subscription went away (deleted) or storage failed: answer long-polls with nothing. */
  #failWaiters(channel: Channel): void {
    for (const waiter of channel.waiters.slice()) waiter.resolve([]);
  }

  async #handOut(channel: Channel, deliveries: readonly Delivery[], items: readonly PublishItem[]): Promise<void> {
    if (deliveries.length === 0) return;
    this.#tracing?.delivered(deliveries, items);
    const proto = deliveries.map((d, i) => toProtoDelivery(d, items[i] as PublishItem));
    let next = 0;
    for (const waiter of channel.waiters.slice()) {
      if (next >= proto.length) break;
      const take = proto.slice(next, next + waiter.max);
      next += take.length;
      waiter.resolve(take);
    }
    // Round-robin over push consumers, one at a time, within each one's credit.
    let progressed = true;
    while (next < proto.length && progressed) {
      progressed = false;
      for (const target of channel.targets) {
        if (next >= proto.length) break;
        if (target.capacity() <= 0) continue;
        target.deliver(proto[next++] as ProtoDelivery);
        progressed = true;
      }
    }
    if (next < proto.length) {
      const receipts = proto.slice(next).map((d) => d.receipt ?? '');
      await this.#replica.propose({
        type: 'settle',
        nowMs: this.#replica.nowMs(),
        op: 'nack',
        receipts,
        delayMs: REDELIVER_NOW_MS,
        deadLetter: false,
        reason: 'no consumer took the delivery',
      });
    }
    channel.again = true;
  }
}
