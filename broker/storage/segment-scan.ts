// Recovery scan of one segment file: walks the records from the start, verifying length, crc and
// index contiguity, and rebuilds the offset index. It stops at the first bad record and reports
// whether any valid record follows it, which is what separates a torn tail (nothing valid after:
// safe to cut) from corruption (valid data after: never cut).

import { crc32c } from './crc32c.ts';
import { OffsetArray } from './offset-array.ts';
import { decodeRecord, RECORD_HEADER_BYTES } from './record.ts';
import type { StorageFile } from './storage-fs.ts';

/** Read granularity of the scan: memory stays bounded whatever the segment size. */
const CHUNK_BYTES = 1 << 20;

export interface BadRecord {
  readonly offset: number;
  readonly reason: string;
  /** Offset of a valid record somewhere after the bad one, if there is one. */
  readonly validRecordAt: number | undefined;
}

export interface SegmentScan {
  readonly offsets: OffsetArray;
  /** Bytes of the valid records (where a torn tail is cut). */
  readonly validBytes: number;
  readonly fileBytes: number;
  readonly bad: BadRecord | undefined;
}

/** A sliding window over the file, refilled in chunks. */
class FileWindow {
  readonly #file: StorageFile;
  readonly #fileBytes: number;
  #buffer = Buffer.alloc(0);
  #start = 0;

  constructor(file: StorageFile, fileBytes: number) {
    this.#file = file;
    this.#fileBytes = fileBytes;
  }

