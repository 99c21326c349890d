// Snapshots of a group's state machine, one file each, named by the last index they cover.
// Written atomically (temp file, fsync, rename, fsync dir) and checksummed; only the newest
// `retainCount` files are kept. A damaged newest snapshot is reported (CorruptLogError), never
// silently replaced by an older one: the log before the newest snapshot may already be gone.
//
// Layout, little-endian: [magic u32][crc32c u32][index u64][term u64][data bytes u64][data];
// the crc covers everything after the crc field.

import { join } from 'node:path';
import { assert } from '../../common/assert.ts';
import { CorruptLogError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { crc32c } from './crc32c.ts';
import { isNotFound, readWholeFile, replaceFileAtomically, TEMP_SUFFIX } from './file-io.ts';
import { nodeStorageFs, type StorageFs } from './storage-fs.ts';
import { readU64, writeU64 } from './u64.ts';

export interface SnapshotMeta {
  /** Last log index the snapshot includes. */
  readonly index: number;
  /** Term of that entry. */
  readonly term: number;
}

export interface Snapshot extends SnapshotMeta {
  readonly data: Uint8Array;
}

export interface SnapshotStoreOptions {
  /** Snapshots kept on disk, newest first; at least 1. Default 2. */
  readonly retainCount?: number;
  readonly logger?: Logger;
  /** File system access; tests pass a wrapper that injects failures. */
  readonly fs?: StorageFs;
}

const MAGIC = 0x31504e53; // "SNP1"
const HEADER_BYTES = 32;
const NAME_PATTERN = /^(\d{20})\.snap$/;

export function snapshotFileName(index: number): string {
  return `${String(index).padStart(20, '0')}.snap`;
}

export class SnapshotStore {
  readonly #dir: string;
  readonly #fs: StorageFs;
  readonly #retainCount: number;
  readonly #logger: Logger | undefined;
  /** Saves run one at a time, in call order. */
  #saving: Promise<void> = Promise.resolve();

  constructor(dir: string, options: SnapshotStoreOptions = {}) {
    this.#dir = dir;
    this.#fs = options.fs ?? nodeStorageFs;
    this.#retainCount = options.retainCount ?? 2;
    this.#logger = options.logger;
    assert(Number.isInteger(this.#retainCount) && this.#retainCount >= 1, 'retainCount must be at least 1');
  }

  /** Durably stores a snapshot, then deletes all but the newest `retainCount`. */
  save(meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    assert(Number.isSafeInteger(meta.index) && meta.index >= 0, `bad snapshot index ${meta.index}`);
    assert(Number.isSafeInteger(meta.term) && meta.term >= 0, `bad snapshot term ${meta.term}`);
    const header = encodeHeader(meta, data);
    const saved = this.#saving
      .catch(() => {})
      .then(async () => {
        await this.#fs.mkdirs(this.#dir);
        await replaceFileAtomically(this.#fs, this.#dir, snapshotFileName(meta.index), [header, data]);
        await this.#prune();
      });
    this.#saving = saved;
    return saved;
  }

  /** The newest snapshot, or undefined when there is none; CorruptLogError if it is damaged. */
  async loadLatest(): Promise<Snapshot | undefined> {
    await this.#saving.catch(() => {});
    const newest = (await this.#indexes())[0];
    if (newest === undefined) return undefined;
    const path = join(this.#dir, snapshotFileName(newest));
    const bytes = await readWholeFile(this.#fs, path);
    if (bytes === undefined) return undefined;
    const snapshot = decodeSnapshot(bytes, path);
    if (snapshot.index !== newest) throw new CorruptLogError(path, 0, `holds index ${snapshot.index}`);
    return snapshot;
  }

  /** Indexes of the stored snapshots, newest first. */
  async #indexes(): Promise<number[]> {
    let names: string[];
    try {
      names = await this.#fs.list(this.#dir);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const indexes: number[] = [];
    for (const name of names) {
      const match = NAME_PATTERN.exec(name);
      if (match?.[1] !== undefined) indexes.push(Number(match[1]));
    }
    return indexes.sort((a, b) => b - a);
  }

  /** Deletes snapshots beyond the newest `retainCount`, and temp files a crash left behind. */
  async #prune(): Promise<void> {
    const stale = (await this.#indexes()).slice(this.#retainCount).map(snapshotFileName);
    for (const name of await this.#fs.list(this.#dir)) if (name.endsWith(`.snap${TEMP_SUFFIX}`)) stale.push(name);
    for (const name of stale) {
      await this.#fs.unlink(join(this.#dir, name));
      this.#logger?.debug({ file: name }, 'deleted old snapshot file');
    }
    if (stale.length > 0) await this.#fs.syncDir(this.#dir);
  }
}

function encodeHeader(meta: SnapshotMeta, data: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  writeU64(header, meta.index, 8);
  writeU64(header, meta.term, 16);
  writeU64(header, data.length, 24);
  header.writeUInt32LE(crc32c(data, crc32c(header.subarray(8))), 4);
  return header;
}

export function decodeSnapshot(bytes: Buffer, path: string): Snapshot {
  const corrupt = (detail: string): CorruptLogError => new CorruptLogError(path, 0, detail);
  if (bytes.length < HEADER_BYTES) throw corrupt(`snapshot file has ${bytes.length} bytes`);
  if (bytes.readUInt32LE(0) !== MAGIC) throw corrupt('bad magic number');
  const dataBytes = readU64(bytes, 24);
  if (dataBytes !== bytes.length - HEADER_BYTES) throw corrupt(`data length ${dataBytes} does not match the file`);
  if (bytes.readUInt32LE(4) !== crc32c(bytes.subarray(8))) throw corrupt('crc mismatch');
  const index = readU64(bytes, 8);
  const term = readU64(bytes, 16);
  if (index < 0 || term < 0) throw corrupt('index or term out of range');
  return { index, term, data: bytes.subarray(HEADER_BYTES) };
}
