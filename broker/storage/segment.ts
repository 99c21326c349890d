// One segment file and its in-memory index: the file offset of every record it holds. A segment
// is named by the index of its first entry, zero-padded so names sort in log order.

import { join } from 'node:path';
import { assert } from '../../common/assert.ts';
import { CorruptLogError } from '../../common/errors.ts';
import { readFully } from './file-io.ts';
import type { LogEntry } from './log-entry.ts';
import type { OffsetArray } from './offset-array.ts';
import { decodeRecord } from './record.ts';
import type { StorageFile } from './storage-fs.ts';

const NAME_PATTERN = /^(\d{20})\.log$/;

export function segmentFileName(firstIndex: number): string {
  return `${String(firstIndex).padStart(20, '0')}.log`;
}

/** The first index a segment file name stands for, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = NAME_PATTERN.exec(name);
  if (match?.[1] === undefined) return undefined;
  const index = Number(match[1]);
  return Number.isSafeInteger(index) && index >= 1 ? index : undefined;
}

export class Segment {
  readonly firstIndex: number;
  readonly path: string;
  readonly file: StorageFile;
  readonly offsets: OffsetArray;
  /** Bytes of whole records in the file; the next record is written here. */
  sizeBytes: number;
  #readers = 0;
  #retired = false;

  constructor(dir: string, firstIndex: number, file: StorageFile, offsets: OffsetArray, sizeBytes: number) {
    this.firstIndex = firstIndex;
    this.path = join(dir, segmentFileName(firstIndex));
    this.file = file;
    this.offsets = offsets;
    this.sizeBytes = sizeBytes;
  }

  /** Index of the last entry held; firstIndex - 1 when empty. */
  get lastIndex(): number {
    return this.firstIndex + this.offsets.length - 1;
  }

  /** File offset where the record of `index` starts (or where `lastIndex + 1` would start). */
  recordStart(index: number): number {
    assert(index >= this.firstIndex && index <= this.lastIndex + 1, `index ${index} not in ${this.path}`);
    return index <= this.lastIndex ? this.offsets.at(index - this.firstIndex) : this.sizeBytes;
  }

  /** Reads and verifies the entries [fromIndex, toIndexExclusive) with one positioned read. */
  async readEntries(fromIndex: number, toIndexExclusive: number): Promise<LogEntry[]> {
    assert(fromIndex < toIndexExclusive && toIndexExclusive <= this.lastIndex + 1, 'read past the segment');
    const start = this.recordStart(fromIndex);
    const end = this.recordStart(toIndexExclusive);
    this.#readers++;
    let bytes: Buffer;
    try {
      bytes = await readFully(this.file, start, end - start);
    } finally {
      this.#readers--;
      if (this.#retired && this.#readers === 0) void this.file.close().catch(() => {});
    }
    const entries: LogEntry[] = [];
    for (let index = fromIndex; index < toIndexExclusive; index++) {
      const at = this.recordStart(index) - start;
      const expectedBytes = this.recordStart(index + 1) - start - at;
      const result = decodeRecord(bytes.subarray(0, at + expectedBytes), at);
      const offset = start + at;
      if (!result.ok) throw new CorruptLogError(this.path, offset, result.reason);
      if (result.bytes !== expectedBytes || result.entry.index !== index) {
        throw new CorruptLogError(this.path, offset, `expected index ${index} in ${expectedBytes} bytes`);
      }
      entries.push(result.entry);
    }
    return entries;
  }

  /** The segment left the log: close its file once in-flight reads are done. */
  async retire(): Promise<void> {
    assert(!this.#retired, `${this.path} retired twice`);
    this.#retired = true;
    if (this.#readers === 0) await this.file.close();
  }
}
