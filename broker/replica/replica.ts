// What the API layer needs from the replicated state, whatever replicates it: propose a command
// and learn its result once it is durable and applied, query the applied state, read stored
// message bodies, and hear about every applied command (to wake consumers).
import type { Engine } from '../engine/engine.ts';
import type { ApplyResult, Command, ExpiredMessage, MessageRef, PublishItem } from '../engine/types.ts';

export interface ReplicaStats {
  readonly term: number;
  /** Whether this member leads its group (a single member always does). */
  readonly leader: boolean;
  /** The last index of this member's log (durable or being written). */
  readonly lastIndex: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /**
   * Leader only (empty elsewhere): for each other member, voter or learner, how many entries of
   * the leader's log it is not known to hold (lastIndex - its match index).
   */
  readonly followerLagEntries: ReadonlyMap<string, number>;
  readonly logFirstIndex: number;
  readonly logBytes: number;
  readonly logSegments: number;
  readonly fsyncs: number;
}

/**
 * Told of every applied command, right after the engine applied it, with the messages whose TTL
 * ran out meanwhile (Engine.lastExpired: any command moves time first). On every member, replays
 * after a restart included.
 */
export type AppliedListener = (command: Command, result: ApplyResult, expired: readonly ExpiredMessage[]) => void;

export interface Replica {
  /** The leader's time for a new command: never earlier than any time stamped before. */
  nowMs(): number;
  /** Resolves once the command is durable (fsynced on a quorum) and applied; rejects with WharfError. */
  propose(command: Command): Promise<ApplyResult>;
  /** The applied state, read-only: queries only, never apply(). */
  readonly engine: Engine;
  /**
   * Replicated groups: resolves once `engine` reflects every write acknowledged before the call
   * (a read index confirmed by a quorum). A single member needs none.
   */
  readBarrier?(): Promise<void>;
  /** Reads stored bodies, each log entry once however many of its messages are asked for. */
  readMessages(refs: readonly MessageRef[]): Promise<PublishItem[]>;
  onApplied(listener: AppliedListener): void;
  /** The member id that leads (for status). */
  leaderId(): string;
  stats(): ReplicaStats;
  /** Hears how long each command took from proposal to applied (for the commit latency metric). */
  onCommitted(listener: (type: Command['type'], ms: number) => void): void;
  /** Hears how long each fsync of the log took (for the fsync latency metric); keep it cheap. */
  onFsync(listener: (durationMs: number) => void): void;
  close(): Promise<void>;
}
