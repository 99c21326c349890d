// A simulated disk behind the real StorageFs interface. Writes land in a volatile view and become
// durable only with datasync (file data) or syncDir (names in a directory). A crash throws the
// volatile view away: unsynced data is lost, the last unsynced append may be torn (a random prefix
// of it survives), and names never synced disappear. Bit flips damage durable bytes. Every
// operation completes after a simulated delay on the event queue; operations of a crashed process
// never complete.
import { dirname } from 'node:path';
import type { StorageFile, StorageFs } from '../../broker/storage/storage-fs.ts';
import type { Random } from '../../common/random.ts';
import type { EventQueue } from './event-queue.ts';

interface Inode {
  /** Volatile contents: what a read sees. */
  data: Uint8Array;
  size: number;
  /** Durable contents. */
  synced: Uint8Array;
  /** A write or truncate changed bytes below the synced size since the last sync (no torn tail then). */
  overwroteSynced: boolean;
}

function errno(code: string, message: string): Error {
  const error = new Error(`${code}: ${message}`) as Error & { code: string };
  error.code = code;
  return error;
}

export interface CrashFaults {
  /** Keep a random prefix of each file's unsynced appended bytes. */
  readonly torn: boolean;
}

export class SimDisk {
  readonly #events: EventQueue;
  readonly #random: Random;
  #current = new Map<string, Inode>();
  #durable = new Map<string, Inode>();
  readonly #dirs = new Set<string>(['/']);
  #incarnation = 0;
  stats = { writes: 0, syncs: 0, crashes: 0, tornBytes: 0, flips: 0 };

  constructor(events: EventQueue, random: Random) {
    this.#events = events;
    this.#random = random;
  }

