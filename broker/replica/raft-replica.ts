// A replica of one Raft group: wires the Raft core, the storage, a transport, the engine and a
// clock + timers, each behind an interface, so the deterministic simulator runs this exact code.
//
// The ready loop (one at a time, in order): persist snapshot + entries + hard state durably, THEN
// send messages, then apply committed entries to the engine in index order and answer proposals,
// then advance. A proposal is answered when the entry at its index is applied: with the result if
// that entry is the one it proposed (same term), else UNAVAILABLE (a new leader overwrote it; safe
// to retry with the same dedup id).
//
// A replica that found its own data corrupt (or whose snapshot is unreadable) does not vote and
// does not campaign until repaired: it drops vote requests and stops counting election ticks,
// and leaves that mode only once its log matches a leader of a later term than it had on disk up
// to an entry that leader committed in its own term (then it holds every entry committed before,
// including any it acknowledged and lost). The leader notices such a follower by itself: a
// rejection naming a last index below its match means lost entries, and the Raft core lowers the
// match and probes it again (broker/raft/progress.ts, maybeDecrTo).
import { assert } from '../../common/assert.ts';
import type { Clock } from '../../common/clock.ts';
import { NotLeaderError, resourceExhausted, unavailable, WharfError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Random } from '../../common/random.ts';
import { decodeCommand, decodePublishItem, encodeCommand } from '../engine/codec.ts';
import { Engine } from '../engine/engine.ts';
import type { ApplyResult, Command, MessageRef, PublishItem } from '../engine/types.ts';
import { type ConfChange, decodeConfChange, members } from '../raft/conf.ts';
import { raftConfig } from '../raft/config.ts';
import type { ConfState, Entry, MemberId, RaftMessage } from '../raft/messages.ts';
import { RawNode, type Ready } from '../raft/rawnode.ts';
import type { StorageFs } from '../storage/storage-fs.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import type { ReplicaObserver, Timers, Transport } from './io.ts';
import { RaftDisk } from './raft-disk.ts';
import type { AppliedListener, Replica, ReplicaStats } from './replica.ts';
import { decodeSnapshotPayload } from './snapshot-payload.ts';

export interface RaftReplicaOptions {
  readonly id: MemberId;
  /** Voters of the group (used until a snapshot records the membership). */
  readonly members: readonly MemberId[];
  readonly dataDir: string;
  readonly fs?: StorageFs;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly transport: Transport;
  /** Randomizes election timeouts. */
  readonly random: Random;
  readonly logger: Logger;
  /** Length of one Raft tick. Default 100 ms. */
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Snapshot after this many applied entries. Default 10,000. */
  readonly snapshotEntries?: number;
  /** Entries kept below a snapshot so slightly lagging followers catch up without one. Default 1,000. */
  readonly keepEntries?: number;
  readonly segmentBytesMax?: number;
  /** Proposals waiting for their entry to apply; more are refused (RESOURCE_EXHAUSTED). */
  readonly pendingMax?: number;
  readonly observer?: ReplicaObserver;
  /** Registered before the first entry is applied (onApplied() after open() can miss replayed ones). */
  readonly onApplied?: AppliedListener;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Told each time an applied membership change took effect, with the configuration after it. */
export type ConfChangeListener = (change: ConfChange, conf: ConfState) => void;

interface PendingConfChange {
  readonly term: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Pending {
  readonly term: number;
  readonly command: Command;
  readonly proposedMs: number;
  readonly resolve: (result: ApplyResult) => void;
  readonly reject: (error: Error) => void;
}

export class RaftReplica implements Replica {
  readonly #id: MemberId;
  readonly #disk: RaftDisk;
  readonly #node: RawNode;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #observer: ReplicaObserver | undefined;
  readonly #tickMs: number;
  readonly #snapshotEntries: number;
  readonly #keepEntries: number;
  readonly #pendingMax: number;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners: AppliedListener[] = [];
  readonly #committed: ((type: Command['type'], ms: number) => void)[] = [];
  readonly #pendingConf = new Map<number, PendingConfChange>();
  /** Read barriers waiting for their read index (keyed by context), then for it to be applied. */
  readonly #reads = new Map<string, { index: number | undefined; resolve: () => void; reject: (e: Error) => void }>();
  /** Followers a snapshot is being read from the log for (at most one each). */
  readonly #snapshotsSending = new Set<MemberId>();
  #nextReadId = 0;
  readonly #confListeners: ConfChangeListener[] = [];
  /** Membership changes applied in the current ready, announced once the core has taken them in. */
  #appliedConfChanges: ConfChange[] = [];
  #warnedNoConf = false;
  readonly #deadline: DeadlineTimer;
  #engine: Engine;
  #appliedIndex: number;
  #lastStampMs = 0;
  #lead: MemberId = '';
  #isLeader = false;
  #term = 0;
  /** Set while the replica must not vote: its own data was corrupt; cleared once repaired. */
  #repairAboveTerm: number | undefined;
  #running: Promise<void> | undefined;
  #cancelTick: (() => void) | undefined;
  #failed: Error | undefined;
  #closed = false;

