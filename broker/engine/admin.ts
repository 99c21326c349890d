// Definition commands: apply and delete queues and topics, ephemeral subscriptions, redrive.
// Each validates everything before it changes anything, so a refused command leaves no trace.

import {
  type ErrorKind,
  failedPrecondition,
  invalidArgument,
  notFound,
  resourceExhausted,
} from '../../common/errors.ts';
import type { Core } from './core.ts';
import { Destination } from './destination.ts';
import { parseFilter } from './filter.ts';
import { MAX_SUBSCRIPTIONS, queueDelivery, queueSpecError, subscriptionSpecError, topicSpecError } from './spec.ts';
import { INFLIGHT, type Subscription } from './subscription.ts';
import type { ApplyResult, Failure, QueueSpec, SubscriptionSpec, TopicSpec } from './types.ts';

function fail(error: { kind: ErrorKind; message: string }): Failure {
  return { ok: false, kind: error.kind, message: error.message };
}

function orderingLocked(sub: Subscription, next: SubscriptionSpec['ordering'], where: string): Failure | undefined {
  if (sub.settings.ordering === next || sub.canChangeOrdering()) return undefined;
  return fail(
    failedPrecondition(
      `cannot change the ordering of ${where} from ${sub.settings.ordering} to ${next} while ${sub.inFlight} messages are in flight`,
    ),
  );
}

function newDestination(
  core: Core,
  name: string,
  def: ConstructorParameters<typeof Destination>[1]['def'],
): Destination {
  return new Destination(core, { uid: core.newUid(), name, createdMs: core.clock, def });
}

export function applyQueue(core: Core, name: string, spec: QueueSpec): ApplyResult {
  const error = queueSpecError(name, spec);
  if (error !== undefined) return fail(invalidArgument(`queue ${name}: ${error}`));
  const existing = core.byName.get(name);
  if (existing === undefined) {
    const dest = newDestination(core, name, { kind: 'queue', spec });
    dest.createQueueSub(core.newUid());
    core.addDestination(dest);
    return { type: 'applied', name };
  }
  if (existing.def.kind !== 'queue')
    return { ok: false, kind: 'alreadyExists', message: `${name} already exists as a topic` };
  const sub = existing.queueSub();
  const locked = orderingLocked(sub, spec.ordering, `queue ${name}`);
  if (locked !== undefined) return locked;
  // Entries already out of the old window stay forgotten whatever the new window is.
  existing.dedup.evict(core.clock, existing.def.spec.dedupWindowMs);
  existing.def.spec = spec;
  sub.updateSettings(queueDelivery(spec));
  undrain(core, existing);
  core.reschedule(existing);
  core.reschedule(sub);
  return { type: 'applied', name };
}

export function applyTopic(core: Core, name: string, spec: TopicSpec): ApplyResult {
  const error = topicSpecError(name, spec);
  if (error !== undefined) return fail(invalidArgument(`topic ${name}: ${error}`));
  const existing = core.byName.get(name);
  if (existing === undefined) {
    const dest = newDestination(core, name, { kind: 'topic', spec });
    for (const subSpec of spec.subscriptions) dest.createTopicSub(core.newUid(), subSpec, false);
    core.addDestination(dest);
    return { type: 'applied', name };
  }
  if (existing.def.kind !== 'topic')
    return { ok: false, kind: 'alreadyExists', message: `${name} already exists as a queue` };
  if (spec.partitions < existing.partitionSeqs.length) {
    return fail(
      invalidArgument(
        `topic ${name}: partitions can only grow (from ${existing.partitionSeqs.length} to ${spec.partitions})`,
      ),
    );
  }
  const declared = new Set(spec.subscriptions.map((s) => s.name));
  let extra = 0;
  for (const subSpec of spec.subscriptions) {
    const sub = existing.subs.get(subSpec.name);
    if (sub === undefined) {
      extra++;
      continue;
    }
    const locked = orderingLocked(sub, subSpec.ordering, `subscription ${subSpec.name} of ${name}`);
    if (locked !== undefined) return locked;
  }
  for (const sub of existing.subs.values()) if (!sub.ephemeral && !declared.has(sub.name)) extra--;
  if (existing.subs.size + extra > MAX_SUBSCRIPTIONS) {
    return fail(invalidArgument(`topic ${name}: more than ${MAX_SUBSCRIPTIONS} subscriptions with the ephemeral ones`));
  }

  existing.dedup.evict(core.clock, existing.def.spec.dedupWindowMs);
  existing.def.spec = spec;
  while (existing.partitionSeqs.length < spec.partitions) existing.partitionSeqs.push(0);
  for (const sub of [...existing.subs.values()]) {
    if (!sub.ephemeral && !declared.has(sub.name)) existing.removeSub(sub.name);
  }
  for (const subSpec of spec.subscriptions) {
    const sub = existing.subs.get(subSpec.name);
    if (sub === undefined) {
      const created = existing.createTopicSub(core.newUid(), subSpec, false);
      core.addSubscription(created);
      existing.materialize(created);
      continue;
    }
    sub.ephemeral = false;
    sub.spec = subSpec;
    sub.filter = parseFilter(subSpec.filter);
    sub.updateSettings(subSpec);
    core.reschedule(sub);
  }
  undrain(core, existing);
  core.reschedule(existing);
  return { type: 'applied', name };
}