  /** A StorageFs for one process incarnation: it stops answering once that process crashed. */
  fs(): StorageFs {
    const incarnation = this.#incarnation;
    const op = <T>(delayMs: number, body: () => T): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        this.#events.after(delayMs, () => {
          if (incarnation !== this.#incarnation) return; // the process is gone: never answers
          try {
            resolve(body());
          } catch (error) {
            reject(error);
          }
        });
      });
    const fast = (): number => this.#random.next() * 0.2;
    const slow = (): number => 0.5 + this.#random.next() * 2;
    const file = (inode: Inode): StorageFile => ({
      read: (buffer, offset, length, position) =>
        op(fast(), () => {
          const n = Math.max(0, Math.min(length, inode.size - position));
          buffer.set(inode.data.subarray(position, position + n), offset);
          return n;
        }),
      writev: (buffers, position) =>
        op(fast(), () => {
          let at = position;
          for (const b of buffers) {
            this.#write(inode, b, at);
            at += b.length;
          }
          this.stats.writes++;
          return at - position;
        }),
      datasync: () =>
        op(slow(), () => {
          inode.synced = inode.data.slice(0, inode.size);
          inode.overwroteSynced = false;
          this.stats.syncs++;
        }),
      truncate: (lengthBytes) =>
        op(fast(), () => {
          if (lengthBytes < inode.synced.length) inode.overwroteSynced = true;
          if (lengthBytes > inode.size) this.#grow(inode, lengthBytes);
          else inode.data.fill(0, lengthBytes, inode.size);
          inode.size = lengthBytes;
        }),
      sizeBytes: () => op(fast(), () => inode.size),
      close: () => op(0, () => undefined),
    });
    return {
      open: (path, flags) =>
        op(fast(), () => {
          if (!this.#dirs.has(dirname(path))) throw errno('ENOENT', `no directory for ${path}`);
          let inode = this.#current.get(path);
          if (flags === 'r' || flags === 'r+') {
            if (inode === undefined) throw errno('ENOENT', path);
          } else if (flags === 'wx+') {
            if (inode !== undefined) throw errno('EEXIST', path);
            inode = newInode();
            this.#current.set(path, inode);
          } else if (flags === 'w') {
            if (inode === undefined) {
              inode = newInode();
              this.#current.set(path, inode);
            } else {
              inode.size = 0;
              inode.overwroteSynced = true;
            }
          } else {
            throw new Error(`simulated fs: unsupported flags ${flags}`);
          }
          return file(inode);
        }),
      list: (dir) =>
        op(fast(), () => {
          if (!this.#dirs.has(dir)) throw errno('ENOENT', dir);
          const names: string[] = [];
          for (const path of this.#current.keys()) if (dirname(path) === dir) names.push(path.slice(dir.length + 1));
          for (const d of this.#dirs) if (d !== dir && dirname(d) === dir) names.push(d.slice(dir.length + 1));
          return names.sort();
        }),
      mkdirs: (dir) =>
        op(fast(), () => {
          // Directory creation is treated as durable at once (a simplification).
          for (let d = dir; !this.#dirs.has(d); d = dirname(d)) this.#dirs.add(d);
        }),
      unlink: (path) =>
        op(fast(), () => {
          if (!this.#current.delete(path)) throw errno('ENOENT', path);
        }),
      rename: (from, to) =>
        op(fast(), () => {
          const inode = this.#current.get(from);
          if (inode === undefined) throw errno('ENOENT', from);
          if (!this.#dirs.has(dirname(to))) throw errno('ENOENT', `no directory for ${to}`);
          this.#current.delete(from);
          this.#current.set(to, inode);
        }),
      syncDir: (dir) =>
        op(slow(), () => {
          for (const path of [...this.#durable.keys()]) {
            if (dirname(path) === dir && this.#current.get(path) !== this.#durable.get(path))
              this.#durable.delete(path);
          }
          for (const [path, inode] of this.#current) if (dirname(path) === dir) this.#durable.set(path, inode);
          this.stats.syncs++;
        }),
    };
  }

  /** The process dies: volatile state is lost (torn appends optional), pending operations never answer. */
  crash(faults: CrashFaults): void {
    this.#incarnation++;
    this.stats.crashes++;
    const survivors = new Map<string, Inode>();
    for (const [path, inode] of this.#durable) {
      let keep = inode.synced.length;
      if (faults.torn && !inode.overwroteSynced && inode.size > keep) {
        const extra = this.#random.int(inode.size - keep + 1);
        keep += extra;
        this.stats.tornBytes += extra;
      }
      const data = new Uint8Array(Math.max(keep, 64));
      data.set(keep === inode.synced.length ? inode.synced : inode.data.subarray(0, keep));
      const survivor: Inode = { data, size: keep, synced: data.slice(0, keep), overwroteSynced: false };
      survivors.set(path, survivor);
    }
    this.#durable = survivors;
    this.#current = new Map(survivors);
  }

  /** Flips one random bit in the durable bytes of a random file under `dir` whose name matches. */
  flipBit(dir: string, pattern: RegExp): string | undefined {
    const candidates = [...this.#durable.entries()].filter(
      ([path, inode]) => path.startsWith(`${dir}/`) && pattern.test(path) && inode.synced.length > 0,
    );
    const picked = candidates[this.#random.int(candidates.length)];
    if (picked === undefined) return undefined;
    const [path, inode] = picked;
    const at = this.#random.int(inode.synced.length);
    const bit = 1 << this.#random.int(8);
    inode.synced[at] = (inode.synced[at] as number) ^ bit;
    if (at < inode.size) inode.data[at] = (inode.data[at] as number) ^ bit;
    this.stats.flips++;
    return `${path}@${at}`;
  }

  #write(inode: Inode, bytes: Uint8Array, position: number): void {
    if (position < inode.synced.length) inode.overwroteSynced = true;
    const end = position + bytes.length;
    if (end > inode.data.length) this.#grow(inode, end);
    inode.data.set(bytes, position);
    if (end > inode.size) inode.size = end;
  }

  #grow(inode: Inode, bytes: number): void {
    const data = new Uint8Array(Math.max(bytes, inode.data.length * 2));
    data.set(inode.data.subarray(0, inode.size));
    inode.data = data;
  }
}

function newInode(): Inode {
  return { data: new Uint8Array(256), size: 0, synced: new Uint8Array(0), overwroteSynced: false };
}
