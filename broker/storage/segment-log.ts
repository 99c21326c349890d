// The segmented append-only Raft log of one group (DESIGN §2 "Storage").
//
// Two views of the log are kept apart:
//  - the logical view (firstIndex, lastIndex, terms, the unwritten tail) changes synchronously
//    when append/truncateSuffix/reset are called, so callers can pipeline: the next append is
//    checked against the entries already accepted, not against what reached the disk;
//  - the physical view (segment files and their offset index) is changed by one worker that runs
//    the queued operations strictly in call order.
// Group commit: appends queued while a write+fdatasync is in flight are written together by the
// worker's next writev, and one fdatasync covers them all. Any write or sync error stops the log
// for good (fail-stop): the waiting appends fail, and so does everything after.

import { join } from 'node:path';
import { assert } from '../../common/assert.ts';
import { CompactedError, CorruptLogError } from '../../common/errors.ts';
import { type Logger, silentLogger } from '../../common/logger.ts';
import { writeFully } from './file-io.ts';
import type { LogEntry } from './log-entry.ts';
import { OffsetArray } from './offset-array.ts';
import { ReadCache } from './read-cache.ts';
import { encodeHeader, RECORD_HEADER_BYTES, recordBytes } from './record.ts';
import { parseSegmentFileName, Segment, segmentFileName } from './segment.ts';
import { type SegmentScan, scanSegment, tornTailProblem } from './segment-scan.ts';
import { nodeStorageFs, type StorageFile, type StorageFs } from './storage-fs.ts';
import { TermRuns } from './term-runs.ts';
import { type TailSlot, UnwrittenTail } from './unwritten-tail.ts';

export type { LogEntry } from './log-entry.ts';

const MIB = 1024 * 1024;

export interface SegmentLogOptions {
  /** A new segment file starts when the current one would grow past this. Default 64 MiB. */
  readonly segmentBytesMax?: number;
  readonly logger?: Logger;
  /** Recently appended or read entries kept in memory. Default 32 MiB. */
  readonly readCacheBytesMax?: number;
  /**
   * Most entry bytes one write (one writev + one fdatasync) takes from the append queue; appends
   * past it wait for the following write. Default 16 MiB.
   */
  readonly writeBatchBytesMax?: number;
  /** File system access; tests pass a wrapper that injects failures. */
  readonly fs?: StorageFs;
}

export interface SegmentLogStats {
  readonly segments: number;
  /** Bytes of records in the segment files. */
  readonly bytes: number;
  /** fdatasync/fsync calls on segment files and the directory since open. */
  readonly fsyncs: number;
  /** Entries written durably since open. */
  readonly appendedEntries: number;
  /** Record bytes of appends accepted but not yet durable. */
  readonly queuedBytes: number;
}

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

type Operation =
  | (Pending & { readonly kind: 'append'; readonly slots: readonly TailSlot[]; readonly bytes: number })
  | (Pending & { readonly kind: 'truncate'; readonly fromIndex: number })
  | (Pending & { readonly kind: 'compact'; readonly beforeIndex: number })
  | (Pending & { readonly kind: 'reset'; readonly index: number });

type OperationInit =
  | { readonly kind: 'append'; readonly slots: readonly TailSlot[]; readonly bytes: number }
  | { readonly kind: 'truncate'; readonly fromIndex: number }
  | { readonly kind: 'compact'; readonly beforeIndex: number }
  | { readonly kind: 'reset'; readonly index: number };

export class SegmentLog {
  readonly #dir: string;
  readonly #fs: StorageFs;
  readonly #logger: Logger;
  readonly #segmentBytesMax: number;
  readonly #writeBatchBytesMax: number;

  // Physical view: owned by the worker (#run) once open() returns.
  readonly #segments: Segment[];

  // Logical view.
  #firstIndex: number;
  #lastIndex: number;
  readonly #terms: TermRuns;
  readonly #tail: UnwrittenTail;
  readonly #cache: ReadCache;
  /** Bumped by truncateSuffix and reset: a disk read that straddles one is retried. */
  #generation = 0;

  // The worker's queue: operations run strictly in call order.
  #queue: Operation[] = [];
  #queuedBytes = 0;
  #running: Promise<void> | undefined;
  #failure: unknown;
  #closed = false;