/** Applying a destination again while it drains keeps it. */
function undrain(core: Core, dest: Destination): void {
  dest.draining = false;
  core.draining.delete(dest.name);
}

export function deleteDestination(core: Core, kind: 'queue' | 'topic', name: string): ApplyResult {
  const dest = core.byName.get(name);
  if (dest === undefined || dest.kind !== kind) {
    const other = dest === undefined ? '' : ` (it is a ${dest.kind})`;
    return fail(notFound(`no ${kind} named ${name}${other}`));
  }
  if (dest.def.spec.deletionPolicy === 'Drain' && !dest.isEmpty()) {
    dest.draining = true;
    core.draining.add(name);
    return { type: 'deleted', name, draining: true };
  }
  core.deleteDestination(dest);
  return { type: 'deleted', name, draining: false };
}

export function subscribe(core: Core, destination: string, spec: SubscriptionSpec): ApplyResult {
  const dest = core.byName.get(destination);
  if (dest === undefined) return fail(notFound(`no topic named ${destination}`));
  if (dest.kind !== 'topic') {
    return fail(failedPrecondition(`${destination} is a queue: only topics take subscriptions`));
  }
  const error = subscriptionSpecError(destination, spec);
  if (error !== undefined) return fail(invalidArgument(`topic ${destination}: ${error}`));
  if (dest.subs.has(spec.name)) return { type: 'applied', name: destination };
  if (dest.draining) return fail(failedPrecondition(`${destination} is draining (being deleted)`));
  if (dest.subs.size >= MAX_SUBSCRIPTIONS) {
    return fail(resourceExhausted(`topic ${destination} already has ${MAX_SUBSCRIPTIONS} subscriptions`));
  }
  const sub = dest.createTopicSub(core.newUid(), spec, true);
  core.addSubscription(sub);
  dest.materialize(sub);
  return { type: 'applied', name: destination };
}

export function unsubscribe(core: Core, destination: string, subscription: string): ApplyResult {
  const dest = core.byName.get(destination);
  if (dest === undefined || dest.kind !== 'topic') return fail(notFound(`no topic named ${destination}`));
  const sub = dest.subs.get(subscription);
  if (sub !== undefined && !sub.ephemeral) {
    return fail(
      failedPrecondition(
        `subscription ${subscription} of ${destination} is declared in the topic's spec; remove it there`,
      ),
    );
  }
  dest.removeSub(subscription);
  return { type: 'deleted', name: destination, draining: false };
}

/** Moves up to `max` (0: all) waiting dead letters back to where they came from. */
export function redrive(core: Core, name: string, max: number): ApplyResult {
  const dlq = core.byName.get(name);
  if (dlq === undefined) return fail(notFound(`no queue named ${name}`));
  if (dlq.kind !== 'queue') return fail(failedPrecondition(`${name} is a topic; only queues hold dead letters`));
  if (!Number.isSafeInteger(max) || max < 0) return fail(invalidArgument(`max must be >= 0, got ${max}`));
  const limit = max === 0 ? Number.POSITIVE_INFINITY : max;
  const store = dlq.store;
  const sub = dlq.queueSub();
  const chosen: { seq: number; origin: Destination; target: Subscription }[] = [];
  for (let seq = store.first(); seq !== undefined && chosen.length < limit; seq = store.nextLive(seq + 1)) {
    const info = store.deadLetterInfo.get(seq);
    if (info === undefined || sub.stateOf(seq) === INFLIGHT) continue;
    const origin = core.byName.get(info.origin);
    if (origin === undefined || origin.draining || origin === dlq) continue;
    const target = origin.subs.get(info.subscription);
    if (target === undefined || (origin.kind === 'queue') !== (info.subscription === '')) continue;
    chosen.push({ seq, origin, target });
  }
  let count = 0;
  for (const { seq, origin, target } of chosen) {
    const info = store.deadLetterInfo.get(seq);
    if (info === undefined) continue;
    const moved = {
      ref: store.ref(seq),
      bytes: store.bytes(seq),
      priority: store.priority(seq),
      key: store.key(seq),
      id: dlq.messageId(seq),
      partition: origin.kind === 'topic' ? info.partition : 0,
      deadLetter: undefined,
      target: origin.kind === 'topic' ? target : undefined,
    };
    if (!sub.takeForRedrive(seq)) continue;
    origin.appendMoved(moved);
    count++;
  }
  return { type: 'redriven', count };
}
