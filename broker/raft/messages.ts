// The values that cross the Raft core's boundary: log entries, hard state, snapshots and the
// messages peers exchange. Plain readonly data, so the transport can encode them however it likes.

/** A member id: a broker's stable name (e.g. "wharf-1"). */
export type MemberId = string;

/** `confChange` entries carry an encoded ConfChange (see conf.ts) and change membership on apply. */
export type EntryType = 'normal' | 'confChange';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must be durable before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number;
  /** Whom we voted for in `term`; '' for nobody. */
  readonly vote: MemberId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

/** Membership: voters count for quorums; learners only receive the log. Disjoint, sorted. */
export interface ConfState {
  readonly voters: readonly MemberId[];
  readonly learners: readonly MemberId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  /** Membership as of `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The state machine at `meta.index`, opaque to Raft. */
  readonly data: Uint8Array;
}

export interface ReadState {
  /** Reads may be served once the local state machine has applied this index. */
  readonly index: number;
  readonly context: Uint8Array;
}

interface Header {
  readonly from: MemberId;
  readonly to: MemberId;
  readonly term: number;
}

/** AppendEntries (§5.3): entries follow (logTerm, index); commit is the leader's commit index. */
export interface MsgApp extends Header {
  readonly type: 'MsgApp';
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Reply to MsgApp / MsgSnap. Accepted: `index` is the follower's last index matching the leader.
 * Rejected: `index` is the rejected prev index and (`rejectHint`, `logTerm`) the follower's guess of
 * where the logs may agree, for fast backtracking.
 */
export interface MsgAppResp extends Header {
  readonly type: 'MsgAppResp';
  readonly index: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly logTerm: number;
}

/** RequestVote (§5.2) or its pre-vote probe (thesis §9.6). `term` is the term campaigned for. */
export interface MsgVote extends Header {
  readonly type: 'MsgVote' | 'MsgPreVote';
  readonly logTerm: number;
  readonly index: number;
  /** Set when campaigning on MsgTimeoutNow: voters then ignore leader stickiness (thesis §3.10). */
  readonly transfer: boolean;
}

export interface MsgVoteResp extends Header {
  readonly type: 'MsgVoteResp' | 'MsgPreVoteResp';
  readonly reject: boolean;
}

/** Heartbeats carry the commit index the follower is known to have, and a read-index context. */
export interface MsgHeartbeat extends Header {
  readonly type: 'MsgHeartbeat';
  readonly commit: number;
  readonly context: Uint8Array | undefined;
}

export interface MsgHeartbeatResp extends Header {
  readonly type: 'MsgHeartbeatResp';
  readonly context: Uint8Array | undefined;
}

/** InstallSnapshot: the follower needs entries the leader compacted away. */
export interface MsgSnap extends Header {
  readonly type: 'MsgSnap';
  readonly snapshot: Snapshot;
}

/** Leadership transfer: campaign now, the leader has stopped accepting proposals (thesis §3.10). */
export interface MsgTimeoutNow extends Header {
  readonly type: 'MsgTimeoutNow';
}

/** A follower forwards a read-index request to its leader (thesis §6.4). */
export interface MsgReadIndex extends Header {
  readonly type: 'MsgReadIndex';
  readonly context: Uint8Array;
}

export interface MsgReadIndexResp extends Header {
  readonly type: 'MsgReadIndexResp';
  readonly index: number;
  readonly context: Uint8Array;
}

export type RaftMessage =
  | MsgApp
  | MsgAppResp
  | MsgVote
  | MsgVoteResp
  | MsgHeartbeat
  | MsgHeartbeatResp
  | MsgSnap
  | MsgTimeoutNow
  | MsgReadIndex
  | MsgReadIndexResp;

export type MessageType = RaftMessage['type'];

/** What an entry costs in a message beyond its data (term, index, type, framing), for batching limits. */
export const ENTRY_OVERHEAD_BYTES = 16;

export function entryBytes(entry: Entry): number {
  return entry.data.length + ENTRY_OVERHEAD_BYTES;
}