  /** Bytes from `position` to the window's end, if the window already holds `need` of them. */
  peek(position: number, need: number): Buffer | undefined {
    const at = position - this.#start;
    if (at < 0 || at + need > this.#buffer.length) return undefined;
    return this.#buffer.subarray(at);
  }

  /** Bytes from `position`, at least `need` of them unless the file ends first. */
  async at(position: number, need: number): Promise<Buffer> {
    const available = Math.min(need, this.#fileBytes - position);
    const held = this.peek(position, available);
    if (held !== undefined) return held;
    const length = Math.min(Math.max(need, CHUNK_BYTES), this.#fileBytes - position);
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const n = await this.#file.read(buffer, filled, length - filled, position + filled);
      if (n === 0) break;
      filled += n;
    }
    this.#buffer = buffer.subarray(0, filled);
    this.#start = position;
    return this.#buffer;
  }
}

/**
 * Scans a segment whose first entry should be `firstIndex`; `onEntry` sees each valid entry's
 * index and term in order. With `searchAfterBad`, a bad record is followed by a search for any
 * valid record after it (only needed for the last segment: anywhere else a bad record is corrupt).
 */
export async function scanSegment(
  file: StorageFile,
  firstIndex: number,
  searchAfterBad: boolean,
  onEntry: (index: number, term: number) => void,
): Promise<SegmentScan> {
  const fileBytes = await file.sizeBytes();
  const window = new FileWindow(file, fileBytes);
  const offsets = new OffsetArray();
  let position = 0;
  let index = firstIndex;
  while (position < fileBytes) {
    const reason = await checkRecordAt(window, position, fileBytes, index);
    if (typeof reason === 'string') {
      const validRecordAt = searchAfterBad ? await findValidRecord(window, position + 1, fileBytes, index) : undefined;
      return { offsets, validBytes: position, fileBytes, bad: { offset: position, reason, validRecordAt } };
    }
    offsets.push(position);
    onEntry(index, reason.term);
    position += reason.bytes;
    index++;
  }
  return { offsets, validBytes: position, fileBytes, bad: undefined };
}

/** The record at `position` if it is valid and holds `expectedIndex`, else why not. */
async function checkRecordAt(
  window: FileWindow,
  position: number,
  fileBytes: number,
  expectedIndex: number,
): Promise<{ term: number; bytes: number } | string> {
  let bytes = window.peek(position, RECORD_HEADER_BYTES) ?? (await window.at(position, RECORD_HEADER_BYTES));
  if (bytes.length >= 4) {
    const recordBytes = 8 + bytes.readUInt32LE(0);
    if (recordBytes > bytes.length && position + recordBytes <= fileBytes)
      bytes = await window.at(position, recordBytes);
  }
  // The window may run past this record but never past the file: "incomplete" means past EOF.
  const result = decodeRecord(bytes, 0);
  if (!result.ok) return result.reason;
  if (result.entry.index !== expectedIndex) return `index ${result.entry.index} where ${expectedIndex} was expected`;
  return { term: result.entry.term, bytes: result.bytes };
}

/**
 * First offset from `from` holding a valid record whose index could follow the bad one's
 * (checked before the crc, so garbage and zero fill are rejected cheaply), or undefined.
 */
async function findValidRecord(
  window: FileWindow,
  from: number,
  fileBytes: number,
  badIndex: number,
): Promise<number | undefined> {
  const indexMax = badIndex + Math.ceil((fileBytes - from) / RECORD_HEADER_BYTES);
  let position = from;
  while (position + RECORD_HEADER_BYTES <= fileBytes) {
    // Walk the bytes the window holds without allocating a view per position.
    const bytes = await window.at(position, RECORD_HEADER_BYTES);
    if (bytes.length < RECORD_HEADER_BYTES) return undefined; // the file shrank under us
    const stop = Math.min(bytes.length - RECORD_HEADER_BYTES, fileBytes - position - RECORD_HEADER_BYTES);
    let found = -1;
    let at = 0;
    for (; at <= stop; at++) {
      const recordBytes = 8 + bytes.readUInt32LE(at);
      if (recordBytes < RECORD_HEADER_BYTES || position + at + recordBytes > fileBytes) continue;
      const index = bytes.readUInt32LE(at + 20) * 2 ** 32 + bytes.readUInt32LE(at + 16);
      if (index < badIndex || index > indexMax) continue;
      found = at;
      break;
    }
    if (found < 0) {
      position += at;
      continue;
    }
    const candidate = position + found;
    const recordBytes = 8 + bytes.readUInt32LE(found);
    const record = await window.at(candidate, recordBytes);
    if (decodeRecord(record.subarray(0, recordBytes), 0).ok) return candidate;
    position = candidate + 1;
  }
  return undefined;
}

/** Filesystems tear writes at sector granularity, leaving unwritten sectors zero-filled. */
const SECTOR_BYTES = 512;

/**
 * Whether a bad last record (nothing valid after it) is a torn write, which is safe to cut, or
 * damage to a record that was written whole (and so perhaps fsynced and acknowledged), which must
 * never be cut: answers undefined for torn, else why it is corrupt.
 *
 * Torn: the record runs past the end of the file (a write cut short), or it is whole-length but
 * holds a zero-filled sector or ends the file in zero fill (a torn write the filesystem padded).
 * Corrupt: the record is whole-length and fails its crc otherwise (a bit flip), or it "runs past
 * the end" only because its length field was damaged: the crc of everything up to the end of the
 * file matches.
 */
export async function tornTailProblem(
  file: StorageFile,
  offset: number,
  fileBytes: number,
): Promise<string | undefined> {
  const tailBytes = fileBytes - offset;
  if (tailBytes < RECORD_HEADER_BYTES) return undefined;
  const tail = Buffer.allocUnsafe(tailBytes);
  let filled = 0;
  while (filled < tailBytes) {
    const n = await file.read(tail, filled, tailBytes - filled, offset + filled);
    if (n === 0) break;
    filled += n;
  }
  const bytes = tail.subarray(0, filled);
  if (bytes.every((b) => b === 0)) return undefined; // zero fill after the last record
  // A whole record with a valid crc in the wrong place is stale data an unsynced truncation left.
  if (decodeRecord(bytes, 0).ok) return undefined;
  const recordBytes = 8 + bytes.readUInt32LE(0);
  const stored = bytes.readUInt32LE(4);
  if (recordBytes > bytes.length) {
    return crc32c(bytes.subarray(8)) === stored
      ? `the last record's length field is damaged (${recordBytes - 8}; the crc matches the ${bytes.length - 8} bytes present)`
      : undefined;
  }
  if (hasZeroSector(bytes.subarray(0, recordBytes), offset)) return undefined;
  if (zeroRunAtEnd(bytes) >= Math.min(ZERO_FILL_BYTES_MIN, bytes.length - 8)) return undefined;
  return 'the last record is whole but fails its checksum (damaged after it was written)';
}

/**
 * A zero run this long reaching the end of the file, starting inside the bad record, reads as zero
 * fill from a torn write. (The price: a bit flip in a last record whose payload ends in as many
 * zeros is cut as torn; zero fill is what real filesystems leave, so the other way round would
 * leave every replica refusing to vote after a power loss.)
 */
const ZERO_FILL_BYTES_MIN = 16;

function zeroRunAtEnd(bytes: Buffer): number {
  let at = bytes.length;
  while (at > 0 && bytes[at - 1] === 0) at--;
  return bytes.length - at;
}

function hasZeroSector(record: Buffer, fileOffset: number): boolean {
  const first = Math.ceil(fileOffset / SECTOR_BYTES) * SECTOR_BYTES - fileOffset;
  for (let at = first; at + SECTOR_BYTES <= record.length; at += SECTOR_BYTES) {
    let zero = true;
    for (let i = at; i < at + SECTOR_BYTES && zero; i++) zero = record[i] === 0;
    if (zero) return true;
  }
  return false;
}
