// Durations as people write them in YAML and flags ("30s", "1m30s", "168h", "250ms"), Go's
// time.ParseDuration grammar without negative values. Pure module.
// No days: Kubernetes checks the same fields with CEL's duration(), which knows only Go's units,
// so a file `wharf apply` took locally would be refused by `kubectl apply`.
import { invalidArgument } from './errors.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const DAYS = /^(\d+(?:\.\d+)?)d/;

/** Parses "1m30s" into milliseconds; throws INVALID_ARGUMENT naming `field` on a malformed value. */
export function parseDurationMs(text: string, field = 'duration'): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (trimmed === '') throw invalidArgument(`${field}: empty duration (write e.g. "30s", "5m", "1h30m")`);
  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const at = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (match === null) {
      const days = DAYS.exec(trimmed.slice(at));
      if (days !== null) {
        throw invalidArgument(
          `${field}: "${text}" uses days, which Go durations (and so Kubernetes) do not have; write hours (${days[0]} is ${Number(days[1]) * 24}h)`,
        );
      }
      throw invalidArgument(
        `${field}: "${text}" is not a duration at "${trimmed.slice(at)}" (write e.g. "30s", "5m", "1h30m", "250ms")`,
      );
    }
    totalMs += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  }
  if (!Number.isFinite(totalMs) || totalMs > Number.MAX_SAFE_INTEGER) {
    throw invalidArgument(`${field}: "${text}" is too long`);
  }
  return Math.round(totalMs);
}

/** Formats milliseconds the way parseDurationMs reads them back ("1h30m", "250ms", "0s"). */
export function formatDurationMs(totalMs: number): string {
  if (totalMs <= 0) return '0s';
  let rest = Math.round(totalMs);
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

/** google.protobuf.Duration as proto-loader hands it over (seconds may be a string for int64). */
export interface DurationLike {
  readonly seconds?: number | string | { toString(): string } | null;
  readonly nanos?: number | null;
}

/** Converts a protobuf Duration to milliseconds; `undefined` when unset. Rejects negative values. */
export function protoDurationMs(value: DurationLike | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = Number(value.seconds ?? 0);
  const nanos = Number(value.nanos ?? 0);
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) throw invalidArgument(`${field}: malformed duration`);
  if (seconds < 0 || nanos < 0) throw invalidArgument(`${field}: duration must not be negative`);
  if (nanos >= 1e9) throw invalidArgument(`${field}: nanos must be below 1e9`);
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

export function msToProtoDuration(totalMs: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(totalMs / 1000);
  return { seconds, nanos: (totalMs - seconds * 1000) * 1e6 };
}

export function msToProtoTimestamp(epochMs: number): { seconds: number; nanos: number } {
  return msToProtoDuration(epochMs);
}
