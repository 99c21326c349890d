// A StorageFs wrapper for tests: counts calls and fails the chosen one, to check fail-stop.

import { nodeStorageFs, type StorageFile, type StorageFs } from '../storage-fs.ts';

export type FaultPoint = 'writev' | 'datasync' | 'syncDir' | 'open';

export interface FaultyFs extends StorageFs {
  /** Makes the next `count` calls of `point` fail with EIO (after `skip` more succeed). */
  failNext(point: FaultPoint, options?: { skip?: number; count?: number }): void;
  readonly calls: Record<FaultPoint, number>;
}

export function faultyFs(inner: StorageFs = nodeStorageFs): FaultyFs {
  const calls: Record<FaultPoint, number> = { writev: 0, datasync: 0, syncDir: 0, open: 0 };
  const plans = new Map<FaultPoint, { skip: number; count: number }>();
  const check = (point: FaultPoint): void => {
    calls[point]++;
    const plan = plans.get(point);
    if (plan === undefined) return;
    if (plan.skip > 0) {
      plan.skip--;
      return;
    }
    if (plan.count <= 0) return;
    plan.count--;
    const error = new Error(`injected EIO in ${point}`) as NodeJS.ErrnoException;
    error.code = 'EIO';
    throw error;
  };
  const wrapFile = (file: StorageFile): StorageFile => ({
    read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
    writev: async (buffers, position) => {
      check('writev');
      return file.writev(buffers, position);
    },
    datasync: async () => {
      check('datasync');
      return file.datasync();
    },
    truncate: (lengthBytes) => file.truncate(lengthBytes),
    sizeBytes: () => file.sizeBytes(),
    close: () => file.close(),
  });
  return {
    calls,
    failNext(point, options = {}) {
      plans.set(point, { skip: options.skip ?? 0, count: options.count ?? 1 });
    },
    open: async (path, flags) => {
      check('open');
      return wrapFile(await inner.open(path, flags));
    },
    list: (dir) => inner.list(dir),
    mkdirs: (dir) => inner.mkdirs(dir),
    unlink: (path) => inner.unlink(path),
    rename: (from, to) => inner.rename(from, to),
    syncDir: async (dir) => {
      check('syncDir');
      return inner.syncDir(dir);
    },
  };
}
