// The on-disk record codec (DESIGN §2), little-endian:
//   [length u32][crc32c u32][term u64][index u64][type u8][payload]
// `length` counts the bytes after the crc field (term..payload), which are exactly the bytes the
// crc covers, so a record occupies 8 + length bytes.

import { assert } from '../../common/assert.ts';
import { crc32c } from './crc32c.ts';
import type { LogEntry } from './log-entry.ts';
import { readU64, writeU64 } from './u64.ts';

/** Bytes before the payload. */
export const RECORD_HEADER_BYTES = 25;
/** Bytes of the length and crc fields, which the crc does not cover. */
const PREFIX_BYTES = 8;
/** Smallest valid `length`: term + index + type with an empty payload. */
const LENGTH_MIN = RECORD_HEADER_BYTES - PREFIX_BYTES;
/** Largest payload the u32 length field can describe. */
export const RECORD_PAYLOAD_BYTES_MAX = 0xffffffff - LENGTH_MIN;

export function recordBytes(payloadBytes: number): number {
  return RECORD_HEADER_BYTES + payloadBytes;
}

/**
 * Writes the header of `entry` into `target` at `offset` (RECORD_HEADER_BYTES bytes), crc included.
 * The payload is not copied: the caller writes `entry.data` right after the header.
 */
export function encodeHeader(entry: LogEntry, target: Buffer, offset: number): void {
  assert(Number.isSafeInteger(entry.index) && entry.index >= 1, `bad entry index ${entry.index}`);
  assert(Number.isSafeInteger(entry.term) && entry.term >= 0, `bad entry term ${entry.term}`);
  assert(Number.isInteger(entry.type) && entry.type >= 0 && entry.type <= 0xff, `bad entry type ${entry.type}`);
  assert(entry.data.length <= RECORD_PAYLOAD_BYTES_MAX, `entry payload of ${entry.data.length} bytes is too large`);
  target.writeUInt32LE(LENGTH_MIN + entry.data.length, offset);
  writeU64(target, entry.term, offset + 8);
  writeU64(target, entry.index, offset + 16);
  target.writeUInt8(entry.type, offset + 24);
  const crc = crc32c(entry.data, crc32c(target.subarray(offset + PREFIX_BYTES, offset + RECORD_HEADER_BYTES)));
  target.writeUInt32LE(crc, offset + 4);
}

/** The whole record as one buffer (tests and small writes; the log writes header and payload apart). */
export function encodeRecord(entry: LogEntry): Buffer {
  const out = Buffer.allocUnsafe(recordBytes(entry.data.length));
  encodeHeader(entry, out, 0);
  out.set(entry.data, RECORD_HEADER_BYTES);
  return out;
}

export type DecodeResult =
  | { readonly ok: true; readonly entry: LogEntry; readonly bytes: number }
  /** `incomplete`: the bytes end before the record does (a torn tail, or read more). */
  | { readonly ok: false; readonly incomplete: boolean; readonly reason: string };

/**
 * Decodes and verifies the record at `offset`; `source` must hold everything up to the end of the
 * stored data, so a record running past it is reported incomplete. The payload is a view into
 * `source`, not a copy.
 */
export function decodeRecord(source: Buffer, offset: number): DecodeResult {
  const available = source.length - offset;
  if (available < RECORD_HEADER_BYTES) {
    return { ok: false, incomplete: true, reason: `incomplete header (${available} bytes)` };
  }
  const length = source.readUInt32LE(offset);
  if (length < LENGTH_MIN) return { ok: false, incomplete: false, reason: `bad length ${length}` };
  if (PREFIX_BYTES + length > available) {
    return { ok: false, incomplete: true, reason: `length ${length} runs past the end of the data` };
  }
  const stored = source.readUInt32LE(offset + 4);
  const computed = crc32c(source.subarray(offset + PREFIX_BYTES, offset + PREFIX_BYTES + length));
  if (stored !== computed) {
    return { ok: false, incomplete: false, reason: `crc mismatch (stored ${hex(stored)}, computed ${hex(computed)})` };
  }
  const term = readU64(source, offset + 8);
  const index = readU64(source, offset + 16);
  if (term < 0 || index < 1) return { ok: false, incomplete: false, reason: 'term or index out of range' };
  const data = source.subarray(offset + RECORD_HEADER_BYTES, offset + PREFIX_BYTES + length);
  return { ok: true, entry: { index, term, type: source.readUInt8(offset + 24), data }, bytes: PREFIX_BYTES + length };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