  private constructor(options: RaftReplicaOptions, disk: RaftDisk, node: RawNode, engine: Engine, applied: number) {
    this.#id = options.id;
    this.#disk = disk;
    this.#node = node;
    this.#engine = engine;
    this.#appliedIndex = applied;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#transport = options.transport;
    this.#logger = options.logger;
    this.#observer = options.observer;
    this.#tickMs = options.tickMs ?? 100;
    this.#snapshotEntries = options.snapshotEntries ?? 10_000;
    this.#keepEntries = options.keepEntries ?? 1_000;
    this.#pendingMax = options.pendingMax ?? 65_536;
    this.#lastStampMs = engine.clockMs;
    if (options.onApplied !== undefined) this.#listeners.push(options.onApplied);
    this.#deadline = new DeadlineTimer(options.clock, options.timers, (nowMs) => this.#proposeTick(nowMs));
  }

  /** Opens the replica from its own disk (hard state, snapshot, log) and starts ticking. */
  static async open(options: RaftReplicaOptions): Promise<RaftReplica> {
    const opened = await RaftDisk.open({
      dataDir: options.dataDir,
      logger: options.logger,
      members: options.members,
      ...(options.fs === undefined ? {} : { fs: options.fs }),
      ...(options.segmentBytesMax === undefined ? {} : { segmentBytesMax: options.segmentBytesMax }),
    });
    const engine = opened.engineSnapshot === undefined ? new Engine() : Engine.restore(opened.engineSnapshot);
    const config = raftConfig(options.id, {
      electionTicks: options.electionTicks ?? 10,
      heartbeatTicks: options.heartbeatTicks ?? 1,
      applied: opened.snapshotIndex,
      // The core's notable events (elections, step-downs, rejections) at debug level.
      logger: (line) => options.logger.debug({ raft: true }, line),
    });
    const node = new RawNode(config, opened.disk.storage, options.random);
    const replica = new RaftReplica(options, opened.disk, node, engine, opened.snapshotIndex);
    replica.#repairAboveTerm = opened.repairAboveTerm;
    replica.#scheduleTick();
    replica.#kick();
    return replica;
  }

  get engine(): Engine {
    return this.#engine;
  }

  get id(): MemberId {
    return this.#id;
  }

  /** Whether the replica is repairing corrupt data (and so neither votes nor campaigns). */
  get repairing(): boolean {
    return this.#repairAboveTerm !== undefined;
  }

  get failure(): Error | undefined {
    return this.#failed;
  }

  leaderId(): string {
    return this.#lead;
  }

  isLeader(): boolean {
    return this.#isLeader;
  }

  appliedIndex(): number {
    return this.#appliedIndex;
  }

  /** Raft's view, for status pages and the simulator's checkers. */
  raftStatus(): ReturnType<RawNode['status']> {
    return this.#node.status();
  }

  /** The durable log as Raft sees it (entries after the snapshot): for the simulator's checkers. */
  get raftStorage(): RaftDisk['storage'] {
    return this.#disk.storage;
  }

  nowMs(): number {
    this.#lastStampMs = Math.max(this.#lastStampMs, this.#clock.nowMs(), this.#engine.clockMs);
    return this.#lastStampMs;
  }

  onApplied(listener: AppliedListener): void {
    this.#listeners.push(listener);
  }

  onCommitted(listener: (type: Command['type'], ms: number) => void): void {
    this.#committed.push(listener);
  }

  onFsync(listener: (durationMs: number) => void): void {
    this.#disk.onFsync(listener);
  }

