import { appendFile, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptLogError } from '../../common/errors.ts';
import { recordBytes } from './record.ts';
import { SegmentLog, type SegmentLogOptions } from './segment-log.ts';
import { entriesFor, entryFor, sameBytes } from './testing/payload.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

// Fixed-size entries make record offsets predictable: entry i (1-based) of a segment starts at
// (i - first) * RECORD. 10 records per segment.
const PAYLOAD = 100;
const RECORD = recordBytes(PAYLOAD);
const PER_SEGMENT = 10;
const options: SegmentLogOptions = { segmentBytesMax: RECORD * PER_SEGMENT, readCacheBytesMax: 0 };

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

/** A closed log holding entries 1..count (term 1), 10 per segment. */
async function writtenLog(count: number): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  const log = await SegmentLog.open(dir, options);
  await log.append(entriesFor(1, count + 1, 1, PAYLOAD));
  await log.close();
  return dir;
}

async function segmentPaths(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => join(dir, name));
}

async function lastSegment(dir: string): Promise<string> {
  const paths = await segmentPaths(dir);
  return paths[paths.length - 1] as string;
}

async function flipBit(path: string, offset: number, bit = 0): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] as number) ^ (1 << bit);
  await writeFile(path, bytes);
}

/** Opens, checks that exactly entries 1..lastIndex are there, closes. */
async function expectExactly(dir: string, lastIndex: number, logOptions: SegmentLogOptions = options): Promise<void> {
  const log = await SegmentLog.open(dir, logOptions);
  try {
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(lastIndex);
    for (let index = 1; index <= lastIndex; index++) {
      const entry = await log.read(index);
      expect(sameBytes(entry.data, entryFor(index, 1, PAYLOAD).data)).toBe(true);
    }
    // And the log takes appends again where it now ends.
    await log.append(entriesFor(lastIndex + 1, lastIndex + 4, 2, PAYLOAD));
    expect((await log.read(lastIndex + 3)).term).toBe(2);
  } finally {
    await log.close();
  }
}

async function openError(dir: string): Promise<CorruptLogError> {
  const error = await SegmentLog.open(dir, options).then(
    async (log) => {
      await log.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CorruptLogError);
  return error as CorruptLogError;
}

describe('SegmentLog recovery: torn tails are cut', () => {
  it('cuts a record torn inside its header', async () => {
    const dir = await writtenLog(25); // segments 1, 11, 21 (entries 21..25)
    const last = await lastSegment(dir);
    await truncate(last, 3 * RECORD + 10);
    await expectExactly(dir, 23);
  });

  it('cuts a record torn inside its payload, and the file is cut where the valid data ends', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    await truncate(last, 4 * RECORD + 60);
    const log = await SegmentLog.open(dir, options);
    expect(log.lastIndex()).toBe(24);
    expect((await stat(last)).size).toBe(4 * RECORD);
    await log.close();
    await expectExactly(dir, 24);
  });

  it('cuts garbage appended after the last record', async () => {
    const dir = await writtenLog(25);
    await appendFile(await lastSegment(dir), Buffer.from('this is not a record, just garbage bytes after the tail'));
    await expectExactly(dir, 25);
  });

  it('cuts a zero-filled tail', async () => {
    const dir = await writtenLog(25);
    await appendFile(await lastSegment(dir), Buffer.alloc(8192));
    await expectExactly(dir, 25);
  });

  it('cuts a zero-filled region over the end of the last records', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    const bytes = await readFile(last);
    bytes.fill(0, 3 * RECORD + 5);
    await writeFile(last, bytes);
    await expectExactly(dir, 23);
  });

  it('reports a bit flip in the very last record as corruption, never as a shorter log', async () => {
    // The record was written whole (and perhaps fsynced and acknowledged): cutting it as a torn
    // tail would silently lose it. Seed 1579 of the simulator found exactly this.
    const dir = await writtenLog(25);
    await flipBit(await lastSegment(dir), 4 * RECORD + 50);
    const error = await openError(dir);
    expect(error.message).toMatch(/whole but fails its checksum/);
    expect(error.offset).toBe(4 * RECORD);
  });

  it('reports a damaged length field of the last record as corruption', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    const bytes = await readFile(last);
    bytes.writeUInt32LE(bytes.readUInt32LE(4 * RECORD) + 1_000, 4 * RECORD);
    await writeFile(last, bytes);
    expect((await openError(dir)).message).toMatch(/length field is damaged/);
  });

  it('cuts a whole-length last record that a torn write left zero-filled', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    const bytes = await readFile(last);
    bytes.fill(0, 4 * RECORD + 40);
    await writeFile(last, bytes);
    await expectExactly(dir, 24);
  });

  it('empties a last segment whose only record is torn, keeping its name', async () => {
    const dir = await writtenLog(21);
    const last = await lastSegment(dir);
    await truncate(last, 30);
    await expectExactly(dir, 20);
    expect(last.endsWith('00000000000000000021.log')).toBe(true);
  });

  it('logs the cut with the file and offset', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    await truncate(last, 2 * RECORD + 7);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = await SegmentLog.open(dir, { ...options, logger: pino({ level: 'warn' }, sink) });
    await log.close();
    const warning = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.level === 40);
    expect(warning).toMatchObject({ file: last, offset: 2 * RECORD });
  });
});

