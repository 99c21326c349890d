// The hot commands: publish, lease, settle.

import { invalidArgument, notFound, type WharfError } from '../../common/errors.ts';
import type { Core } from './core.ts';
import { parseReceipt } from './receipt.ts';
import type { Leased } from './subscription.ts';
import type { ApplyResult, PublishItem, PublishOutcome, SettleOp, SettleOutcome } from './types.ts';

/** Most messages one lease command hands out. */
export const LEASE_MAX_MESSAGES = 4096;
/** Longest nack reason kept (it becomes a dead-letter header). */
const REASON_MAX_CHARS = 1024;

export function publish(core: Core, index: number, items: readonly PublishItem[]): ApplyResult {
  const outcomes: PublishOutcome[] = [];
  for (let slot = 0; slot < items.length; slot++) {
    const item = items[slot] as PublishItem;
    const dest = core.byName.get(item.destination);
    if (dest === undefined) {
      const error = notFound(`no queue or topic named ${item.destination}`);
      outcomes.push({ ok: false, kind: error.kind, message: error.message });
      continue;
    }
    outcomes.push(dest.publish(item, { index, slot }));
  }
  return { type: 'published', outcomes };
}

export function lease(
  core: Core,
  destination: string,
  subscription: string,
  max: number,
  ackDeadlineMs: number,
): ApplyResult {
  const dest = core.byName.get(destination);
  if (dest === undefined) return failure(notFound(`no queue or topic named ${destination}`));
  const sub = dest.subs.get(subscription);
  if (sub === undefined) {
    const what = dest.kind === 'queue' ? 'a queue has only the subscription ""' : 'no such subscription';
    return failure(notFound(`${destination} has no subscription "${subscription}" (${what})`));
  }
  if (!Number.isSafeInteger(max) || max < 1) return failure(invalidArgument(`max must be >= 1, got ${max}`));
  if (!Number.isSafeInteger(ackDeadlineMs) || ackDeadlineMs < 0) {
    return failure(invalidArgument(`ackDeadline must be >= 0 ms, got ${ackDeadlineMs}`));
  }
  const leased: Leased[] = [];
  sub.lease(Math.min(max, LEASE_MAX_MESSAGES), ackDeadlineMs, leased);
  return { type: 'leased', deliveries: leased.map((l) => dest.delivery(sub, l)) };
}

export function settle(
  core: Core,
  op: SettleOp,
  receipts: readonly string[],
  delayMs: number,
  deadLetter: boolean,
  reason: string,
): ApplyResult {
  const delay = Number.isSafeInteger(delayMs) && delayMs > 0 ? delayMs : 0;
  const why = typeof reason === 'string' ? reason.slice(0, REASON_MAX_CHARS) : '';
  const outcomes: SettleOutcome[] = [];
  for (const receipt of receipts) {
    const parts = parseReceipt(receipt);
    const sub =
      parts === undefined ? undefined : core.byUid.get(parts.destinationUid)?.subsByUid.get(parts.subscriptionUid);
    if (parts === undefined || sub === undefined) {
      outcomes.push('unknown');
      continue;
    }
    outcomes.push(sub.settle(parts.seq, parts.attempt, op, delay, deadLetter === true, why));
  }
  return { type: 'settled', outcomes };
}

function failure(error: WharfError): ApplyResult {
  return { ok: false, kind: error.kind, message: error.message };
}
