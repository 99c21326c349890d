// The durable state of one Raft group on one replica, over the real storage classes: the segment
// log (entries, and below the snapshot index the bodies live messages still need), the hard state
// file and the snapshot store, all on an injected StorageFs. The Raft core reads storage
// synchronously, so a MemoryStorage mirrors what is durable (entries after the snapshot); it is
// updated only after the disk write it mirrors has been fsynced.
import { join } from 'node:path';
import { assert } from '../../common/assert.ts';
import { CorruptLogError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { makeConf } from '../raft/conf.ts';
import { MemoryStorage } from '../raft/memory-storage.ts';
import type { ConfState, Entry, EntryType, HardState, MemberId, Snapshot } from '../raft/messages.ts';
import { isNotFound, readWholeFile, replaceFileAtomically } from '../storage/file-io.ts';
import { HardStateFile } from '../storage/hard-state.ts';
import type { LogEntry } from '../storage/log-entry.ts';
import { SegmentLog } from '../storage/segment-log.ts';
import { SnapshotStore } from '../storage/snapshot-store.ts';
import { nodeStorageFs, type StorageFs } from '../storage/storage-fs.ts';
import { carriesTail, decodeSnapshotPayload, encodeSnapshotPayload, type SnapshotPayload } from './snapshot-payload.ts';

export const ENTRY_NORMAL = 1;
export const ENTRY_CONF_CHANGE = 2;
const READ_BATCH_BYTES = 16 * 1024 * 1024;
/**
 * Present while the replica repairs corrupt data; holds the term above which a leader must commit
 * before the replica votes again. Durable, so a restart during repair (when the corrupt files are
 * already in quarantine and the log looks merely short) does not forget it.
 */
const REPAIR_MARKER = 'repairing';

export interface RaftDiskOptions {
  readonly dataDir: string;
  readonly fs?: StorageFs;
  readonly logger: Logger;
  /** Voters of a group that has no snapshot yet. */
  readonly members: readonly MemberId[];
  readonly segmentBytesMax?: number;
}

/** A restart re-learns at most this many commits from the leader (the commit index is a hint). */
const COMMIT_WRITE_EVERY_ENTRIES = 1_024;

export interface OpenedDisk {
  readonly disk: RaftDisk;
  /** The engine state of the newest snapshot, if any, and the index it covers. */
  readonly engineSnapshot: Uint8Array | undefined;
  readonly snapshotIndex: number;
  /** Set while the replica repairs corrupt data: it must not vote until a leader of a later term than this committed. */
  readonly repairAboveTerm: number | undefined;
}

export class RaftDisk {
  readonly storage: MemoryStorage;
  readonly #log: SegmentLog;
  readonly #hardState: HardStateFile;
  readonly #snapshots: SnapshotStore;
  readonly #logger: Logger;
  readonly #fs: StorageFs;
  readonly #dir: string;
  #savedHard: HardState;
  /** A commit-only hard state waiting for the write in flight to finish. */
  #commitPending: HardState | undefined;
  #commitWriting = false;
  #commitWrittenIndex: number;

  private constructor(
    storage: MemoryStorage,
    log: SegmentLog,
    hardState: HardStateFile,
    snapshots: SnapshotStore,
    logger: Logger,
    savedHard: HardState,
    fs: StorageFs,
    dir: string,
  ) {
    this.#fs = fs;
    this.#dir = dir;
    this.storage = storage;
    this.#log = log;
    this.#hardState = hardState;
    this.#snapshots = snapshots;
    this.#logger = logger;
    this.#savedHard = savedHard;
    this.#commitWrittenIndex = savedHard.commit;
  }

  /**
   * Opens the group's directory. A corrupt log or snapshot is never read as a shorter valid one:
   * the damaged files are moved to `quarantine/` and the replica starts from what is intact (the
   * hard state: term and vote are kept, so it cannot vote twice in a term), reporting the
   * corruption so the caller stops voting until the leader has repaired it. A corrupt hard state
   * file is fatal (the vote is unknown): open throws CorruptLogError.
   */
  static async open(options: RaftDiskOptions): Promise<OpenedDisk> {
    const fs = options.fs ?? nodeStorageFs;
    const logger = options.logger;
    const hardStateFile = new HardStateFile(options.dataDir, { fs });
    const hard = await hardStateFile.load();
    const snapshotDir = join(options.dataDir, 'snapshots');
    const logDir = join(options.dataDir, 'log');
    const snapshots = new SnapshotStore(snapshotDir, { fs, logger, retainCount: 1 });
    const marker = await readWholeFile(fs, join(options.dataDir, REPAIR_MARKER));
    let repairAboveTerm = marker === undefined ? undefined : Number(marker.toString('utf8'));
    if (repairAboveTerm !== undefined && !Number.isSafeInteger(repairAboveTerm)) repairAboveTerm = hard?.term ?? 0;
    // The marker is durable before anything is moved to quarantine: a crash in between must not
    // leave an emptied replica that votes as if it had never acknowledged anything.
    const quarantineFor = async (dir: string, name: string): Promise<void> => {
      // Acknowledgements we may have lost were sent in terms up to the one on disk.
      const term = Math.max(repairAboveTerm ?? 0, hard?.term ?? 0);
      if (repairAboveTerm !== term) {
        await replaceFileAtomically(fs, options.dataDir, REPAIR_MARKER, [Buffer.from(String(term))]);
        repairAboveTerm = term;
      }
      await quarantine(fs, dir, join(options.dataDir, 'quarantine', name));
    };
    let corruption: CorruptLogError | undefined;
    let stored: { index: number; term: number; data: Uint8Array } | undefined;
    let payload: SnapshotPayload | undefined;
    try {
      stored = await snapshots.loadLatest();
      payload = stored === undefined ? undefined : decodeSnapshotPayload(stored.data, snapshotDir);
    } catch (error) {
      if (!(error instanceof CorruptLogError)) throw error;
      corruption = error;
      stored = undefined;
      payload = undefined;
      await quarantineFor(snapshotDir, 'snapshots');
    }
    const logOptions = {
      fs,
      logger,
      ...(options.segmentBytesMax === undefined ? {} : { segmentBytesMax: options.segmentBytesMax }),
    };
    let log: SegmentLog;
    try {
      // A corrupt snapshot takes the log with it: the log below the snapshot may be gone already.
      if (corruption !== undefined) await quarantineFor(logDir, 'log');
      log = await SegmentLog.open(logDir, logOptions);
    } catch (error) {
      if (!(error instanceof CorruptLogError)) throw error;
      corruption = error;
      await quarantineFor(logDir, 'log');
      log = await SegmentLog.open(logDir, logOptions);
    }
    // A log that starts after the snapshot (or, with none, after index 1) lost its link to it: a
    // crash between quarantining a corrupt snapshot and its log leaves that. Unusable: repaired.
    const snapshotIndex = stored?.index ?? 0;
    if (log.lastIndex() >= log.firstIndex() && log.firstIndex() > snapshotIndex + 1) {
      corruption ??= new CorruptLogError(
        logDir,
        0,
        `the log starts at ${log.firstIndex()}, after the snapshot at ${snapshotIndex} that should precede it`,
      );
      await log.close();
      await quarantineFor(logDir, 'log');
      log = await SegmentLog.open(logDir, logOptions);
    }
    // Our own snapshot leaves the bodies of waiting messages in the log. A log that lost them (it
    // was quarantined, or lost its end) cannot serve that snapshot's messages: both go, and the
    // leader repairs this replica with a snapshot that carries them.
    if (stored !== undefined && payload !== undefined && !carriesTail(payload, stored.index)) {
      const holds =
        log.firstIndex() <= payload.tailStart &&
        log.lastIndex() >= stored.index &&
        log.term(stored.index) === stored.term;
      if (!holds) {
        corruption ??= new CorruptLogError(
          logDir,
          0,
          `the log no longer holds entries ${payload.tailStart}..${stored.index} that snapshot ${stored.index} needs`,
        );
        stored = undefined;
        payload = undefined;
        await log.close();
        await quarantineFor(snapshotDir, 'snapshots');
        await quarantineFor(logDir, 'log');
        log = await SegmentLog.open(logDir, logOptions);
      }
    }
    if (corruption !== undefined) {
      logger.error(
        { err: corruption, file: corruption.file, offset: corruption.offset },
        'own data is corrupt: moved to quarantine; not voting in this group until repaired from the leader',
      );
    }

    const conf = payload?.conf ?? makeConf(options.members);
    const snapshot: Snapshot | undefined =
      stored === undefined || payload === undefined
        ? undefined
        : { meta: { index: stored.index, term: stored.term, conf }, data: stored.data };
    const storage = new MemoryStorage(conf, snapshot);
    const snapIndex = snapshot?.meta.index ?? 0;
    const snapTerm = snapshot?.meta.term ?? 0;
    if (payload !== undefined) await alignLogWithSnapshot(log, snapIndex, snapTerm, payload.tail);
    // Entries after the snapshot, into the mirror the Raft core reads.
    for (let index = Math.max(snapIndex + 1, log.firstIndex()); index <= log.lastIndex(); ) {
      const entries = await log.readRange(index, log.lastIndex() + 1, READ_BATCH_BYTES);
      storage.append(entries.map(toRaftEntry));
      index += entries.length;
    }
    const lastIndex = storage.lastIndex();
    const term = Math.max(hard?.term ?? 0, snapTerm);
    const vote = hard !== undefined && hard.term === term ? hard.vote : '';
    // The saved commit may be ahead of a log that lost its corrupt part, or behind a snapshot.
    const commit = Math.min(Math.max(hard?.commit ?? 0, snapIndex), lastIndex);
    const savedHard = { term, vote, commit };
    storage.setHardState(savedHard);
    if (corruption !== undefined && repairAboveTerm === undefined) {
      // Quarantine already wrote the marker; this is for a corruption that moved nothing.
      repairAboveTerm = hard?.term ?? 0;
      await replaceFileAtomically(fs, options.dataDir, REPAIR_MARKER, [Buffer.from(String(repairAboveTerm))]);
    }
    logger.info({ snapshotIndex: snapIndex, lastIndex, term, vote, commit, repairAboveTerm }, 'raft disk opened');
    return {
      disk: new RaftDisk(storage, log, hardStateFile, snapshots, logger, savedHard, fs, options.dataDir),
      engineSnapshot: payload?.engine,
      snapshotIndex: snapIndex,
      repairAboveTerm,
    };
  }

  /**
   * Makes a Ready's snapshot, entries and hard state durable (in that order). Resolves once
   * everything a message of the Ready could acknowledge is fsynced: entries, term and vote. A
   * change of the commit index alone is written later, without waiting (a lower commit after a
   * crash is safe: Raft does not need it durable, and it is learned again from the leader).
   */
  async persist(snapshot: Snapshot | undefined, entries: readonly Entry[], hard: HardState | undefined): Promise<void> {
    if (snapshot !== undefined) await this.#installSnapshot(snapshot);
    const first = entries[0];
    if (first !== undefined) {
      const log = this.#log;
      if (first.index <= log.lastIndex()) void log.truncateSuffix(first.index).catch(() => {});
      await log.append(entries.map(toLogEntry));
      this.storage.append(entries);
    }
    if (hard !== undefined) {
      const saved = this.#savedHard;
      this.#savedHard = hard;
      if (hard.term !== saved.term || hard.vote !== saved.vote) {
        this.#commitPending = undefined;
        this.#commitWrittenIndex = hard.commit;
        await this.#hardState.save(hard);
      } else if (hard.commit - this.#commitWrittenIndex >= COMMIT_WRITE_EVERY_ENTRIES) {
        this.#writeCommitLater(hard);
      }
      this.storage.setHardState(hard);
    }
  }

  /**
   * The commit index alone is written in the background, coalesced (one write in flight, the newest
   * value next) and only every COMMIT_WRITE_EVERY_ENTRIES entries: each write is an atomic file
   * replacement with two fsyncs, which would otherwise compete with the log's on every Ready.
   */
  #writeCommitLater(hard: HardState): void {
    this.#commitPending = hard;
    this.#commitWrittenIndex = hard.commit;
    if (this.#commitWriting) return;
    this.#commitWriting = true;
    void (async () => {
      try {
        for (let next = this.#commitPending; next !== undefined; next = this.#commitPending) {
          this.#commitPending = undefined;
          await this.#hardState.save(next);
        }
      } catch (error) {
        this.#logger.warn({ err: error }, 'saving the commit index failed');
      } finally {
        this.#commitWriting = false;
      }
    })();
  }

  /** A leader's snapshot replaces our state: stored first, then the log reset to its tail. */
  async #installSnapshot(snapshot: Snapshot): Promise<void> {
    const payload = decodeSnapshotPayload(snapshot.data, 'snapshot from the leader');
    // A leader always sends the tail (fullSnapshotData): one without it would leave messages
    // whose bodies this replica never had.
    assert(carriesTail(payload, snapshot.meta.index), `snapshot ${snapshot.meta.index} came without its log tail`);
    assert(
      payload.tail.length === 0 || payload.tail[payload.tail.length - 1]?.index === snapshot.meta.index,
      `snapshot ${snapshot.meta.index} carries a tail that does not end at it`,
    );
    await this.#snapshots.save({ index: snapshot.meta.index, term: snapshot.meta.term }, snapshot.data);
    await alignLogWithSnapshot(this.#log, snapshot.meta.index, snapshot.meta.term, payload.tail, true);
    this.storage.applySnapshot(snapshot);
  }

  /**
   * Snapshots our own state at `index` (applied): the engine's state and where the log tail that
   * live messages refer to starts (`tailStart`); the tail itself stays in the log. Then drops log
   * segments nobody needs: below the tail, and below `index - keepEntries` (kept for lagging
   * followers).
   */
  async takeSnapshot(
    index: number,
    engine: Uint8Array,
    tailStart: number,
    keepEntries: number,
    /** Membership as of `index`. */
    conf: ConfState,
  ): Promise<Snapshot> {
    const previous = this.storage.snapshot().meta.index;
    assert(index > previous && index <= this.storage.lastIndex(), `snapshot at ${index} (previous ${previous})`);
    const from = Math.max(Math.min(tailStart, index + 1), this.#log.firstIndex());
    const data = encodeSnapshotPayload({ conf, engine, tailStart: from, tail: [] });
    const term = this.storage.term(index);
    await this.#snapshots.save({ index, term }, data);
    const snapshot = this.storage.createSnapshot(index, conf, data);
    const keepFrom = Math.max(previous, index - keepEntries);
    this.storage.compact(keepFrom);
    await this.#log.compactPrefix(Math.min(from, keepFrom + 1));
    return snapshot;
  }

  /**
   * `snapshot` as a follower must receive it: with the log tail its messages need. Undefined when
   * the log has dropped part of it meanwhile (a newer snapshot compacted it): Raft sends again.
   */
  async fullSnapshotData(snapshot: Snapshot): Promise<Uint8Array | undefined> {
    const index = snapshot.meta.index;
    const payload = decodeSnapshotPayload(snapshot.data, 'own snapshot');
    if (carriesTail(payload, index)) return snapshot.data;
    if (this.#log.firstIndex() > payload.tailStart) return undefined;
    const tail: LogEntry[] = [];
    try {
      for (let at = payload.tailStart; at <= index; ) {
        const entries = await this.#log.readRange(at, index + 1, READ_BATCH_BYTES);
        if (entries.length === 0) return undefined;
        for (const entry of entries) tail.push(entry);
        at += entries.length;
      }
    } catch (error) {
      this.#logger.warn({ err: error, index, tailStart: payload.tailStart }, 'snapshot tail no longer readable');
      return undefined;
    }
    return encodeSnapshotPayload({ ...payload, tail });
  }

  /** Repair finished: the replica may vote again (durably, before it does). */
  async clearRepairMarker(): Promise<void> {
    try {
      await this.#fs.unlink(join(this.#dir, REPAIR_MARKER));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.#fs.syncDir(this.#dir);
  }

  /** A stored entry, also below the snapshot index while a live message needs its body. */
  read(index: number): Promise<LogEntry> {
    return this.#log.read(index);
  }

  /** Hears how long each fsync of the log took (see SegmentLog.onFsync). */
  onFsync(listener: (durationMs: number) => void): void {
    this.#log.onFsync(listener);
  }

  stats(): { firstIndex: number; bytes: number; segments: number; fsyncs: number } {
    const s = this.#log.stats();
    return { firstIndex: this.#log.firstIndex(), bytes: s.bytes, segments: s.segments, fsyncs: s.fsyncs };
  }

  /** Whether persisting `hard` changes what must be durable before a vote or term is acted on. */
  changesTermOrVote(hard: HardState): boolean {
    return hard.term !== this.#savedHard.term || hard.vote !== this.#savedHard.vote;
  }

  /** A clean stop writes the latest commit index, so a restart applies everything it had. */
  async close(): Promise<void> {
    this.#commitPending = undefined;
    await this.#hardState.save(this.#savedHard).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'saving the commit index failed');
    });
    await this.#log.close();
  }
}

/**
 * Makes the log hold the snapshot's tail and end at its index, unless it already holds the
 * snapshot's entry (same index and term: by log matching it holds the tail and a valid suffix).
 */
async function alignLogWithSnapshot(
  log: SegmentLog,
  index: number,
  term: number,
  tail: readonly LogEntry[],
  replace = false,
): Promise<void> {
  const tailStart = tail[0]?.index ?? index + 1;
  const holds =
    !replace &&
    log.firstIndex() <= tailStart &&
    log.lastIndex() >= index &&
    (index < log.firstIndex() || log.term(index) === term);
  if (holds) return;
  await log.reset(tailStart - 1, 0);
  if (tail.length > 0) await log.append(tail);
}

/** Moves every file of `dir` into `to` (kept for a person to look at, never read again). */
async function quarantine(fs: StorageFs, dir: string, base: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.list(dir);
  } catch {
    return;
  }
  // One numbered folder per quarantine: a second corruption never overwrites the first one's files.
  await fs.mkdirs(base);
  const to = join(base, String((await fs.list(base)).length));
  await fs.mkdirs(to);
  for (const name of names) await fs.rename(join(dir, name), join(to, name));
  await fs.syncDir(dir);
  await fs.syncDir(to);
}

function toLogEntry(entry: Entry): LogEntry {
  return {
    index: entry.index,
    term: entry.term,
    type: entry.type === 'normal' ? ENTRY_NORMAL : ENTRY_CONF_CHANGE,
    data: entry.data,
  };
}

function toRaftEntry(entry: LogEntry): Entry {
  const type: EntryType = entry.type === ENTRY_CONF_CHANGE ? 'confChange' : 'normal';
  return { index: entry.index, term: entry.term, type, data: entry.data };
}