  #fsyncs = 0;
  #appendedEntries = 0;
  readonly #fsyncListeners: ((durationMs: number) => void)[] = [];

  private constructor(
    dir: string,
    fs: StorageFs,
    logger: Logger,
    options: SegmentLogOptions,
    segments: Segment[],
    terms: TermRuns,
  ) {
    this.#dir = dir;
    this.#fs = fs;
    this.#logger = logger;
    this.#segmentBytesMax = options.segmentBytesMax ?? 64 * MIB;
    this.#writeBatchBytesMax = options.writeBatchBytesMax ?? 16 * MIB;
    this.#segments = segments;
    this.#terms = terms;
    const first = segments[0];
    const last = segments[segments.length - 1];
    this.#firstIndex = first?.firstIndex ?? 1;
    this.#lastIndex = last?.lastIndex ?? 0;
    this.#tail = new UnwrittenTail(this.#lastIndex + 1);
    this.#cache = new ReadCache(options.readCacheBytesMax ?? 32 * MIB);
  }

  /** Opens the log in `dir` (created when missing), verifying every record; see recover(). */
  static async open(dir: string, options: SegmentLogOptions = {}): Promise<SegmentLog> {
    const segmentBytesMax = options.segmentBytesMax ?? 64 * MIB;
    assert(
      Number.isSafeInteger(segmentBytesMax) && segmentBytesMax > RECORD_HEADER_BYTES && segmentBytesMax <= 0xffffffff,
      `segmentBytesMax ${segmentBytesMax} must fit record offsets in u32`,
    );
    const fs = options.fs ?? nodeStorageFs;
    const logger = (options.logger ?? silentLogger()).child({ log: dir });
    await fs.mkdirs(dir);
    const terms = new TermRuns();
    const segments = await recover(dir, fs, logger, terms);
    return new SegmentLog(dir, fs, logger, options, segments, terms);
  }

  /** First index still stored; lastIndex() + 1 when the log is empty. */
  firstIndex(): number {
    return this.#firstIndex;
  }

  /** Last index accepted by append (durable once that append resolved); 0 when never appended. */
  lastIndex(): number {
    return this.#lastIndex;
  }

  term(index: number): number {
    this.#checkReadable(index);
    return this.#terms.termAt(index);
  }

