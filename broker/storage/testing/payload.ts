// Deterministic payloads derived from the entry index, so a test (or a crash checker in another
// process) can verify any entry it reads without remembering what was written.

import type { LogEntry } from '../log-entry.ts';

/** Payload of entry `index`: `sizeBytes` (default: 1..600, varying with index) bytes. */
export function payloadFor(index: number, sizeBytes?: number): Uint8Array {
  const size = sizeBytes ?? 1 + ((index * 7919) % 600);
  const out = new Uint8Array(size);
  let x = (index * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function entryFor(index: number, term: number, sizeBytes?: number): LogEntry {
  return { index, term, type: index % 7, data: payloadFor(index, sizeBytes) };
}

/** Entries [from, to) of term `term`. */
export function entriesFor(from: number, to: number, term: number, sizeBytes?: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let index = from; index < to; index++) out.push(entryFor(index, term, sizeBytes));
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
