// When and how soon the sidecar retries an upstream call, and what a refusal says about the leader.
// Pure: the random source and the clock are the caller's.
import { status } from '@grpc/grpc-js';

export const BACKOFF_MS_MIN = 25;
export const BACKOFF_MS_MAX = 1_000;
/** Attempts of one upstream call before giving up even with deadline left (bounded loop). */
export const ATTEMPTS_MAX = 64;

/**
 * Codes after which a publish carrying a dedup_id is safe to send again: the broker either did
 * not store it (no quorum, not the leader) or the answer was lost with the connection.
 * CANCELLED counts only because the sidecar never cancels its own batches: it comes from a
 * broker that shut down under the call.
 */
export function isRetryablePublish(code: number): boolean {
  return code === status.UNAVAILABLE || code === status.CANCELLED;
}

/** Non-idempotent calls (settles, receives, Call) are retried only when nothing reached a broker. */
export function isRouteFailure(code: number): boolean {
  return code === status.UNAVAILABLE;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffDelayMs(attempt: number, random01: number): number {
  const ceiling = Math.min(BACKOFF_MS_MAX, BACKOFF_MS_MIN * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (ceiling / 2) * random01);
}

/** The metadata key a broker that is not the leader sets to the leader's address. */
export const LEADER_METADATA_KEY = 'wharf-leader';

const LEADER_IN_DETAILS =
  /\bleader(?: is| at|:)?\s+(?:[\w.-]+\s+)?(?:at\s+)?\(?((?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5})\)?/;

/**
 * The leader's address from a refusal: the `wharf-leader` trailer when the broker sets it, else an
 * address written in the message ("not the leader; leader is wharf-1 at 10.0.0.7:7400").
 */
export function leaderHint(details: string, metadataValue: string | undefined): string | undefined {
  if (metadataValue !== undefined && metadataValue !== '') return metadataValue;
  return LEADER_IN_DETAILS.exec(details)?.[1];
}

/** "requests[3]: no such destination x" → { index: 3, message }; undefined when not per request. */
export function batchFailureIndex(details: string): { index: number; message: string } | undefined {
  const match = /^requests\[(\d+)\]: (.*)$/s.exec(details);
  if (match === null) return undefined;
  // The broker's note on the rest of the batch is not about this request.
  const message = (match[2] ?? '').replace(/ \(\d+ of \d+ messages were stored; [^)]*\)$/, '');
  return { index: Number(match[1]), message };
}
