// A single-member replica: the log is local, so a command is committed once the group-commit
// fdatasync that covers it returns. It is the commit path the Raft replica replaces; the engine
// does not know which one feeds it. Order of work for each command: stamp, encode, append (durable),
// apply in index order, answer.
import path from 'node:path';
import { assert } from '../../common/assert.ts';
import type { Clock } from '../../common/clock.ts';
import { unavailable, WharfError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { decodeCommand, decodePublishItem, encodeCommand } from '../engine/codec.ts';
import { Engine } from '../engine/engine.ts';
import type { ApplyResult, Command, MessageRef, PublishItem } from '../engine/types.ts';
import { type LogEntry, SegmentLog } from '../storage/segment-log.ts';
import { SnapshotStore } from '../storage/snapshot-store.ts';
import type { AppliedListener, Replica, ReplicaStats } from './replica.ts';
import { TickScheduler } from './tick-scheduler.ts';

/** Log entry type of an engine command (the only kind a single-member log holds). */
export const ENTRY_COMMAND = 1;
const TERM = 1;
const NO_FOLLOWERS: ReadonlyMap<string, number> = new Map();

export interface LocalReplicaOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodeId: string;
  /** Take an engine snapshot (and drop fully settled segments) after this many log bytes. */
  readonly snapshotLogBytes?: number;
  readonly segmentBytesMax?: number;
}

interface Pending {
  readonly index: number;
  readonly command: Command;
  readonly proposedMs: number;
  readonly resolve: (result: ApplyResult) => void;
  readonly reject: (error: Error) => void;
}

export class LocalReplica implements Replica {
  readonly #log: SegmentLog;
  readonly #snapshots: SnapshotStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #nodeId: string;
  readonly #snapshotLogBytes: number;
  readonly #listeners: AppliedListener[] = [];
  readonly #committed: ((type: Command['type'], ms: number) => void)[] = [];
  readonly #pending: Pending[] = [];
  readonly #ticks: TickScheduler;
  #engine: Engine;
  #nextIndex: number;
  #lastNowMs = 0;
  #bytesSinceSnapshot = 0;
  #snapshotting = false;
  #failed: Error | undefined;
  #closed = false;

  private constructor(log: SegmentLog, snapshots: SnapshotStore, engine: Engine, options: LocalReplicaOptions) {
    this.#log = log;
    this.#snapshots = snapshots;
    this.#engine = engine;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#nodeId = options.nodeId;
    this.#snapshotLogBytes = options.snapshotLogBytes ?? 256 * 1024 * 1024;
    this.#nextIndex = log.lastIndex() + 1;
    this.#ticks = new TickScheduler(options.clock, (nowMs) => {
      this.propose({ type: 'tick', nowMs: Math.max(nowMs, this.#lastNowMs) }).catch((error: unknown) => {
        if (!this.#closed) this.#logger.warn({ err: error }, 'tick failed');
      });
    });
  }

  /** Opens the data directory: latest snapshot, then every later log entry replayed. */
  static async open(options: LocalReplicaOptions): Promise<LocalReplica> {
    const started = options.clock.monotonicMs();
    const snapshots = new SnapshotStore(path.join(options.dataDir, 'snapshots'));
    const snapshot = await snapshots.loadLatest();
    const engine = snapshot === undefined ? new Engine() : Engine.restore(snapshot.data);
    const log = await SegmentLog.open(path.join(options.dataDir, 'log'), {
      logger: options.logger,
      ...(options.segmentBytesMax === undefined ? {} : { segmentBytesMax: options.segmentBytesMax }),
    });
    const from = Math.max(engine.appliedIndex + 1, log.firstIndex());
    assert(
      snapshot !== undefined || log.firstIndex() <= 1 || log.lastIndex() < log.firstIndex(),
      'log was compacted but no snapshot exists',
    );
    let replayed = 0;
    for (let index = from; index <= log.lastIndex(); ) {
      const entries = await log.readRange(index, log.lastIndex() + 1, 16 * 1024 * 1024);
      for (const entry of entries) {
        if (entry.type === ENTRY_COMMAND) engine.apply(entry.index, decodeCommand(entry.data));
        index = entry.index + 1;
        replayed++;
      }
    }
    if (log.lastIndex() === 0 && engine.appliedIndex > 0) await log.reset(engine.appliedIndex, TERM);
    const replica = new LocalReplica(log, snapshots, engine, options);
    replica.#lastNowMs = options.clock.nowMs();
    options.logger.info(
      {
        snapshotIndex: snapshot?.index ?? 0,
        replayed,
        lastIndex: log.lastIndex(),
        ms: Math.round(options.clock.monotonicMs() - started),
      },
      'replica recovered',
    );
    replica.#ticks.arm(engine.nextDeadlineMs());
    return replica;
  }

  get engine(): Engine {
    return this.#engine;
  }

  leaderId(): string {
    return this.#nodeId;
  }

  nowMs(): number {
    this.#lastNowMs = Math.max(this.#lastNowMs, this.#clock.nowMs());
    return this.#lastNowMs;
  }

