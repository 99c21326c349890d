import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AssertionError } from '../../common/assert.ts';
import { CompactedError } from '../../common/errors.ts';
import type { LogEntry } from './log-entry.ts';
import { recordBytes } from './record.ts';
import { SegmentLog, type SegmentLogOptions } from './segment-log.ts';
import { faultyFs } from './testing/faulty-fs.ts';
import { entriesFor, entryFor, payloadFor, sameBytes } from './testing/payload.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

const dirs: string[] = [];
const logs: SegmentLog[] = [];

async function openLog(dir?: string, options: SegmentLogOptions = {}): Promise<{ dir: string; log: SegmentLog }> {
  const at = dir ?? (await makeTempDir());
  if (dir === undefined) dirs.push(at);
  const log = await SegmentLog.open(at, options);
  logs.push(log);
  return { dir: at, log };
}

async function closeLog(log: SegmentLog): Promise<void> {
  logs.splice(logs.indexOf(log), 1);
  await log.close();
}

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => {});
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

async function expectEntries(
  log: SegmentLog,
  from: number,
  to: number,
  term: number | ((index: number) => number),
  sizeBytes?: number,
) {
  for (let index = from; index < to; index++) {
    const entry = await log.read(index);
    const expected = entryFor(index, typeof term === 'number' ? term : term(index), sizeBytes);
    expect(entry.index).toBe(index);
    expect(entry.term).toBe(expected.term);
    expect(entry.type).toBe(expected.type);
    expect(sameBytes(entry.data, expected.data)).toBe(true);
    expect(log.term(index)).toBe(expected.term);
  }
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.log')).sort();
}

const small: SegmentLogOptions = { segmentBytesMax: 4096, readCacheBytesMax: 0 };

