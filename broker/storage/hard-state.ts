// Raft's hard state (current term, vote, commit index) in one small file, replaced atomically
// (temp file, fsync, rename, fsync dir) and checksummed, so a damaged file is reported as corrupt
// instead of being read back as zeros: a node that forgot its vote could vote twice in a term.
//
// Layout, little-endian: [magic u32][crc32c u32][term u64][commit u64][vote bytes u16][vote utf8];
// the crc covers everything after the crc field.

import { join } from 'node:path';
import { assert } from '../../common/assert.ts';
import { CorruptLogError } from '../../common/errors.ts';
import { crc32c } from './crc32c.ts';
import { readWholeFile, replaceFileAtomically } from './file-io.ts';
import { nodeStorageFs, type StorageFs } from './storage-fs.ts';
import { readU64, writeU64 } from './u64.ts';

export interface HardState {
  readonly term: number;
  /** Node voted for in `term`; '' for none. */
  readonly vote: string;
  readonly commit: number;
}

export interface HardStateFileOptions {
  /** File system access; tests pass a wrapper that injects failures. */
  readonly fs?: StorageFs;
}

const FILE_NAME = 'hardstate';
const MAGIC = 0x31534857; // "WHS1"
const FIXED_BYTES = 26;
const VOTE_BYTES_MAX = 1024;

export class HardStateFile {
  readonly #dir: string;
  readonly #fs: StorageFs;
  /** Saves run one at a time (they share the temp file), in call order. */
  #saving: Promise<void> = Promise.resolve();
  #dirReady = false;

  constructor(dir: string, options: HardStateFileOptions = {}) {
    this.#dir = dir;
    this.#fs = options.fs ?? nodeStorageFs;
  }

  get path(): string {
    return join(this.#dir, FILE_NAME);
  }

  /** The last saved state, undefined if none was ever saved; CorruptLogError if damaged. */
  async load(): Promise<HardState | undefined> {
    await this.#saving.catch(() => {});
    const bytes = await readWholeFile(this.#fs, this.path);
    return bytes === undefined ? undefined : decodeHardState(bytes, this.path);
  }

  /** Durably replaces the hard state; resolves once the rename is synced. */
  save(state: HardState): Promise<void> {
    const bytes = encodeHardState(state);
    const saved = this.#saving
      .catch(() => {})
      .then(async () => {
        if (!this.#dirReady) {
          await this.#fs.mkdirs(this.#dir);
          this.#dirReady = true;
        }
        await replaceFileAtomically(this.#fs, this.#dir, FILE_NAME, [bytes]);
      });
    this.#saving = saved;
    return saved;
  }
}

export function encodeHardState(state: HardState): Buffer {
  assert(Number.isSafeInteger(state.term) && state.term >= 0, `bad term ${state.term}`);
  assert(Number.isSafeInteger(state.commit) && state.commit >= 0, `bad commit ${state.commit}`);
  const vote = Buffer.from(state.vote, 'utf8');
  assert(vote.length <= VOTE_BYTES_MAX, `vote of ${vote.length} bytes is too long`);
  const out = Buffer.allocUnsafe(FIXED_BYTES + vote.length);
  out.writeUInt32LE(MAGIC, 0);
  writeU64(out, state.term, 8);
  writeU64(out, state.commit, 16);
  out.writeUInt16LE(vote.length, 24);
  vote.copy(out, FIXED_BYTES);
  out.writeUInt32LE(crc32c(out.subarray(8)), 4);
  return out;
}

export function decodeHardState(bytes: Buffer, path: string): HardState {
  const corrupt = (detail: string): CorruptLogError => new CorruptLogError(path, 0, detail);
  if (bytes.length < FIXED_BYTES) throw corrupt(`hard state file has ${bytes.length} bytes`);
  if (bytes.readUInt32LE(0) !== MAGIC) throw corrupt('bad magic number');
  if (bytes.readUInt32LE(4) !== crc32c(bytes.subarray(8))) throw corrupt('crc mismatch');
  const voteBytes = bytes.readUInt16LE(24);
  if (FIXED_BYTES + voteBytes !== bytes.length) throw corrupt(`vote length ${voteBytes} does not match the file`);
  const term = readU64(bytes, 8);
  const commit = readU64(bytes, 16);
  if (term < 0 || commit < 0) throw corrupt('term or commit out of range');
  return { term, vote: bytes.toString('utf8', FIXED_BYTES), commit };
}