  /**
   * Appends entries whose indexes continue the log (an empty log takes any first index). Takes
   * effect for lastIndex()/term()/read() at once; resolves once an fdatasync covers the entries.
   * Payloads are written from the caller's buffers, not copied: do not mutate them afterwards.
   */
  async append(entries: readonly LogEntry[]): Promise<void> {
    this.#checkUsable();
    const first = entries[0];
    if (first === undefined) return;
    let expected = this.#lastIndex + 1;
    if (this.#lastIndex < this.#firstIndex && first.index !== expected) expected = first.index;
    let bytes = 0;
    for (const entry of entries) {
      assert(entry.index === expected, `append of index ${entry.index} where ${expected} was expected`);
      assert(Number.isSafeInteger(entry.term) && entry.term >= 0, `bad term ${entry.term}`);
      assert(Number.isInteger(entry.type) && entry.type >= 0 && entry.type <= 0xff, `bad entry type ${entry.type}`);
      assert(
        recordBytes(entry.data.length) <= this.#segmentBytesMax,
        `entry of ${entry.data.length} bytes does not fit in a segment of ${this.#segmentBytesMax}`,
      );
      bytes += recordBytes(entry.data.length);
      expected++;
    }
    // Should the reset fail, this append fails with it (fail-stop), so its own error is not needed.
    if (first.index !== this.#lastIndex + 1) this.#startOver(first.index - 1).catch(() => {});
    const slots = entries.map((entry) => {
      this.#terms.append(entry.index, entry.term);
      return this.#tail.push(entry);
    });
    this.#lastIndex = expected - 1;
    this.#queuedBytes += bytes;
    return this.#enqueue({ kind: 'append', slots, bytes });
  }

  async read(index: number): Promise<LogEntry> {
    for (;;) {
      this.#checkReadable(index);
      const unwritten = this.#tail.get(index);
      if (unwritten !== undefined) return unwritten;
      const cached = this.#cache.get(index);
      if (cached !== undefined) return cached;
      const generation = this.#generation;
      const entries = await this.#readDisk(index, index + 1, generation);
      const entry = entries?.[0];
      if (entry === undefined) continue; // truncated or reset while reading: look again
      this.#cache.put(entry);
      return entry;
    }
  }

  /**
   * Entries from `fromIndex` up to `toIndexExclusive`, stopping before the one that would take the
   * total record bytes (header + payload) past `bytesMax`; always at least one entry.
   */
  async readRange(fromIndex: number, toIndexExclusive: number, bytesMax: number): Promise<LogEntry[]> {
    retry: for (;;) {
      this.#checkReadable(fromIndex);
      assert(fromIndex < toIndexExclusive && toIndexExclusive <= this.#lastIndex + 1, 'readRange past the log');
      const generation = this.#generation;
      const result: LogEntry[] = [];
      let bytes = 0;
      const fits = (payloadBytes: number): boolean =>
        result.length === 0 || bytes + recordBytes(payloadBytes) <= bytesMax;
      let index = fromIndex;
      while (index < toIndexExclusive) {
        if (generation !== this.#generation) continue retry;
        // Compacted while an earlier part was being read.
        if (index < this.#firstIndex) throw new CompactedError(index, this.#firstIndex);
        const held = this.#tail.get(index) ?? this.#cache.peek(index);
        if (held !== undefined) {
          if (!fits(held.data.length)) break;
          result.push(held);
          bytes += recordBytes(held.data.length);
          index++;
          continue;
        }
        // A run of records in one segment, read with one positioned read.
        const segment = this.#segmentOf(index);
        const runEnd = Math.min(toIndexExclusive, segment.lastIndex + 1, this.#tail.firstIndex);
        let end = index;
        let runBytes = 0;
        while (end < runEnd) {
          const size = segment.recordStart(end + 1) - segment.recordStart(end);
          if (!(result.length === 0 && end === index) && bytes + runBytes + size > bytesMax) break;
          runBytes += size;
          end++;
        }
        if (end === index) break;
        const entries = await this.#readDisk(index, end, generation);
        if (entries === undefined) continue retry;
        for (const entry of entries) result.push(entry);
        bytes += runBytes;
        index = end;
        if (end < runEnd) break;
      }
      return result;
    }
  }

  /** Drops `fromIndex`..lastIndex (a Raft log conflict); durable before it resolves. */
  async truncateSuffix(fromIndex: number): Promise<void> {
    this.#checkUsable();
    assert(
      fromIndex >= this.#firstIndex && fromIndex <= this.#lastIndex + 1,
      `truncateSuffix(${fromIndex}) outside ${this.#firstIndex}..${this.#lastIndex + 1}`,
    );
    if (fromIndex === this.#lastIndex + 1) return this.#enqueue({ kind: 'truncate', fromIndex });
    this.#lastIndex = fromIndex - 1;
    this.#terms.truncateFrom(fromIndex);
    this.#tail.truncateFrom(fromIndex);
    this.#cache.dropFrom(fromIndex);
    this.#generation++;
    return this.#enqueue({ kind: 'truncate', fromIndex });
  }

  /**
   * Deletes whole segment files whose entries are all below `beforeIndex` (never the last one);
   * firstIndex() moves up when this resolves.
   */
  async compactPrefix(beforeIndex: number): Promise<void> {
    this.#checkUsable();
    assert(Number.isSafeInteger(beforeIndex), `bad compaction index ${beforeIndex}`);
    return this.#enqueue({ kind: 'compact', beforeIndex });
  }

  /** Drops every entry (a snapshot at `index`/`term` replaces them); the next append is index + 1. */
  async reset(index: number, term: number): Promise<void> {
    this.#checkUsable();
    assert(Number.isSafeInteger(index) && index >= 0, `bad reset index ${index}`);
    assert(Number.isSafeInteger(term) && term >= 0, `bad reset term ${term}`);
    this.#logger.info({ index, term }, 'log reset to a snapshot');
    return this.#startOver(index);
  }

  /** Waits for queued operations, then closes the files. Only stats() may be called afterwards. */
  async close(): Promise<void> {
    assert(!this.#closed, 'log closed twice');
    this.#closed = true;
    while (this.#running !== undefined) await this.#running;
    for (const segment of this.#segments.splice(0)) await segment.retire();
  }

  /**
   * Hears how long each fdatasync/fsync the log makes took (for a latency histogram). Called on
   * the log's worker after the sync returns: keep it cheap. Without a listener nothing is timed.
   */
  onFsync(listener: (durationMs: number) => void): void {
    this.#fsyncListeners.push(listener);
  }

  stats(): SegmentLogStats {
    let bytes = 0;
    for (const segment of this.#segments) bytes += segment.sizeBytes;
    return {
      segments: this.#segments.length,
      bytes,
      fsyncs: this.#fsyncs,
      appendedEntries: this.#appendedEntries,
      queuedBytes: this.#queuedBytes,
    };
  }

  // ---- logical view helpers ----

  #checkUsable(): void {
    assert(!this.#closed, 'log is closed');
    if (this.#failure !== undefined) throw this.#stoppedError();
  }

  #checkReadable(index: number): void {
    this.#checkUsable();
    if (index < this.#firstIndex) throw new CompactedError(index, this.#firstIndex);
    assert(index <= this.#lastIndex, `index ${index} is past the last index ${this.#lastIndex}`);
  }

  #stoppedError(): Error {
    return new Error(`log ${this.#dir} stopped after a failed write; reopen it to recover`, { cause: this.#failure });
  }

  /** Empties the log logically so the next append is `index + 1`, and queues the same on disk. */
  #startOver(index: number): Promise<void> {
    this.#firstIndex = index + 1;
    this.#lastIndex = index;
    this.#terms.clear();
    this.#tail.reset(index + 1);
    this.#cache.clear();
    this.#generation++;
    return this.#enqueue({ kind: 'reset', index });
  }

  /** The segment holding written entry `index` (the caller checked it is not in the tail). */
  #segmentOf(index: number): Segment {
    const segments = this.#segments;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((segments[mid] as Segment).firstIndex <= index) low = mid;
      else high = mid - 1;
    }
    const segment = segments[low];
    assert(
      segment !== undefined && index >= segment.firstIndex && index <= segment.lastIndex,
      `no segment has ${index}`,
    );
    return segment;
  }

  /**
   * Reads [from, to) from disk; undefined when a truncate or reset happened meanwhile (the bytes
   * read may be gone or rewritten, so the caller looks again).
   */
  async #readDisk(from: number, to: number, generation: number): Promise<LogEntry[] | undefined> {
    try {
      const entries = await this.#segmentOf(from).readEntries(from, to);
      return generation === this.#generation ? entries : undefined;
    } catch (error) {
      if (generation !== this.#generation) return undefined;
      throw error;
    }
  }

  // ---- the worker: physical view ----

  #enqueue(init: OperationInit): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#queue.push({ ...init, resolve, reject });
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return promise;
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      const head = this.#queue[0] as Operation;
      let batch: Operation[];
      if (head.kind === 'append') {
        // Group commit: every append queued so far (up to the batch bound) shares this write.
        let taken = 0;
        let bytes = 0;
        for (const op of this.#queue) {
          if (op.kind !== 'append' || (taken > 0 && bytes + op.bytes > this.#writeBatchBytesMax)) break;
          bytes += op.bytes;
          taken++;
        }
        batch = this.#queue.splice(0, taken);
      } else {
        batch = this.#queue.splice(0, 1);
      }
      try {
        await this.#perform(batch);
      } catch (error) {
        this.#stop(error, batch);
        return;
      }
      for (const op of batch) op.resolve();
    }
  }

  async #perform(batch: readonly Operation[]): Promise<void> {
    const head = batch[0] as Operation;
    switch (head.kind) {
      case 'append':
        return this.#writeAppends(batch);
      case 'truncate':
        return this.#truncateFiles(head.fromIndex);
      case 'compact':
        return this.#compactFiles(head.beforeIndex);
      case 'reset':
        return this.#resetFiles(head.index);
    }
  }

  /** Fail-stop: the failed batch and everything queued behind it fail; nothing is retried. */
  #stop(error: unknown, batch: readonly Operation[]): void {
    this.#failure = error;
    this.#logger.error({ err: error }, 'log write failed; the log refuses further writes');
    this.#queuedBytes = 0;
    for (const op of batch) op.reject(error);
    for (const op of this.#queue.splice(0)) op.reject(this.#stoppedError());
  }

  async #writeAppends(batch: readonly Operation[]): Promise<void> {
    const slots: TailSlot[] = [];
    let batchBytes = 0;
    for (const op of batch) {
      if (op.kind !== 'append') continue;
      for (const slot of op.slots) slots.push(slot);
      batchBytes += op.bytes;
    }
    let next = 0;
    while (next < slots.length) {
      const firstEntry = (slots[next] as TailSlot).entry;
      let segment = this.#segments[this.#segments.length - 1];
      if (
        segment === undefined ||
        (segment.sizeBytes > 0 && segment.sizeBytes + recordBytes(firstEntry.data.length) > this.#segmentBytesMax)
      ) {
        // The current segment's records were synced by the write that filled it, so a crash
        // can never leave a torn record anywhere but in the last segment.
        segment?.offsets.trim();
        segment = await this.#createSegment(firstEntry.index);
      }
      assert(firstEntry.index === segment.lastIndex + 1, `writing ${firstEntry.index} after ${segment.lastIndex}`);
      let end = next;
      let size = segment.sizeBytes;
      while (end < slots.length) {
        const bytes = recordBytes((slots[end] as TailSlot).entry.data.length);
        if (end > next && size + bytes > this.#segmentBytesMax) break;
        size += bytes;
        end++;
      }
      await this.#writeRecords(segment, slots.slice(next, end));
      next = end;
    }
    this.#queuedBytes -= batchBytes;
  }

  /** One writev of header buffers interleaved with the callers' payloads, then one fdatasync. */
  async #writeRecords(segment: Segment, slots: readonly TailSlot[]): Promise<void> {
    const headers = Buffer.allocUnsafe(RECORD_HEADER_BYTES * slots.length);
    const buffers: Uint8Array[] = [];
    for (let i = 0; i < slots.length; i++) {
      const entry = (slots[i] as TailSlot).entry;
      const at = i * RECORD_HEADER_BYTES;
      encodeHeader(entry, headers, at);
      buffers.push(headers.subarray(at, at + RECORD_HEADER_BYTES));
      if (entry.data.length > 0) buffers.push(entry.data);
    }
    await writeFully(segment.file, buffers, segment.sizeBytes);
    await this.#datasync(segment.file);
    let offset = segment.sizeBytes;
    for (const slot of slots) {
      segment.offsets.push(offset);
      offset += recordBytes(slot.entry.data.length);
      // Still the log's entry at that index (not truncated meanwhile): now readable from disk.
      if (this.#tail.shiftIf(slot)) this.#cache.put(slot.entry);
    }
    segment.sizeBytes = offset;
    this.#appendedEntries += slots.length;
  }

  async #createSegment(firstIndex: number): Promise<Segment> {
    const path = join(this.#dir, segmentFileName(firstIndex));
    const file = await this.#fs.open(path, 'wx+');
    const segment = new Segment(this.#dir, firstIndex, file, new OffsetArray(), 0);
    this.#segments.push(segment);
    await this.#syncDir();
    return segment;
  }

  async #truncateFiles(fromIndex: number): Promise<void> {
    for (;;) {
      const segment = this.#segments[this.#segments.length - 1];
      if (segment === undefined || segment.lastIndex < fromIndex) return;
      if (segment.firstIndex >= fromIndex && this.#segments.length > 1) {
        // Newest first, so a crash midway leaves a contiguous prefix of the old log.
        this.#segments.pop();
        await this.#deleteSegment(segment);
        continue;
      }
      // The only segment keeps its file (emptied if need be): its name says where the log resumes.
      assert(segment.firstIndex <= fromIndex, `truncate to ${fromIndex} below ${segment.path}`);
      const cut = segment.recordStart(fromIndex);
      await segment.file.truncate(cut);
      await this.#datasync(segment.file);
      segment.offsets.truncate(fromIndex - segment.firstIndex);
      segment.sizeBytes = cut;
      return;
    }
  }

  async #compactFiles(beforeIndex: number): Promise<void> {
    // Oldest first, so a crash midway leaves a contiguous suffix of the log.
    while (this.#segments.length > 1 && (this.#segments[1] as Segment).firstIndex <= beforeIndex) {
      const segment = this.#segments.shift() as Segment;
      const first = (this.#segments[0] as Segment).firstIndex;
      if (first > this.#firstIndex) {
        this.#firstIndex = first;
        this.#terms.dropBefore(first);
        this.#cache.dropBefore(first);
      }
      await this.#deleteSegment(segment);
    }
  }

  async #resetFiles(index: number): Promise<void> {
    for (const segment of this.#segments.splice(0)) await this.#deleteSegment(segment);
    // An empty segment named index + 1 records where the log resumes across a restart.
    await this.#createSegment(index + 1);
  }

  async #deleteSegment(segment: Segment): Promise<void> {
    await this.#fs.unlink(segment.path);
    await this.#syncDir();
    await segment.retire();
  }

  async #syncDir(): Promise<void> {
    const startMs = this.#fsyncListeners.length === 0 ? 0 : performance.now();
    await this.#fs.syncDir(this.#dir);
    this.#synced(startMs);
  }

  async #datasync(file: StorageFile): Promise<void> {
    const startMs = this.#fsyncListeners.length === 0 ? 0 : performance.now();
    await file.datasync();
    this.#synced(startMs);
  }

  /** Counts a sync that started at `startMs` (0: untimed, nobody listens) and tells the listeners. */
  #synced(startMs: number): void {
    this.#fsyncs++;
    if (startMs === 0) return;
    const durationMs = performance.now() - startMs;
    for (const listener of this.#fsyncListeners) {
      try {
        listener(durationMs);
      } catch (error) {
        // An observer's bug must not fail a write that succeeded (that would stop the log).
        this.#logger.warn({ err: error }, 'fsync listener failed');
      }
    }
  }
}

/**
 * Recovery: scans every segment in order, verifying every record. A bad record in the last
 * segment with no valid record after it is a torn tail (a write cut short by a crash): the file is
 * cut there and synced. A bad record anywhere else is corruption: open fails with
 * CorruptLogError, and the log is never shortened to hide it.
 */
async function recover(dir: string, fs: StorageFs, logger: Logger, terms: TermRuns): Promise<Segment[]> {
  const firstIndexes = (await fs.list(dir))
    .map(parseSegmentFileName)
    .filter((index): index is number => index !== undefined)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  try {
    for (const [position, firstIndex] of firstIndexes.entries()) {
      const isLast = position === firstIndexes.length - 1;
      const path = join(dir, segmentFileName(firstIndex));
      const previous = segments[segments.length - 1];
      if (previous !== undefined && previous.lastIndex + 1 !== firstIndex) {
        throw new CorruptLogError(
          path,
          0,
          `segment starts at index ${firstIndex} but the one before ends at ${previous.lastIndex}`,
        );
      }
      const file = await fs.open(path, 'r+');
      let scan: SegmentScan;
      try {
        scan = await scanSegment(file, firstIndex, isLast, (index, term) => terms.append(index, term));
      } catch (error) {
        await file.close();
        throw error;
      }
      segments.push(new Segment(dir, firstIndex, file, scan.offsets, scan.validBytes));
      const bad = scan.bad;
      if (bad === undefined) continue;
      if (!isLast) throw new CorruptLogError(path, bad.offset, bad.reason);
      if (bad.validRecordAt !== undefined) {
        throw new CorruptLogError(
          path,
          bad.offset,
          `${bad.reason}; a valid record follows at offset ${bad.validRecordAt}`,
        );
      }
      const damaged = await tornTailProblem(file, bad.offset, scan.fileBytes);
      if (damaged !== undefined) throw new CorruptLogError(path, bad.offset, `${bad.reason}; ${damaged}`);
      logger.warn(
        { file: path, offset: bad.offset, droppedBytes: scan.fileBytes - bad.offset, reason: bad.reason },
        'cutting the torn tail of the log',
      );
      await file.truncate(bad.offset);
      await file.datasync();
    }
  } catch (error) {
    for (const segment of segments) await segment.retire().catch(() => {});
    throw error;
  }
  if (segments.length > 0) {
    const last = segments[segments.length - 1] as Segment;
    logger.debug(
      { segments: segments.length, firstIndex: segments[0]?.firstIndex, lastIndex: last.lastIndex },
      'log recovered',
    );
  }
  return segments;
}
