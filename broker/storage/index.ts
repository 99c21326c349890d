// Public surface of broker/storage: the segmented log, hard state and snapshots.

export { crc32c } from './crc32c.ts';
export { type HardState, HardStateFile, type HardStateFileOptions } from './hard-state.ts';
export type { LogEntry } from './log-entry.ts';
export { SegmentLog, type SegmentLogOptions, type SegmentLogStats } from './segment-log.ts';
export { type Snapshot, type SnapshotMeta, SnapshotStore, type SnapshotStoreOptions } from './snapshot-store.ts';
export { nodeStorageFs, type StorageFile, type StorageFs } from './storage-fs.ts';