describe('SegmentLog recovery: corruption is refused, never cut', () => {
  it('a flipped bit in a middle record of the last segment', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    await flipBit(last, 2 * RECORD + 40);
    const error = await openError(dir);
    expect(error.file).toBe(last);
    expect(error.offset).toBe(2 * RECORD);
    expect(error.message).toContain(last);
    expect(error.message).toContain(`offset ${2 * RECORD}`);
    // Nothing was cut.
    expect((await stat(last)).size).toBe(5 * RECORD);
  });

  it('a flipped bit in the length field of a middle record of the last segment', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    await flipBit(last, RECORD, 3);
    const error = await openError(dir);
    expect([error.file, error.offset]).toEqual([last, RECORD]);
  });

  it('a flipped bit in a non-last segment, even in its last record', async () => {
    const dir = await writtenLog(25);
    const second = (await segmentPaths(dir))[1] as string;
    await flipBit(second, 9 * RECORD + 30, 5);
    const error = await openError(dir);
    expect([error.file, error.offset]).toEqual([second, 9 * RECORD]);
    expect(error.message).toContain('00000000000000000011.log');
    expect(error.message).toContain(`offset ${9 * RECORD}`);
  });

  it('a torn non-last segment', async () => {
    const dir = await writtenLog(25);
    const first = (await segmentPaths(dir))[0] as string;
    await truncate(first, 9 * RECORD + 3);
    const error = await openError(dir);
    expect([error.file, error.offset]).toEqual([first, 9 * RECORD]);
  });

  it('a missing segment in the middle', async () => {
    const dir = await writtenLog(35);
    const second = (await segmentPaths(dir))[1] as string;
    await rm(second);
    const error = await openError(dir);
    expect(error.file).toContain('00000000000000000021.log');
  });

  it('a segment whose records do not match its name', async () => {
    const dir = await writtenLog(25);
    const last = await lastSegment(dir);
    await rename(last, join(dir, '00000000000000000022.log'));
    // 11..20 is followed by a segment named 22: a gap, whatever the records inside say.
    const error = await openError(dir);
    expect(error.file).toContain('00000000000000000022.log');
  });

  it('a lone segment whose first record has the wrong index is a gap, not a tail', async () => {
    const dir = await writtenLog(5);
    const only = await lastSegment(dir);
    const moved = join(dir, '00000000000000000002.log');
    await rename(only, moved);
    // Records 1..5 in a file named 2: the first record is "bad" (wrong index) and valid records
    // follow it, so this is corruption.
    const error = await openError(dir);
    expect([error.file, error.offset]).toEqual([moved, 0]);
  });
});
