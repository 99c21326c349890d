import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptLogError } from '../../common/errors.ts';
import { SnapshotStore, snapshotFileName } from './snapshot-store.ts';
import { faultyFs } from './testing/faulty-fs.ts';
import { payloadFor, sameBytes } from './testing/payload.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  return join(dir, 'snapshots');
}

describe('SnapshotStore', () => {
  it('has no snapshot before the first save', async () => {
    expect(await new SnapshotStore(await tempDir()).loadLatest()).toBeUndefined();
  });

  it('round-trips and returns the newest', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir);
    await store.save({ index: 10, term: 1 }, payloadFor(10, 5000));
    await store.save({ index: 2 ** 35, term: 3 }, payloadFor(20, 100_000));
    const latest = await new SnapshotStore(dir).loadLatest();
    expect(latest?.index).toBe(2 ** 35);
    expect(latest?.term).toBe(3);
    expect(sameBytes(latest?.data ?? new Uint8Array(0), payloadFor(20, 100_000))).toBe(true);
  });

  it('round-trips empty data', async () => {
    const store = new SnapshotStore(await tempDir());
    await store.save({ index: 1, term: 1 }, new Uint8Array(0));
    expect((await store.loadLatest())?.data.length).toBe(0);
  });

  it('keeps only the newest retainCount snapshots', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir);
    for (const index of [5, 9, 14, 30]) await store.save({ index, term: 1 }, payloadFor(index));
    expect((await readdir(dir)).sort()).toEqual([snapshotFileName(14), snapshotFileName(30)]);
    const one = new SnapshotStore(dir, { retainCount: 1 });
    await one.save({ index: 31, term: 2 }, payloadFor(31));
    expect(await readdir(dir)).toEqual([snapshotFileName(31)]);
  });

  it('replaces atomically: a failed save leaves the previous snapshot as the latest', async () => {
    const dir = await tempDir();
    const fs = faultyFs();
    const store = new SnapshotStore(dir, { fs });
    await store.save({ index: 5, term: 1 }, payloadFor(5));
    fs.failNext('datasync');
    await expect(store.save({ index: 6, term: 1 }, payloadFor(6))).rejects.toThrow(/injected EIO/);
    expect((await store.loadLatest())?.index).toBe(5);
    // The next save clears the temp file the failed one left.
    await store.save({ index: 7, term: 1 }, payloadFor(7));
    expect((await readdir(dir)).sort()).toEqual([snapshotFileName(5), snapshotFileName(7)]);
  });

  it('reports a damaged newest snapshot instead of falling back to an older one', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir);
    await store.save({ index: 5, term: 1 }, payloadFor(5, 300));
    await store.save({ index: 8, term: 1 }, payloadFor(8, 300));
    const path = join(dir, snapshotFileName(8));
    const good = await readFile(path);
    for (const offset of [0, 4, 9, 17, 25, 40, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[offset] = (bad[offset] as number) ^ 0x10;
      await writeFile(path, bad);
      await expect(store.loadLatest()).rejects.toThrow(CorruptLogError);
    }
    await writeFile(path, good.subarray(0, good.length - 10));
    await expect(store.loadLatest()).rejects.toThrow(path);
  });
});
