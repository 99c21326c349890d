// Test helpers: spec and message builders, and a Harness that applies commands to an Engine with
// increasing log indexes and a controllable clock, sending each one through the codec first so
// every test also exercises the log encoding.

import { assert } from '../../../common/assert.ts';
import { decodeCommand, encodeCommand } from '../codec.ts';
import { Engine } from '../engine.ts';
import type {
  ApplyResult,
  Command,
  Delivery,
  PublishItem,
  PublishOutcome,
  QueueSpec,
  SettleOutcome,
  SubscriptionSpec,
  TopicSpec,
} from '../types.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function queueSpec(overrides: Partial<Mutable<QueueSpec>> = {}): QueueSpec {
  return {
    replicas: 3,
    ackDeadlineMs: 30_000,
    maxDeliveries: 0,
    deadLetterQueue: '',
    retryBackoffMinMs: 0,
    retryBackoffMaxMs: 0,
    ordering: 'None',
    dedupWindowMs: 120_000,
    retention: { maxAgeMs: 0, maxMessages: 0, maxBytes: 0 },
    overflow: 'RejectPublish',
    maxMessageBytes: 1 << 20,
    deletionPolicy: 'Delete',
    ...overrides,
  };
}

export function subSpec(name: string, overrides: Partial<Mutable<SubscriptionSpec>> = {}): SubscriptionSpec {
  return {
    name,
    ackDeadlineMs: 30_000,
    maxDeliveries: 0,
    deadLetterQueue: '',
    retryBackoffMinMs: 0,
    retryBackoffMaxMs: 0,
    ordering: 'None',
    filter: '',
    startAt: 'Earliest',
    ...overrides,
  };
}

export function topicSpec(overrides: Partial<Mutable<TopicSpec>> = {}): TopicSpec {
  return {
    partitions: 1,
    replicas: 3,
    retention: { maxAgeMs: 0, maxMessages: 0, maxBytes: 0 },
    subscriptions: [],
    dedupWindowMs: 120_000,
    maxMessageBytes: 1 << 20,
    deletionPolicy: 'Delete',
    ...overrides,
  };
}

const encoder = new TextEncoder();

export function item(
  destination: string,
  overrides: Partial<Mutable<PublishItem>> & { body?: string } = {},
): PublishItem {
  const { body, ...rest } = overrides;
  return {
    destination,
    id: '',
    payload: rest.payload ?? encoder.encode(body ?? 'x'),
    headers: {},
    key: '',
    dedupId: '',
    priority: 0,
    delayMs: 0,
    ttlMs: 0,
    replyTo: '',
    correlationId: '',
    ...rest,
  };
}

export const START_MS = 1_700_000_000_000;

export class Harness {
  engine: Engine;
  index = 0;
  nowMs = START_MS;
  readonly viaCodec: boolean;

  constructor(options: { viaCodec?: boolean; engine?: Engine } = {}) {
    this.viaCodec = options.viaCodec ?? true;
    this.engine = options.engine ?? new Engine();
    this.index = this.engine.appliedIndex;
  }

  /** Applies a command at the harness clock (nowMs may be overridden in `cmd`). */
  run(cmd: DistributiveOmit<Command, 'nowMs'> & { nowMs?: number }): ApplyResult {
    const full = { nowMs: this.nowMs, ...cmd } as Command;
    const applied = this.viaCodec ? decodeCommand(encodeCommand(full)) : full;
    return this.engine.apply(++this.index, applied);
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  ok(result: ApplyResult): ApplyResult {
    if ('ok' in result) throw new Error(`command failed: ${result.kind}: ${result.message}`);
    return result;
  }

  applyQueue(name: string, spec: QueueSpec = queueSpec()): void {
    this.ok(this.run({ type: 'applyQueue', name, spec }));
  }

  applyTopic(name: string, spec: TopicSpec): void {
    this.ok(this.run({ type: 'applyTopic', name, spec }));
  }

  publish(...items: PublishItem[]): PublishOutcome[] {
    const result = this.ok(this.run({ type: 'publish', items }));
    assert('type' in result && result.type === 'published', `publish: ${JSON.stringify(result)}`);
    return [...result.outcomes];
  }

  /** Publishes and returns the sequence numbers (failing the test on any failed item). */
  publishOk(...items: PublishItem[]): number[] {
    return this.publish(...items).map((o) => {
      if (!o.ok) throw new Error(`publish failed: ${o.kind}: ${o.message}`);
      return o.sequence;
    });
  }

  lease(destination: string, max = 100, subscription = '', ackDeadlineMs = 0): Delivery[] {
    const result = this.ok(this.run({ type: 'lease', destination, subscription, max, ackDeadlineMs }));
    assert('type' in result && result.type === 'leased', `lease: ${JSON.stringify(result)}`);
    return [...result.deliveries];
  }

  settle(
    op: 'ack' | 'nack' | 'extend',
    receipts: readonly string[],
    options: { delayMs?: number; deadLetter?: boolean; reason?: string } = {},
  ): SettleOutcome[] {
    const result = this.run({
      type: 'settle',
      op,
      receipts,
      delayMs: options.delayMs ?? 0,
      deadLetter: options.deadLetter ?? false,
      reason: options.reason ?? '',
    });
    assert('type' in result && result.type === 'settled');
    return [...result.outcomes];
  }

  ack(...deliveries: Delivery[]): SettleOutcome[] {
    return this.settle(
      'ack',
      deliveries.map((d) => d.receipt),
    );
  }

  tick(advanceMs = 0): void {
    this.advance(advanceMs);
    this.run({ type: 'tick' });
  }

  /** Restores the engine from its own snapshot (a replica restart), checking the bytes round-trip. */
  restart(): void {
    const bytes = this.engine.snapshot();
    this.engine = Engine.restore(bytes);
    const again = this.engine.snapshot();
    assert(equalBytes(bytes, again), 'snapshot of a restored engine differs');
  }
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sequences of deliveries, for compact expectations. */
export function seqs(deliveries: readonly Delivery[]): number[] {
  return deliveries.map((d) => d.sequence);
}
