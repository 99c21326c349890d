// Human formatting for the CLI: ages as kubectl prints them, payloads as text when they are text.
import type { Timestamp__Output } from '../proto/gen/google/protobuf/Timestamp.ts';

/** kubectl's short human durations: "45s", "3m20s", "17m", "5h10m", "30h", "3d4h", "12d". */
export function formatAgeMs(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  return `${days}d`;
}

export function timestampMs(value: Timestamp__Output | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6);
  return ms === 0 ? undefined : ms;
}

/** Age of a timestamp at `nowMs`, or "-" when unset. */
export function ageOf(value: Timestamp__Output | null | undefined, nowMs: number): string {
  const ms = timestampMs(value);
  return ms === undefined ? '-' : formatAgeMs(nowMs - ms);
}

/** True when the bytes are UTF-8 text without control characters other than tab and newlines. */
export function isPrintableText(payload: Buffer): boolean {
  const text = payload.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(payload)) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/** A payload for a terminal: its text, or "<N bytes, base64 …>" for binary data. */
export function payloadText(payload: Buffer): string {
  if (isPrintableText(payload)) return payload.toString('utf8');
  return `<${payload.length} bytes, base64 ${payload.toString('base64')}>`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
