import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptLogError } from '../../common/errors.ts';
import { HardStateFile } from './hard-state.ts';
import { faultyFs } from './testing/faulty-fs.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  return dir;
}

describe('HardStateFile', () => {
  it('loads undefined before the first save, creating nothing', async () => {
    const dir = await tempDir();
    expect(await new HardStateFile(join(dir, 'group')).load()).toBeUndefined();
  });

  it('round-trips, and a new instance reads what the old one saved', async () => {
    const dir = await tempDir();
    const file = new HardStateFile(join(dir, 'group'));
    await file.save({ term: 7, vote: 'wharf-1', commit: 2 ** 40 + 5 });
    expect(await file.load()).toEqual({ term: 7, vote: 'wharf-1', commit: 2 ** 40 + 5 });
    await file.save({ term: 8, vote: '', commit: 0 });
    expect(await new HardStateFile(join(dir, 'group')).load()).toEqual({ term: 8, vote: '', commit: 0 });
  });

  it('applies concurrent saves in call order and leaves no temp file', async () => {
    const dir = await tempDir();
    const file = new HardStateFile(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => file.save({ term: i, vote: `n${i}`, commit: i })));
    expect(await file.load()).toEqual({ term: 19, vote: 'n19', commit: 19 });
    expect(await readdir(dir)).toEqual(['hardstate']);
  });

  it('replaces atomically: a save that fails before the rename leaves the old state', async () => {
    const dir = await tempDir();
    const fs = faultyFs();
    const file = new HardStateFile(dir, { fs });
    await file.save({ term: 3, vote: 'a', commit: 1 });
    fs.failNext('datasync');
    await expect(file.save({ term: 4, vote: 'b', commit: 2 })).rejects.toThrow(/injected EIO/);
    expect(await file.load()).toEqual({ term: 3, vote: 'a', commit: 1 });
    await file.save({ term: 5, vote: 'c', commit: 3 });
    expect(await file.load()).toEqual({ term: 5, vote: 'c', commit: 3 });
  });

  it('detects any flipped bit and a truncated file', async () => {
    const dir = await tempDir();
    const file = new HardStateFile(dir);
    await file.save({ term: 9, vote: 'wharf-2', commit: 44 });
    const good = await readFile(file.path);
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bad = Buffer.from(good);
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      await writeFile(file.path, bad);
      await expect(file.load()).rejects.toThrow(CorruptLogError);
    }
    await writeFile(file.path, good.subarray(0, good.length - 1));
    await expect(file.load()).rejects.toThrow(/hardstate/);
    await writeFile(file.path, Buffer.alloc(0));
    await expect(file.load()).rejects.toThrow(CorruptLogError);
  });
});
