// Tunables of one Raft node. Timeouts are counted in ticks: the caller decides how long a tick is.
import { assert } from '../../common/assert.ts';
import type { MemberId } from './messages.ts';

export interface RaftConfig {
  readonly id: MemberId;
  /** Followers campaign after a randomized timeout in [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Thesis §9.6: probe with MsgPreVote first so a partitioned node rejoining cannot disrupt. */
  readonly preVote: boolean;
  /** Thesis §6.2: a leader not hearing from a quorum for electionTicks steps down; leader stickiness. */
  readonly checkQuorum: boolean;
  /** Bytes of entry data per MsgApp (at least one entry is always sent). */
  readonly maxSizePerMsgBytes: number;
  /** MsgApp in flight per follower in replicate state (pipelining window). */
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  /** Proposals beyond this many uncommitted bytes are dropped with ProposalDroppedError. */
  readonly maxUncommittedEntriesBytes: number;
  /** Bytes of committed entries handed out per Ready. */
  readonly maxCommittedSizePerReadyBytes: number;
  readonly maxPendingReadIndex: number;
  /** Index the state machine had applied before a restart (default: the snapshot index). */
  readonly applied?: number;
  /** Receives one line per notable event; for tests and debugging. */
  readonly logger?: (line: string) => void;
}

export const DEFAULT_RAFT_CONFIG: Omit<RaftConfig, 'id'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxSizePerMsgBytes: 1024 * 1024,
  maxInflightMsgs: 256,
  maxInflightBytes: 64 * 1024 * 1024,
  maxUncommittedEntriesBytes: 64 * 1024 * 1024,
  maxCommittedSizePerReadyBytes: 64 * 1024 * 1024,
  maxPendingReadIndex: 4096,
};

export function raftConfig(id: MemberId, overrides: Partial<Omit<RaftConfig, 'id'>> = {}): RaftConfig {
  const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, ...overrides, id };
  validateConfig(config);
  return config;
}

export function validateConfig(config: RaftConfig): void {
  assert(config.id.length > 0, 'member id must not be empty');
  assert(config.heartbeatTicks > 0, 'heartbeatTicks > 0');
  assert(config.electionTicks > config.heartbeatTicks, 'electionTicks > heartbeatTicks');
  assert(config.maxInflightMsgs > 0, 'maxInflightMsgs > 0');
  assert(config.maxInflightBytes > 0, 'maxInflightBytes > 0');
  assert(config.maxSizePerMsgBytes > 0, 'maxSizePerMsgBytes > 0');
  assert(config.maxUncommittedEntriesBytes > 0, 'maxUncommittedEntriesBytes > 0');
  assert(config.maxPendingReadIndex > 0, 'maxPendingReadIndex > 0');
}
