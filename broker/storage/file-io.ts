// Whole reads and writes on top of StorageFile's possibly short ones, and the atomic
// replace-a-small-file dance shared by hard state and snapshots.

import { join } from 'node:path';
import type { StorageFile, StorageFs } from './storage-fs.ts';

/** Writes every byte of `buffers` at `position`, continuing after short writes. */
export async function writeFully(file: StorageFile, buffers: readonly Uint8Array[], position: number): Promise<void> {
  let remaining = buffers.filter((b) => b.length > 0);
  let at = position;
  while (remaining.length > 0) {
    let written = await file.writev(remaining, at);
    if (written <= 0) throw new Error(`write at offset ${at} made no progress`);
    at += written;
    const rest: Uint8Array[] = [];
    for (const buffer of remaining) {
      if (written >= buffer.length) written -= buffer.length;
      else {
        rest.push(written > 0 ? buffer.subarray(written) : buffer);
        written = 0;
      }
    }
    remaining = rest;
  }
}

/** Reads `length` bytes at `position`; returns fewer only when the file ends first. */
export async function readFully(file: StorageFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/** Reads a whole file, or undefined when it does not exist. */
export async function readWholeFile(fs: StorageFs, path: string): Promise<Buffer | undefined> {
  let file: StorageFile;
  try {
    file = await fs.open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    return await readFully(file, 0, await file.sizeBytes());
  } finally {
    await file.close();
  }
}

/**
 * Replaces `dir/name` atomically with `buffers`: write a temp file, fsync it, rename it over the
 * old one, fsync the directory. A crash leaves either the old or the new file, never a mix.
 */
export async function replaceFileAtomically(
  fs: StorageFs,
  dir: string,
  name: string,
  buffers: readonly Uint8Array[],
): Promise<void> {
  const temp = join(dir, `${name}${TEMP_SUFFIX}`);
  const file = await fs.open(temp, 'w');
  try {
    await writeFully(file, buffers, 0);
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(temp, join(dir, name));
  await fs.syncDir(dir);
}

export const TEMP_SUFFIX = '.tmp';

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
