// RawNode: the Raft core behind a small synchronous interface (etcd's RawNode shape). The caller
// owns all I/O: it feeds ticks, messages and proposals in, and drains a Ready out.
//
//   while (node.hasReady()) {
//     const rd = node.ready();
//     storage.applySnapshot(rd.snapshot); storage.append(rd.entries); storage.setHardState(rd.hardState);
//     fsync();                         // <- before any message of this Ready leaves
//     send(rd.messages);
//     apply(rd.committedEntries); serve(rd.readStates);
//     node.advance(rd);
//   }
import { assert } from '../../common/assert.ts';
import type { Random } from '../../common/random.ts';
import type { ConfChange } from './conf.ts';
import { type RaftConfig, validateConfig } from './config.ts';
import type { ConfState, Entry, HardState, MemberId, RaftMessage, ReadState, Snapshot } from './messages.ts';
import type { ProgressState } from './progress.ts';
import { Raft, type Role } from './raft.ts';
import type { RaftStorage } from './storage.ts';

export interface SoftState {
  /** '' when no leader is known. */
  readonly lead: MemberId;
  readonly role: Role;
}

/**
 * One batch of work for the caller. Handle it in this order, then call advance(ready):
 *
 * 1. Persist `snapshot`, then `entries` (appending; an entry replaces any stored entry at its index
 *    and everything after it), then `hardState`, and make them durable (fsync).
 * 2. Only then send `messages`. **Persist before send**: a message may acknowledge these entries
 *    (MsgAppResp) or a vote recorded in this hard state (MsgVoteResp); sent before the fsync, a
 *    crash would let a quorum count a vote or an entry that no longer exists, and lose committed data.
 * 3. Apply `committedEntries` to the state machine (after step 1: they may include this Ready's
 *    entries), restoring it from `snapshot` first when there is one; serve `readStates` once applied.
 */
export interface Ready {
  /** Present when leader or role changed. Volatile: never persisted. */
  readonly softState?: SoftState;
  /** Present when term, vote or commit changed: persist it (durably, with `entries`). */
  readonly hardState?: HardState;
  /** Entries to append to stable storage before sending `messages`. */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader, to persist and restore before anything else. */
  readonly snapshot?: Snapshot;
  /** Entries known committed, to apply in order after persisting. */
  readonly committedEntries: readonly Entry[];
  /** To send only after `entries`, `snapshot` and `hardState` above are durable. */
  readonly messages: readonly RaftMessage[];
  /** Linearizable reads: serve each once the state machine applied its index. */
  readonly readStates: readonly ReadState[];
  /** Whether the storage write must be fsynced before sending (entries or term/vote changed). */
  readonly mustSync: boolean;
}

export interface Status {
  readonly id: MemberId;
  readonly term: number;
  readonly vote: MemberId;
  readonly lead: MemberId;
  readonly role: Role;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly conf: ConfState;
  readonly leadTransferee: MemberId;
  /** Leader only: how far each member's log is known to match. */
  readonly progress: ReadonlyMap<MemberId, { match: number; next: number; state: ProgressState }>;
}

export class RawNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  /** The Ready handed out and not yet advanced; at most one at a time. */
  private outstanding: Ready | undefined;

  /**
   * `storage` is a read-only view of what is durably stored (entries, snapshot, hard state); `random`
   * randomizes election timeouts, injected so a seed reproduces a run.
   */
  constructor(config: RaftConfig, storage: RaftStorage, random: Random) {
    validateConfig(config);
    this.raft = new Raft(config, storage, random);
    this.prevSoft = this.softState();
    this.prevHard = this.hardState();
  }

  /** One logical tick: election and heartbeat timeouts are counted in these. */
  tick(): void {
    this.raft.tick();
  }

  /** Start an election now (pre-vote first when configured), as if the election timeout fired. */
  campaign(): void {
    this.raft.campaign('campaign requested');
  }

  /** A message from a peer, addressed to this node. */
  step(message: RaftMessage): void {
    this.raft.step(message);
  }

  /** Throws NotLeaderError (with a hint) off the leader, ProposalDroppedError over limits. */
  propose(data: Uint8Array): number {
    return this.raft.propose('normal', data);
  }

  /** One change at a time; it takes effect when its entry is applied (advance). */
  proposeConfChange(change: ConfChange): number {
    return this.raft.proposeConfChange(change);
  }

  transferLeadership(to: MemberId): void {
    this.raft.transferLeadership(to);
  }

  /** Ask for a linearizable read point; it comes back in a later Ready's readStates. */
  readIndex(context: Uint8Array): void {
    this.raft.readIndex(context);
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = this.softState();
    const hard = this.hardState();
    return (
      soft.lead !== this.prevSoft.lead ||
      soft.role !== this.prevSoft.role ||
      !sameHardState(hard, this.prevHard) ||
      r.log.unstableEntries().length > 0 ||
      r.log.unstableSnapshot() !== undefined ||
      r.log.hasNextCommittedEntries() ||
      r.msgs.length > 0 ||
      r.readStates.length > 0
    );
  }

  /** The pending work; hand it back to advance() once handled. Messages are taken out of the node. */
  ready(): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    const soft = this.softState();
    const hard = this.hardState();
    const entries = r.log.unstableEntries();
    const snapshot = r.log.unstableSnapshot();
    const softChanged = soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role;
    const hardChanged = !sameHardState(hard, this.prevHard);
    const ready: Ready = {
      ...(softChanged ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hard } : {}),
      entries,
      ...(snapshot !== undefined ? { snapshot } : {}),
      committedEntries: r.log.nextCommittedEntries(r.configMaxCommittedBytes()),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync:
        entries.length > 0 ||
        snapshot !== undefined ||
        hard.term !== this.prevHard.term ||
        hard.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.outstanding = ready;
    return ready;
  }

  /**
   * The caller handled `ready`: its snapshot, entries and hard state are durable, its messages sent,
   * its committed entries applied. Only now do the leader's own entries count toward a quorum.
   */
  advance(ready: Ready): void {
    assert(ready === this.outstanding, 'advance() with a Ready that was not the last one handed out');
    this.outstanding = undefined;
    const r = this.raft;
    if (ready.softState !== undefined) this.prevSoft = ready.softState;
    if (ready.hardState !== undefined) this.prevHard = ready.hardState;
    if (ready.snapshot !== undefined) {
      r.log.stableSnapTo(ready.snapshot.meta.index);
      r.log.appliedSnapshot(ready.snapshot.meta.index);
    }
    const last = ready.entries[ready.entries.length - 1];
    if (last !== undefined) {
      r.log.stableTo(last.index, last.term);
      r.persisted(last.index, last.term);
    }
    const applied = ready.committedEntries[ready.committedEntries.length - 1];
    if (applied !== undefined) {
      r.log.appliedTo(applied.index);
      r.reduceUncommitted(ready.committedEntries);
      for (const entry of ready.committedEntries) r.applyConfEntry(entry);
    }
  }

  status(): Status {
    const r = this.raft;
    const progress = new Map<MemberId, { match: number; next: number; state: ProgressState }>();
    for (const [member, pr] of r.progress) progress.set(member, { match: pr.match, next: pr.next, state: pr.state });
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      role: r.role,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      conf: r.conf,
      leadTransferee: r.leadTransferee,
      progress,
    };
  }

  /** For tests and debugging: the underlying state machine. */
  get raftForTesting(): Raft {
    return this.raft;
  }

  private softState(): SoftState {
    return { lead: this.raft.lead, role: this.raft.role };
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
