// The file operations storage needs, behind a small interface: production uses Node's fs, and
// tests wrap it to inject write and fsync failures (fail-stop behaviour).

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';

export interface StorageFile {
  /** Positioned read; may return fewer bytes than asked at the end of the file. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Positioned gather write (pwritev); returns the bytes written, which may be short. */
  writev(buffers: readonly Uint8Array[], position: number): Promise<number>;
  /** fdatasync: the data and the metadata needed to read it (the size) are durable. */
  datasync(): Promise<void>;
  truncate(lengthBytes: number): Promise<void>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

export interface StorageFs {
  /** Node's flag strings: 'r+' read/write an existing file, 'wx+' create a new one, 'w' replace. */
  open(path: string, flags: string): Promise<StorageFile>;
  /** File names in `dir`. */
  list(dir: string): Promise<string[]>;
  /** Creates `dir` and its parents when missing. */
  mkdirs(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsync of a directory, so that creating, renaming or deleting a file in it is durable. */
  syncDir(dir: string): Promise<void>;
}

function wrap(handle: FileHandle): StorageFile {
  return {
    read: async (buffer, offset, length, position) => (await handle.read(buffer, offset, length, position)).bytesRead,
    writev: async (buffers, position) => (await handle.writev(buffers, position)).bytesWritten,
    datasync: () => handle.datasync(),
    truncate: (lengthBytes) => handle.truncate(lengthBytes),
    sizeBytes: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
}

export const nodeStorageFs: StorageFs = {
  open: async (path, flags) => wrap(await open(path, flags)),
  list: (dir) => readdir(dir),
  mkdirs: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  unlink: (path) => unlink(path),
  rename: (from, to) => rename(from, to),
  syncDir: async (dir) => {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