  stats(): ReplicaStats {
    const status = this.#node.status();
    const disk = this.#disk.stats();
    const followerLagEntries = new Map<string, number>();
    if (status.role === 'leader') {
      for (const [member, pr] of status.progress) {
        if (member !== this.#id) followerLagEntries.set(member, Math.max(0, status.lastIndex - pr.match));
      }
    }
    return {
      term: status.term,
      leader: status.role === 'leader',
      lastIndex: status.lastIndex,
      commitIndex: status.commit,
      appliedIndex: this.#appliedIndex,
      followerLagEntries,
      logFirstIndex: disk.firstIndex,
      logBytes: disk.bytes,
      logSegments: disk.segments,
      fsyncs: disk.fsyncs,
    };
  }

  /** Why this replica cannot take a request now (stopped, closing, or, when asked, not leading). */
  #refusal(leaderOnly: boolean): Error | undefined {
    if (this.#failed !== undefined) return unavailable(`replica ${this.#id} stopped: ${this.#failed.message}`);
    if (this.#closed) return unavailable('replica is shutting down');
    if (leaderOnly && !this.#isLeader) {
      const hint = this.#lead === '' || this.#lead === this.#id ? undefined : this.#lead;
      return new NotLeaderError(`${this.#id} does not lead this group`, hint);
    }
    return undefined;
  }

  propose(command: Command): Promise<ApplyResult> {
    const refusal = this.#refusal(true);
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.#pending.size >= this.#pendingMax) {
      return Promise.reject(resourceExhausted(`${this.#pending.size} proposals are waiting to commit`));
    }
    // Never earlier than any stamp before, even one made by an earlier leader with a faster clock.
    const nowMs = Math.max(command.nowMs, this.#lastStampMs, this.#engine.clockMs);
    this.#lastStampMs = nowMs;
    const stamped: Command = { ...command, nowMs };
    let index: number;
    try {
      index = this.#node.propose(encodeCommand(stamped));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const term = this.#node.status().term;
    // An older proposal at this index lost its entry to a new leader (and this node leads again).
    const replaced = this.#pending.get(index);
    assert(replaced === undefined || replaced.term < term, `two proposals at index ${index} in term ${term}`);
    replaced?.reject(unavailable('the proposal was replaced by a new leader; retry (with the same dedup id)'));
    const promise = new Promise<ApplyResult>((resolve, reject) => {
      this.#pending.set(index, { term, command: stamped, proposedMs: this.#clock.monotonicMs(), resolve, reject });
    });
    this.#kick();
    return promise;
  }

  /**
   * Proposes one membership change (the core allows one in flight); resolves once its entry is
   * applied here, i.e. once the new configuration is in force on the leader.
   */
  changeMembership(change: ConfChange): Promise<void> {
    const refusal = this.#refusal(true);
    if (refusal !== undefined) return Promise.reject(refusal);
    let index: number;
    try {
      index = this.#node.proposeConfChange(change);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const term = this.#node.status().term;
    this.#pendingConf.get(index)?.reject(unavailable('the membership change was replaced by a new leader; retry'));
    const promise = new Promise<void>((resolve, reject) => this.#pendingConf.set(index, { term, resolve, reject }));
    this.#kick();
    return promise;
  }

  /** Asks the core to hand leadership to `to` (thesis §3.10); the caller watches leaderId() for the outcome. */
  transferLeadership(to: MemberId): void {
    this.#node.transferLeadership(to);
    this.#kick();
  }

  /**
   * A linearizable read point (read index, thesis §6.4): resolves once this replica has applied
   * everything committed when it was asked, as confirmed by a quorum still following its leader.
   * Reads of the engine after it see every write acknowledged before the call.
   */
  readBarrier(timeoutMs = 5_000): Promise<void> {
    const refusal = this.#refusal(false);
    if (refusal !== undefined) return Promise.reject(refusal);
    const id = String(this.#nextReadId++);
    const promise = new Promise<void>((resolve, reject) => {
      const cancel = this.#timers.after(timeoutMs, () => {
        if (this.#reads.delete(id)) reject(unavailable(`no read index within ${timeoutMs} ms (no quorum?); retry`));
      });
      this.#reads.set(id, {
        index: undefined,
        resolve: () => {
          cancel();
          resolve();
        },
        reject: (error) => {
          cancel();
          reject(error);
        },
      });
    });
    try {
      this.#node.readIndex(textEncoder.encode(id));
    } catch (error) {
      const read = this.#reads.get(id);
      this.#reads.delete(id);
      read?.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.#kick();
    return promise;
  }

  /** Called after each applied membership change (on every replica, replays included). */
  onConfChange(listener: ConfChangeListener): void {
    this.#confListeners.push(listener);
  }

  /** A Raft message from a peer (the transport calls this). */
  receive(message: RaftMessage): void {
    if (this.#closed || this.#failed !== undefined) return;
    if (message.to !== this.#id) return;
    if (message.type === 'MsgApp' && message.index === 0 && members(this.#node.status().conf).length === 0) {
      // A joining member knows no configuration yet. Entries from the start of the log would
      // rebuild membership on an empty base (and could make it think it is the only voter), so it
      // waits for a snapshot, which carries the configuration. Leaders compact their log at every
      // membership change, so the snapshot comes (see #readyLoop).
      if (!this.#warnedNoConf) this.#logger.warn({ from: message.from }, 'joining: waiting for a snapshot');
      this.#warnedNoConf = true;
      return;
    }
    if (this.#repairAboveTerm !== undefined) {
      // Not voting while repairing: a vote request is dropped, as if lost.
      if (message.type === 'MsgVote' || message.type === 'MsgPreVote' || message.type === 'MsgTimeoutNow') return;
    }
    try {
      this.#node.step(message);
    } catch (error) {
      this.#failStop(error);
      return;
    }
    this.#kick();
  }

  async readMessages(refs: readonly MessageRef[]): Promise<PublishItem[]> {
    const entries = new Map<number, Promise<{ data: Uint8Array }>>();
    for (const ref of refs) if (!entries.has(ref.index)) entries.set(ref.index, this.#disk.read(ref.index));
    const out: PublishItem[] = [];
    for (const ref of refs) {
      const entry = await (entries.get(ref.index) as Promise<{ data: Uint8Array }>);
      out.push(decodePublishItem(entry.data, ref.slot));
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTick?.();
    this.#deadline.stop();
    while (this.#running !== undefined) await this.#running;
    this.#rejectAll(unavailable('replica is shutting down'));
    await this.#disk.close();
  }

  #scheduleTick(): void {
    this.#cancelTick = this.#timers.after(this.#tickMs, () => {
      this.#cancelTick = undefined;
      if (this.#closed || this.#failed !== undefined) return;
      // A repairing follower counts no election ticks, so it never campaigns.
      if (this.#repairAboveTerm === undefined || this.#isLeader) this.#node.tick();
      this.#kick();
      this.#scheduleTick();
    });
  }

  #proposeTick(nowMs: number): void {
    if (!this.#isLeader || this.#closed) return;
    this.propose({ type: 'tick', nowMs }).catch((error: unknown) => {
      if (!(error instanceof WharfError)) this.#logger.warn({ err: error }, 'tick proposal failed');
    });
  }

  /** Starts the ready loop unless it runs already (it picks up whatever is new). */
  #kick(): void {
    if (this.#running !== undefined || this.#closed || this.#failed !== undefined) return;
    if (!this.#node.hasReady()) return;
    this.#running = this.#readyLoop().then(
      () => {
        this.#running = undefined;
        this.#kick();
      },
      (error: unknown) => {
        this.#running = undefined;
        this.#failStop(error);
      },
    );
  }

  async #readyLoop(): Promise<void> {
    while (!this.#closed && this.#failed === undefined && this.#node.hasReady()) {
      const rd = this.#node.ready();
      await this.#handle(rd);
      this.#node.advance(rd);
      this.#afterAdvance();
      const confChanges = this.#appliedConfChanges;
      if (confChanges.length > 0) {
        this.#appliedConfChanges = [];
        const conf = this.#node.status().conf;
        for (const change of confChanges) for (const listener of this.#confListeners) listener(change, conf);
        // Snapshot and compact the whole log now, so that no leader can send a new member entries
        // from the start of the log (which would rebuild membership without its base): it gets
        // this snapshot, with the configuration, instead.
        if (this.#appliedIndex > this.#disk.storage.snapshot().meta.index) await this.#snapshot(0);
      }
      if (this.#repairAboveTerm !== undefined && this.#repaired()) {
        await this.#disk.clearRepairMarker();
        this.#repairAboveTerm = undefined;
        this.#logger.warn({ term: this.#node.status().term }, 'repaired from the leader: voting again');
      }
      if (this.#snapshotDue()) await this.#snapshot(this.#keepEntries);
    }
  }

  async #handle(rd: Ready): Promise<void> {
    // 1. Durable first: nothing that acknowledges this Ready's entries or votes may leave before
    // this resolves. The leader's own replication is the exception (thesis §10.2.1): MsgApp and
    // heartbeats go out while its disk writes the same entries, since its own match only counts
    // toward a commit once they are durable (RawNode.advance). Not when the term or vote changed:
    // then everything waits for the hard state.
    const early = rd.hardState === undefined || !this.#disk.changesTermOrVote(rd.hardState);
    let after = rd.messages;
    if (early && rd.messages.length > 0) {
      const rest: RaftMessage[] = [];
      for (const message of rd.messages) {
        if (message.type === 'MsgApp' || message.type === 'MsgHeartbeat') this.#transport.send(message);
        else rest.push(message);
      }
      after = rest;
    }
    await this.#disk.persist(rd.snapshot, rd.entries, rd.hardState);
    if (rd.entries.length > 0) this.#observer?.persisted?.(this.#id, rd.entries);
    if (rd.snapshot !== undefined) this.#restore(rd.snapshot.data, rd.snapshot.meta.index);
    if (rd.softState !== undefined) this.#softState(rd.softState.lead, rd.softState.role === 'leader');
    // 2. Send.
    for (const message of after) {
      if (message.type === 'MsgSnap') this.#sendSnapshot(message);
      else this.#transport.send(message);
    }
    // 3. Apply, then serve the reads whose index is applied.
    for (const entry of rd.committedEntries) this.#apply(entry);
    for (const state of rd.readStates) {
      const read = this.#reads.get(textDecoder.decode(state.context));
      if (read !== undefined) read.index = state.index;
    }
    this.#releaseReads();
  }

  #releaseReads(): void {
    for (const [id, read] of this.#reads) {
      if (read.index === undefined || read.index > this.#appliedIndex) continue;
      this.#reads.delete(id);
      read.resolve();
    }
  }

  #softState(lead: MemberId, isLeader: boolean): void {
    this.#lead = lead;
    const wasLeader = this.#isLeader;
    this.#isLeader = isLeader;
    this.#term = this.#node.status().term;
    if (isLeader && !wasLeader) {
      this.#observer?.becameLeader?.(this.#id, this.#term);
      this.#logger.info({ term: this.#term }, 'became leader');
      this.#deadline.arm(this.#engine.nextDeadlineMs());
    }
    if (!isLeader && wasLeader) this.#deadline.disarm();
  }

  #apply(entry: Entry): void {
    assert(entry.index === this.#appliedIndex + 1, `apply ${entry.index} after ${this.#appliedIndex}`);
    this.#appliedIndex = entry.index;
    this.#observer?.applied?.(this.#id, entry.index, entry.term, entry.data);
    const pending = this.#pending.get(entry.index);
    if (pending !== undefined) this.#pending.delete(entry.index);
    if (entry.type === 'confChange') {
      this.#appliedConfChanges.push(decodeConfChange(entry.data));
      const waiting = this.#pendingConf.get(entry.index);
      this.#pendingConf.delete(entry.index);
      if (waiting?.term === entry.term) waiting.resolve();
      else waiting?.reject(unavailable('the membership change was replaced by a new leader; retry'));
    }
    if (entry.type !== 'normal' || entry.data.length === 0) {
      pending?.reject(unavailable('the proposal was replaced by a new leader; retry (with the same dedup id)'));
      return;
    }
    const command = decodeCommand(entry.data);
    // The engine is deterministic: a throw here would repeat on every replica and on replay. Stop.
    const result = this.#engine.apply(entry.index, command);
    if (pending !== undefined) {
      if (pending.term === entry.term) {
        pending.resolve(result);
        if (this.#committed.length > 0) {
          const ms = this.#clock.monotonicMs() - pending.proposedMs;
          for (const observe of this.#committed) observe(command.type, ms);
        }
      } else {
        pending.reject(unavailable('the proposal was replaced by a new leader; retry (with the same dedup id)'));
      }
    }
    const expired = this.#engine.lastExpired;
    for (const listener of this.#listeners) listener(command, result, expired);
  }

  #afterAdvance(): void {
    // Proposals whose index was passed without being applied here (a snapshot jumped over them).
    for (const [index, pending] of this.#pending) {
      if (index > this.#appliedIndex) continue;
      this.#pending.delete(index);
      pending.reject(unavailable('outcome unknown after a snapshot install; retry with the same dedup id'));
    }
    if (this.#isLeader) this.#deadline.arm(this.#engine.nextDeadlineMs());
  }

  /** Repair is complete once our log matches a newer leader's up to an entry it committed in its term. */
  #repaired(): boolean {
    const floor = this.#repairAboveTerm;
    if (floor === undefined) return true;
    const status = this.#node.status();
    if (status.lead === '' || status.term <= floor || status.commit === 0) return false;
    try {
      return this.#disk.storage.term(status.commit) === status.term;
    } catch {
      return false;
    }
  }

  #restore(data: Uint8Array, index: number): void {
    const payload = decodeSnapshotPayload(data, 'installed snapshot');
    this.#engine = Engine.restore(payload.engine);
    this.#appliedIndex = index;
    this.#lastStampMs = Math.max(this.#lastStampMs, this.#engine.clockMs);
    this.#logger.info({ index, tailEntries: payload.tail.length }, 'installed a snapshot from the leader');
    this.#observer?.installedSnapshot?.(this.#id, index, payload.tail.length);
  }

  /**
   * A snapshot every snapshotEntries applied entries. It costs the engine's state only: the log
   * tail that waiting messages refer to stays in the log (a snapshot that copied it stalled this
   * replica's ready loop for 6.6 s with 390 MB waiting, long enough to lose leadership).
   */
  #snapshotDue(): boolean {
    return this.#appliedIndex - this.#disk.storage.snapshot().meta.index >= this.#snapshotEntries;
  }

  /**
   * Sends a snapshot with the log tail its messages need, read from the log off the ready loop.
   * One at a time per follower; one that cannot be built is dropped, and Raft sends again.
   */
  #sendSnapshot(message: Extract<RaftMessage, { type: 'MsgSnap' }>): void {
    if (this.#snapshotsSending.has(message.to)) return;
    this.#snapshotsSending.add(message.to);
    void this.#disk
      .fullSnapshotData(message.snapshot)
      .then((data) => {
        if (data === undefined) {
          this.#logger.info({ to: message.to, index: message.snapshot.meta.index }, 'snapshot outdated; not sent');
          return;
        }
        this.#transport.send({ ...message, snapshot: { ...message.snapshot, data } });
      })
      .catch((error: unknown) => this.#logger.warn({ err: error, to: message.to }, 'snapshot not sent'))
      .finally(() => this.#snapshotsSending.delete(message.to));
  }

  async #snapshot(keepEntries: number): Promise<void> {
    const index = this.#appliedIndex;
    const engine = this.#engine.snapshot();
    const tailStart = this.#engine.minLiveIndex() ?? index + 1;
    const startedMs = this.#clock.monotonicMs();
    // Membership as of `index`: conf changes take effect when applied, so the core's is current.
    const snapshot = await this.#disk.takeSnapshot(index, engine, tailStart, keepEntries, this.#node.status().conf);
    this.#logger.info(
      {
        index,
        tailEntries: index + 1 - tailStart,
        bytes: snapshot.data.length,
        ms: this.#clock.monotonicMs() - startedMs,
      },
      'snapshot taken',
    );
  }

  #rejectAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const pending of this.#pendingConf.values()) pending.reject(error);
    this.#pendingConf.clear();
    for (const read of this.#reads.values()) read.reject(error);
    this.#reads.clear();
  }

  #failStop(error: unknown): void {
    if (this.#failed !== undefined) return;
    this.#failed = error instanceof Error ? error : new Error(String(error));
    this.#logger.fatal({ err: this.#failed }, 'replica stopped: storage or apply failure');
    this.#cancelTick?.();
    this.#deadline.stop();
    const failure =
      this.#failed instanceof WharfError ? this.#failed : unavailable(`replica failure: ${this.#failed.message}`);
    this.#rejectAll(failure);
  }
}