describe('SegmentLog', () => {
  it('starts empty', async () => {
    const { log } = await openLog();
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(0);
    expect(log.stats()).toEqual({ segments: 0, bytes: 0, fsyncs: 0, appendedEntries: 0, queuedBytes: 0 });
  });

  it('appends and reads back across segment rollover, from disk', async () => {
    const { dir, log } = await openLog(undefined, small);
    for (let from = 1; from <= 200; from += 20) await log.append(entriesFor(from, from + 20, 3));
    expect(log.lastIndex()).toBe(200);
    const files = await segmentFiles(dir);
    expect(files.length).toBeGreaterThan(10);
    expect(files[0]).toBe('00000000000000000001.log');
    expect(log.stats().segments).toBe(files.length);
    let bytes = 0;
    for (const name of files) {
      const size = (await stat(join(dir, name))).size;
      expect(size).toBeLessThanOrEqual(4096);
      bytes += size;
    }
    expect(log.stats().bytes).toBe(bytes);
    expect(log.stats().appendedEntries).toBe(200);
    await expectEntries(log, 1, 201, 3);
  });

  it('names each segment after its first entry', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 60, 1));
    for (const name of await segmentFiles(dir)) {
      const first = Number(name.slice(0, 20));
      expect((await log.read(first)).index).toBe(first);
      if (first > 1) expect(log.term(first - 1)).toBe(1);
    }
  });

  it('finds everything again after reopening', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 100, 1));
    await log.append(entriesFor(100, 150, 2));
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect(reopened.firstIndex()).toBe(1);
    expect(reopened.lastIndex()).toBe(149);
    await expectEntries(reopened, 1, 150, (index) => (index < 100 ? 1 : 2));
    await reopened.append(entriesFor(150, 160, 2));
    await expectEntries(reopened, 150, 160, 2);
  });

  it('makes entries readable at once, before and after the append resolves', async () => {
    const { log } = await openLog(undefined, { readCacheBytesMax: 0 });
    const pending = log.append(entriesFor(1, 11, 1));
    expect(log.lastIndex()).toBe(10);
    expect(log.term(10)).toBe(1);
    await expectEntries(log, 1, 11, 1);
    await pending;
    await expectEntries(log, 1, 11, 1);
  });

  it('readRange stops at bytesMax but returns at least one entry', async () => {
    const { log } = await openLog(undefined, { segmentBytesMax: 1000, readCacheBytesMax: 0 });
    await log.append(entriesFor(1, 51, 1, 100));
    const record = recordBytes(100);
    const four = await log.readRange(1, 51, 4 * record + record - 1);
    expect(four.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect((await log.readRange(10, 51, 0)).map((e) => e.index)).toEqual([10]);
    const all = await log.readRange(1, 51, Number.MAX_SAFE_INTEGER);
    expect(all.map((e) => e.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const entry of all) expect(sameBytes(entry.data, payloadFor(entry.index, 100))).toBe(true);
    const upTo = await log.readRange(5, 9, Number.MAX_SAFE_INTEGER);
    expect(upTo.map((e) => e.index)).toEqual([5, 6, 7, 8]);
    // Spanning segments (7 records per 1000-byte segment) and the unwritten tail.
    const pending = log.append(entriesFor(51, 61, 1, 100));
    const tail = await log.readRange(45, 61, 12 * record);
    expect(tail.map((e) => e.index)).toEqual(Array.from({ length: 12 }, (_, i) => i + 45));
    await pending;
  });

  it('truncateSuffix drops the end, durably, and appends continue from there', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 101, 1));
    const before = (await segmentFiles(dir)).length;
    await log.truncateSuffix(30);
    expect(log.lastIndex()).toBe(29);
    expect((await segmentFiles(dir)).length).toBeLessThan(before);
    await expect(log.read(30)).rejects.toThrow(AssertionError);
    await log.append(entriesFor(30, 40, 2));
    await expectEntries(log, 1, 40, (index) => (index < 30 ? 1 : 2));
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect(reopened.lastIndex()).toBe(39);
    await expectEntries(reopened, 1, 40, (index) => (index < 30 ? 1 : 2));
  });

  it('truncateSuffix at a segment boundary and of the whole log', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 101, 1));
    const boundary = Number((await segmentFiles(dir))[2]?.slice(0, 20));
    await log.truncateSuffix(boundary);
    expect(log.lastIndex()).toBe(boundary - 1);
    expect(await segmentFiles(dir)).toHaveLength(2);
    await log.truncateSuffix(1);
    expect(log.lastIndex()).toBe(0);
    expect(log.firstIndex()).toBe(1);
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([1, 0]);
    await reopened.append(entriesFor(1, 5, 4));
    await expectEntries(reopened, 1, 5, 4);
  });

  it('truncateSuffix while appends are still in flight keeps call order', async () => {
    const { dir, log } = await openLog(undefined, small);
    const first = log.append(entriesFor(1, 101, 1));
    const truncated = log.truncateSuffix(50);
    const second = log.append(entriesFor(50, 61, 2));
    expect(log.lastIndex()).toBe(60);
    await expectEntries(log, 45, 61, (index) => (index < 50 ? 1 : 2));
    await Promise.all([first, truncated, second]);
    await expectEntries(log, 1, 61, (index) => (index < 50 ? 1 : 2));
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect(reopened.lastIndex()).toBe(60);
    await expectEntries(reopened, 1, 61, (index) => (index < 50 ? 1 : 2));
  });

  it('compactPrefix deletes only whole segments below the index, never the last', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 201, 1));
    const firsts = (await segmentFiles(dir)).map((name) => Number(name.slice(0, 20)));
    const third = firsts[2] as number;
    // Just below the third segment's start: the second segment still holds third - 1.
    await log.compactPrefix(third - 1);
    expect(log.firstIndex()).toBe(firsts[1]);
    expect(await segmentFiles(dir)).toHaveLength(firsts.length - 1);
    await log.compactPrefix(third);
    expect(log.firstIndex()).toBe(third);
    await expect(log.read(third - 1)).rejects.toThrow(CompactedError);
    await expect(log.readRange(1, 5, 100)).rejects.toThrow(CompactedError);
    expect(() => log.term(1)).toThrow(CompactedError);
    await expectEntries(log, third, 201, 1);
    await log.compactPrefix(1_000_000);
    expect(await segmentFiles(dir)).toHaveLength(1);
    expect(log.lastIndex()).toBe(200);
    expect(log.firstIndex()).toBe(firsts[firsts.length - 1]);
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect(reopened.firstIndex()).toBe(firsts[firsts.length - 1]);
    expect(reopened.lastIndex()).toBe(200);
  });

  it('reset drops everything and the next append follows the snapshot, across reopen', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 101, 1));
    await log.reset(1000, 5);
    expect([log.firstIndex(), log.lastIndex()]).toEqual([1001, 1000]);
    await expect(log.read(50)).rejects.toThrow(CompactedError);
    expect(await segmentFiles(dir)).toEqual(['00000000000000001001.log']);
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([1001, 1000]);
    await reopened.append(entriesFor(1001, 1011, 6));
    await expectEntries(reopened, 1001, 1011, 6);
  });

  it('reset to an earlier index also works', async () => {
    const { log } = await openLog(undefined, small);
    await log.append(entriesFor(1, 51, 1));
    const resetting = log.reset(10, 1);
    await log.append(entriesFor(11, 21, 2));
    await resetting;
    await expectEntries(log, 11, 21, 2);
    await expect(log.read(10)).rejects.toThrow(CompactedError);
  });

  it('an empty log accepts any first index', async () => {
    const { dir, log } = await openLog(undefined, small);
    await log.append(entriesFor(500, 510, 3));
    expect([log.firstIndex(), log.lastIndex()]).toEqual([500, 509]);
    await closeLog(log);
    const { log: reopened } = await openLog(dir, small);
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([500, 509]);
    await expectEntries(reopened, 500, 510, 3);
  });

  it('group commit: 1,000 concurrent single-entry appends share few fdatasyncs', async () => {
    const { log } = await openLog();
    const appends: Promise<void>[] = [];
    for (let index = 1; index <= 1000; index++) appends.push(log.append([entryFor(index, 1)]));
    await Promise.all(appends);
    const stats = log.stats();
    expect(stats.appendedEntries).toBe(1000);
    expect(stats.fsyncs).toBeLessThan(100);
    expect(stats.queuedBytes).toBe(0);
    await expectEntries(log, 1, 1001, 1);
  });

  it('bounds each write by writeBatchBytesMax; appends past it wait their turn', async () => {
    const { log } = await openLog(undefined, { writeBatchBytesMax: 4096 });
    const appends: Promise<void>[] = [];
    for (let index = 1; index <= 200; index++) appends.push(log.append([entryFor(index, 1, 1024)]));
    expect(log.stats().queuedBytes).toBe(200 * recordBytes(1024));
    await Promise.all(appends);
    // At most 3 records of 1049 bytes fit in 4096 bytes: structurally at least 67 writes.
    expect(log.stats().fsyncs).toBeGreaterThanOrEqual(67);
    expect(log.stats().queuedBytes).toBe(0);
    await expectEntries(log, 1, 201, 1, 1024);
  });

  it('rejects misuse as assertion failures', async () => {
    const { log } = await openLog();
    await log.append(entriesFor(1, 4, 1));
    await expect(log.append([entryFor(5, 1)])).rejects.toThrow(AssertionError);
    await expect(log.append([entryFor(4, 1), entryFor(6, 1)])).rejects.toThrow(AssertionError);
    expect(log.lastIndex()).toBe(3);
    await expect(log.read(4)).rejects.toThrow(AssertionError);
    await expect(log.readRange(1, 5, 10)).rejects.toThrow(AssertionError);
    const huge: LogEntry = { index: 4, term: 1, type: 0, data: new Uint8Array(70 * 1024 * 1024) };
    await expect(log.append([huge])).rejects.toThrow(AssertionError);
    await expect(log.append([{ ...entryFor(4, 1), type: 256 }])).rejects.toThrow(AssertionError);
  });

  it('fsyncs the directory when it creates or deletes a segment', async () => {
    const fs = faultyFs();
    const { log } = await openLog(undefined, { ...small, fs });
    await log.append(entriesFor(1, 101, 1));
    const created = fs.calls.syncDir;
    expect(created).toBe(log.stats().segments);
    await log.compactPrefix(50);
    expect(fs.calls.syncDir).toBeGreaterThan(created);
  });

  it('times every fsync it counts for its listeners', async () => {
    const { log } = await openLog(undefined, small);
    const durationsMs: number[] = [];
    log.onFsync((ms) => durationsMs.push(ms));
    await log.append(entriesFor(1, 101, 1)); // new segments sync the directory too
    await log.compactPrefix(50);
    expect(durationsMs.length).toBe(log.stats().fsyncs);
    expect(durationsMs.length).toBeGreaterThan(1);
    for (const ms of durationsMs) expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('fail-stop: a failed fdatasync fails the waiting appends and every later write', async () => {
    const fs = faultyFs();
    const { dir, log } = await openLog(undefined, { fs });
    await log.append(entriesFor(1, 11, 1));
    fs.failNext('datasync');
    const failed = log.append(entriesFor(11, 21, 1));
    const queued = log.append(entriesFor(21, 31, 1));
    await expect(failed).rejects.toThrow(/injected EIO/);
    await expect(queued).rejects.toThrow(/stopped after a failed write/);
    await expect(log.append(entriesFor(31, 32, 1))).rejects.toThrow(/stopped after a failed write/);
    await expect(log.read(1)).rejects.toThrow(/stopped/);
    await expect(log.truncateSuffix(5)).rejects.toThrow(/stopped/);
    await closeLog(log);
    // What was acknowledged survives; the unacknowledged batch may or may not (it was written).
    const { log: reopened } = await openLog(dir);
    expect(reopened.lastIndex()).toBeGreaterThanOrEqual(10);
    await expectEntries(reopened, 1, reopened.lastIndex() + 1, 1);
  });

  it('fail-stop: a failed write fails the append', async () => {
    const fs = faultyFs();
    const { log } = await openLog(undefined, { fs });
    fs.failNext('writev');
    await expect(log.append(entriesFor(1, 3, 1))).rejects.toThrow(/injected EIO/);
    await expect(log.append(entriesFor(3, 4, 1))).rejects.toThrow(/stopped/);
  });

  it('serves reads from the cache and from disk alike', async () => {
    const { dir, log } = await openLog(undefined, { segmentBytesMax: 4096, readCacheBytesMax: 1024 * 1024 });
    await log.append(entriesFor(1, 101, 1));
    await expectEntries(log, 1, 101, 1);
    await closeLog(log);
    const { log: cold } = await openLog(dir, { segmentBytesMax: 4096, readCacheBytesMax: 1024 * 1024 });
    await expectEntries(cold, 1, 101, 1);
    await expectEntries(cold, 1, 101, 1);
  });
});
