// One Raft log entry as the storage layer sees it: the payload is opaque bytes.

export interface LogEntry {
  readonly index: number;
  readonly term: number;
  /** Entry kind chosen by the caller, 0..255 (stored as one byte). */
  readonly type: number;
  /** Not copied: the log keeps a reference until the entry is written, so do not mutate it. */
  readonly data: Uint8Array;
}
