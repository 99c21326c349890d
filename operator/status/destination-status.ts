// Queue and Topic status from what the broker reports, with conditions: Ready once the broker holds
// the destination as declared; SpecHeld while a change cannot be applied in place; the reasons
// say what a person can do. Pure module.
import type { QueueStatus, SubscriptionStatus, TopicStatus } from '../../crds/types.ts';
import { CONDITION, type Condition, type ConditionInput, mergeConditions, withoutCondition } from './conditions.ts';

/** Broker-side numbers of a queue (or one subscription), durations in milliseconds. */
export interface QueueFigures {
  readonly leader: string;
  readonly depth: number;
  readonly inFlight: number;
  readonly consumers: number;
  readonly oldestMessageAgeMs: number;
  readonly deadLettered: number;
  readonly bytes: number;
}

export interface SubscriptionFigures extends Omit<QueueFigures, 'leader' | 'bytes'> {
  readonly name: string;
}

export interface TopicFigures {
  readonly leader: string;
  readonly messages: number;
  readonly bytes: number;
  readonly subscriptions: readonly SubscriptionFigures[];
}

/** What happened when the reconcile asked the broker for the destination. */
export type DestinationOutcome =
  | { readonly kind: 'applied' }
  /** The broker refused part of the spec (e.g. fewer partitions); the rest stays as it was. */
  | { readonly kind: 'held'; readonly reason: string; readonly message: string }
  /** The WharfCluster does not exist or cannot be reached. */
  | { readonly kind: 'clusterMissing'; readonly message: string }
  | { readonly kind: 'clusterUnavailable'; readonly message: string }
  /** The broker rejected the spec as invalid. */
  | { readonly kind: 'invalid'; readonly message: string };

/** 12_345 ms → "12s"; 3_723_000 → "1h2m3s"; below a second → "0s". */
export function ageText(ms: number): string {
  let seconds = Math.floor(Math.max(0, ms) / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts = [hours > 0 ? `${hours}h` : '', minutes > 0 ? `${minutes}m` : '', seconds > 0 ? `${seconds}s` : ''];
  const text = parts.join('');
  return text === '' ? '0s' : text;
}

function conditionsFor(outcome: DestinationOutcome): { ready: ConditionInput; held: ConditionInput | undefined } {
  switch (outcome.kind) {
    case 'applied':
      return {
        ready: {
          type: CONDITION.ready,
          status: 'True',
          reason: 'Applied',
          message: 'the broker holds the declared spec',
        },
        held: undefined,
      };
    case 'held':
      return {
        ready: {
          type: CONDITION.ready,
          status: 'True',
          reason: 'ServingPreviousSpec',
          message: 'serving; part of the latest spec is held (see SpecHeld)',
        },
        held: { type: CONDITION.specHeld, status: 'True', reason: outcome.reason, message: outcome.message },
      };
    case 'clusterMissing':
      return {
        ready: { type: CONDITION.ready, status: 'False', reason: 'ClusterNotFound', message: outcome.message },
        held: undefined,
      };
    case 'clusterUnavailable':
      return {
        ready: { type: CONDITION.ready, status: 'False', reason: 'ClusterUnavailable', message: outcome.message },
        held: undefined,
      };
    case 'invalid':
      return {
        ready: { type: CONDITION.ready, status: 'False', reason: 'InvalidSpec', message: outcome.message },
        held: undefined,
      };
  }
}

function nextConditions(
  previous: readonly Condition[] | undefined,
  outcome: DestinationOutcome,
  generation: number,
  nowTime: string,
): Condition[] {
  const { ready, held } = conditionsFor(outcome);
  const base = held === undefined ? withoutCondition(previous ?? [], CONDITION.specHeld) : [...(previous ?? [])];
  return mergeConditions(base, held === undefined ? [ready] : [ready, held], generation, nowTime);
}

export function queueStatus(
  previous: QueueStatus | undefined,
  outcome: DestinationOutcome,
  figures: QueueFigures | undefined,
  generation: number,
  nowTime: string,
): QueueStatus {
  const status: QueueStatus = {
    observedGeneration: generation,
    conditions: nextConditions(previous?.conditions as Condition[] | undefined, outcome, generation, nowTime),
  };
  if (figures !== undefined) {
    if (figures.leader !== '') status.leader = figures.leader;
    status.depth = figures.depth;
    status.inFlight = figures.inFlight;
    status.consumers = figures.consumers;
    status.oldestMessageAge = ageText(figures.oldestMessageAgeMs);
    status.deadLettered = figures.deadLettered;
    status.bytes = figures.bytes;
  }
  return status;
}

export function topicStatus(
  previous: TopicStatus | undefined,
  outcome: DestinationOutcome,
  figures: TopicFigures | undefined,
  generation: number,
  nowTime: string,
): TopicStatus {
  const status: TopicStatus = {
    observedGeneration: generation,
    conditions: nextConditions(previous?.conditions as Condition[] | undefined, outcome, generation, nowTime),
  };
  if (figures !== undefined) {
    if (figures.leader !== '') status.leader = figures.leader;
    status.messages = figures.messages;
    status.bytes = figures.bytes;
    const subscriptions: SubscriptionStatus[] = figures.subscriptions.map((s) => ({
      name: s.name,
      depth: s.depth,
      inFlight: s.inFlight,
      consumers: s.consumers,
      oldestMessageAge: ageText(s.oldestMessageAgeMs),
      deadLettered: s.deadLettered,
    }));
    status.subscriptions = subscriptions;
    status.subscriptionCount = subscriptions.length;
    status.maxSubscriptionDepth = subscriptions.reduce((max, s) => Math.max(max, s.depth ?? 0), 0);
  }
  return status;
}
