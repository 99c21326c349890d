// The simulated world: N replicas running the real RaftReplica (+ Engine + SegmentLog + snapshot
// and hard-state files) over simulated disks, a simulated network and simulated clocks with skew,
// and the faults injected into them: crashes and restarts, torn writes, bit flips on a minority,
// partitions (also one-way), drops, duplicates and delays.

import type { RaftMessage } from '../../broker/raft/messages.ts';
import type { Timers } from '../../broker/replica/io.ts';
import { RaftReplica } from '../../broker/replica/raft-replica.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import { type Random, seededRandom } from '../../common/random.ts';
import { Checker, hashString } from './checker.ts';
import { EventQueue } from './event-queue.ts';
import { SimNetwork } from './network.ts';
import { SimDisk } from './sim-disk.ts';

export const START_MS = 1_700_000_000_000;
const EVENTS_MAX = 200_000;
/** SIM_DEBUG=1 prints the world's notable events as they happen. */
const DEBUG = process.env.SIM_DEBUG === '1';

export interface WorldOptions {
  readonly nodes: number;
  /** Snapshot every this many applied entries (small, so snapshots and installs happen). */
  readonly snapshotEntries: number;
  readonly segmentBytesMax: number;
}

export interface SimNode {
  readonly id: string;
  readonly disk: SimDisk;
  /** Bit flips may hit this node's disk (a minority of nodes only). */
  readonly flippable: boolean;
  up: boolean;
  incarnation: number;
  replica: RaftReplica | undefined;
  skewMs: number;
  rate: number;
  openFailure: string | undefined;
}

export class World {
  readonly events = new EventQueue(START_MS, EVENTS_MAX);
  readonly random: Random;
  readonly network: SimNetwork;
  readonly checker = new Checker();
  readonly nodes: SimNode[] = [];
  readonly ids: string[];
  readonly #options: WorldOptions;
  readonly #logger: Logger;
  trace = 0x811c9dc5;
  stats = {
    crashes: 0,
    restarts: 0,
    flips: 0,
    torn: 0,
    partitions: 0,
    snapshotsInstalled: 0,
    snapshotTails: 0,
    repairs: 0,
  };
  readonly notes: string[] = [];

  constructor(seed: number, options: WorldOptions, logger: Logger) {
    this.random = seededRandom(seed);
    this.#options = options;
    this.#logger = logger;
    this.network = new SimNetwork(this.events, seededRandom(this.random.int(2 ** 31)), (m) => this.#deliver(m));
    this.ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    const flippable = Math.floor((options.nodes - 1) / 2);
    for (const [i, id] of this.ids.entries()) {
      this.nodes.push({
        id,
        disk: new SimDisk(this.events, seededRandom(this.random.int(2 ** 31))),
        flippable: i < flippable,
        up: false,
        incarnation: 0,
        replica: undefined,
        skewMs: 0,
        rate: 1,
        openFailure: undefined,
      });
    }
  }

  get nowMs(): number {
    return this.events.nowMs;
  }

  note(text: string): void {
    if (DEBUG) console.log(`${(this.nowMs - START_MS).toFixed(1)} ${text}`);
    this.trace = hashString(`${Math.round(this.nowMs - START_MS)}:${text}`, this.trace);
  }

  node(id: string): SimNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  start(n: SimNode): void {
    if (n.up) return;
    n.up = true;
    n.incarnation++;
    n.skewMs = Math.round((this.random.next() - 0.5) * 6000);
    n.rate = 0.9 + this.random.next() * 0.2;
    const incarnation = n.incarnation;
    this.note(`start ${n.id}`);
    const clock: Clock = {
      nowMs: () => Math.floor(this.events.nowMs) + n.skewMs,
      monotonicMs: () => this.events.nowMs - START_MS,
    };
    const timers: Timers = {
      after: (delayMs, fire) => {
        const event = this.events.after(delayMs * n.rate, () => {
          if (n.incarnation === incarnation && n.up) fire();
        });
        return () => {
          event.cancelled = true;
        };
      },
    };
    const checker = this.checker;
    RaftReplica.open({
      id: n.id,
      members: this.ids,
      dataDir: '/data',
      fs: n.disk.fs(),
      clock,
      timers,
      transport: { send: (m) => this.network.send(m) },
      random: seededRandom(this.random.int(2 ** 31)),
      logger: this.#logger,
      tickMs: 10,
      electionTicks: 10,
      heartbeatTicks: 1,
      snapshotEntries: this.#options.snapshotEntries,
      keepEntries: 20,
      segmentBytesMax: this.#options.segmentBytesMax,
      observer: {
        applied: (member, index, term, data) => {
          const first = checker.applied(member, index, term, data);
          this.#lastApplied = { index, first };
        },
        becameLeader: (member, term) => {
          this.note(`leader ${member} ${term} last=${this.node(member).replica?.raftStorage.lastIndex()}`);
          const replica = this.node(member).replica;
          if (replica !== undefined) checker.becameLeader(member, term, replica);
        },
        persisted: (member, entries) => checker.persisted(member, entries),
        installedSnapshot: (_member, _index, tailEntries) => {
          this.stats.snapshotsInstalled++;
          if (tailEntries > 0) this.stats.snapshotTails++;
        },
      },
      onApplied: (command, result, expired) => {
        const last = this.#lastApplied;
        if (last?.first === true) checker.model(last.index, command, result, expired);
      },
    }).then(
      (replica) => {
        if (n.incarnation !== incarnation || !n.up) return;
        n.replica = replica;
        if (replica.repairing) this.stats.repairs++;
        const st = replica.raftStatus();
        this.note(
          `opened ${n.id} term=${st.term} last=${st.lastIndex} commit=${st.commit} repairing=${replica.repairing}`,
        );
      },
      (error: unknown) => {
        if (n.incarnation !== incarnation) return;
        n.openFailure = String(error);
        this.notes.push(`${n.id} failed to open: ${String(error)}`);
      },
    );
  }

  #lastApplied: { index: number; first: boolean } | undefined;

  crash(n: SimNode, torn: boolean, flip: boolean): void {
    if (!n.up) return;
    this.stats.crashes++;
    this.note(`crash ${n.id}`);
    n.up = false;
    n.incarnation++;
    n.replica = undefined;
    n.disk.crash({ torn });
    if (torn) this.stats.torn++;
    if (flip && n.flippable) {
      const where = n.disk.flipBit('/data', /\/log\/|\/snapshots\//);
      if (where !== undefined) {
        this.stats.flips++;
        this.note(`bit flip on ${n.id}: ${where}`);
      }
    }
  }

  restart(n: SimNode): void {
    if (n.up) return;
    this.stats.restarts++;
    this.start(n);
  }

  /** The replica that believes it leads with the highest term, if any. */
  leader(): RaftReplica | undefined {
    let best: RaftReplica | undefined;
    for (const n of this.nodes) {
      const r = n.replica;
      if (r === undefined || !n.up || !r.isLeader()) continue;
      if (best === undefined || r.raftStatus().term > best.raftStatus().term) best = r;
    }
    return best;
  }

  #deliver(message: RaftMessage): void {
    const n = this.nodes.find((x) => x.id === message.to);
    if (n === undefined || !n.up || n.replica === undefined) return;
    n.replica.receive(message);
  }
}