  onApplied(listener: AppliedListener): void {
    this.#listeners.push(listener);
  }

  onCommitted(listener: (type: Command['type'], ms: number) => void): void {
    this.#committed.push(listener);
  }

  onFsync(listener: (durationMs: number) => void): void {
    this.#log.onFsync(listener);
  }

  stats(): ReplicaStats {
    const log = this.#log.stats();
    return {
      term: TERM,
      leader: true,
      lastIndex: this.#log.lastIndex(),
      commitIndex: this.#engine.appliedIndex,
      appliedIndex: this.#engine.appliedIndex,
      followerLagEntries: NO_FOLLOWERS,
      logFirstIndex: this.#log.firstIndex(),
      logBytes: log.bytes,
      logSegments: log.segments,
      fsyncs: log.fsyncs,
    };
  }

  propose(command: Command): Promise<ApplyResult> {
    if (this.#failed !== undefined) {
      return Promise.reject(unavailable(`broker storage failed, not accepting writes: ${this.#failed.message}`));
    }
    if (this.#closed) return Promise.reject(unavailable('broker is shutting down'));
    this.#lastNowMs = Math.max(this.#lastNowMs, command.nowMs);
    const index = this.#nextIndex++;
    const data = encodeCommand(command);
    this.#bytesSinceSnapshot += data.byteLength;
    return new Promise<ApplyResult>((resolve, reject) => {
      this.#pending.push({ index, command, proposedMs: this.#clock.monotonicMs(), resolve, reject });
      this.#log.append([{ index, term: TERM, type: ENTRY_COMMAND, data }]).then(
        () => this.#applyDurable(index),
        (error: unknown) => this.#failStop(error),
      );
    });
  }

  async readMessages(refs: readonly MessageRef[]): Promise<PublishItem[]> {
    const entries = new Map<number, Promise<LogEntry>>();
    for (const ref of refs) {
      if (!entries.has(ref.index)) entries.set(ref.index, this.#log.read(ref.index));
    }
    const out: PublishItem[] = [];
    for (const ref of refs) {
      const entry = await (entries.get(ref.index) as Promise<LogEntry>);
      out.push(decodePublishItem(entry.data, ref.slot));
    }
    return out;
  }

  /** Entries up to `durableIndex` are on disk: apply them in index order and answer their callers. */
  #applyDurable(durableIndex: number): void {
    while (this.#pending.length > 0) {
      const head = this.#pending[0];
      if (head === undefined || head.index > durableIndex) break;
      this.#pending.shift();
      let result: ApplyResult;
      try {
        result = this.#engine.apply(head.index, head.command);
      } catch (error) {
        // The engine is deterministic: a throw here is a bug that would repeat on replay. Stop.
        this.#failStop(error);
        head.reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      head.resolve(result);
      const expired = this.#engine.lastExpired;
      for (const listener of this.#listeners) listener(head.command, result, expired);
      if (this.#committed.length > 0) {
        const ms = this.#clock.monotonicMs() - head.proposedMs;
        for (const observe of this.#committed) observe(head.command.type, ms);
      }
    }
    this.#ticks.arm(this.#engine.nextDeadlineMs());
    if (this.#bytesSinceSnapshot >= this.#snapshotLogBytes && !this.#snapshotting) void this.#snapshot();
  }

  #failStop(error: unknown): void {
    if (this.#failed !== undefined) return;
    this.#failed = error instanceof Error ? error : new Error(String(error));
    this.#logger.fatal({ err: this.#failed }, 'replica stopped: storage or apply failure');
    const failure =
      this.#failed instanceof WharfError ? this.#failed : unavailable(`storage failure: ${this.#failed.message}`);
    for (const pending of this.#pending.splice(0)) pending.reject(failure);
    this.#ticks.stop();
  }

  /** Snapshot the engine, then drop log segments that neither replay nor any live message needs. */
  async #snapshot(): Promise<void> {
    this.#snapshotting = true;
    try {
      const index = this.#engine.appliedIndex;
      const data = this.#engine.snapshot();
      this.#bytesSinceSnapshot = 0;
      await this.#snapshots.save({ index, term: TERM }, data);
      const keepFrom = Math.min(this.#engine.minLiveIndex() ?? index + 1, index + 1);
      await this.#log.compactPrefix(keepFrom);
      this.#logger.info({ index, snapshotBytes: data.byteLength, keepFrom }, 'snapshot taken');
    } catch (error) {
      this.#logger.error({ err: error }, 'snapshot failed; will retry after more writes');
    } finally {
      this.#snapshotting = false;
    }
  }

  /** Waits for every proposed command to be applied, then closes the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ticks.stop();
    const last = this.#pending.at(-1);
    if (last !== undefined && this.#failed === undefined) {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.#pending.length === 0 || this.#failed !== undefined) resolve();
          else setTimeout(check, 5);
        };
        check();
      });
    }
    await this.#log.close();
  }
}
