// A randomized in-memory cluster for safety properties: messages reordered, dropped and duplicated,
// nodes crashing (losing everything not yet persisted) and restarting from their storage, logs
// compacted. Checkers assert the Raft safety properties (§5.2, Figure 3) after every action.
import { assert } from '../../../common/assert.ts';
import { type Random, seededRandom } from '../../../common/random.ts';
import { makeConf } from '../conf.ts';
import { raftConfig } from '../config.ts';
import { MemoryStorage } from '../memory-storage.ts';
import type { Entry, RaftMessage } from '../messages.ts';
import { RawNode } from '../rawnode.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_IN_FLIGHT_MESSAGES = 2000;

export interface ClusterOptions {
  readonly nodes: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  /** Chance per action that a node crashes. */
  readonly crashRate: number;
  /**
   * Chance per action that a node crashes and comes back with a suffix of its durable log gone (a
   * corrupt log repaired by truncation; below its snapshot, the snapshot too). Such a node repairs
   * as broker/replica's does: it neither votes nor campaigns until a leader of a later term
   * committed an entry of that term it holds. At most one node repairs at a time (a minority).
   * Optional: 0 when absent.
   */
  readonly lossRate?: number;
  /** Compact a node's log once it applied this many entries past its snapshot (0: never). */
  readonly compactEvery: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
}

interface SimNode {
  readonly id: string;
  readonly storage: MemoryStorage;
  node: RawNode;
  up: boolean;
  /** State machine: a hash chain over applied entries, so equal digests mean equal histories. */
  appliedIndex: number;
  digest: number;
  /** Set while repairing lost entries: the term above which a leader must commit before it votes. */
  repairAboveTerm: number | undefined;
}

/** FNV-1a over a string, chained onto the previous digest. */
function chain(previous: number, text: string): number {
  let hash = previous ^ 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash >>> 0;
}

export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new SafetyViolation(message);
}

export class Cluster {
  private readonly random: Random;
  private readonly options: ClusterOptions;
  readonly nodes: SimNode[] = [];
  private network: RaftMessage[] = [];
  private proposals = 0;
  private partitioned = new Set<string>();
  /** Election safety (§5.2): at most one leader per term. */
  private readonly leaders = new Map<number, string>();
  /** State machine safety: the digest of the history at each applied index. */
  private readonly appliedDigests = new Map<number, number>();
  /** Leader completeness (§5.4): committed index -> entry term, and the term that committed it. */
  private readonly committed = new Map<number, { entryTerm: number; commitTerm: number }>();
  private readonly wasLeader = new Map<string, number>();
  stats = { steps: 0, commits: 0, elections: 0, crashes: 0, snapshotsSent: 0, losses: 0, repairs: 0 };

  constructor(seed: number, options: ClusterOptions) {
    this.random = seededRandom(seed);
    this.options = options;
    const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    const conf = makeConf(ids);
    for (const id of ids) {
      const storage = new MemoryStorage(conf);
      const n: SimNode = {
        id,
        storage,
        node: this.start(id, storage, 0),
        up: true,
        appliedIndex: 0,
        digest: 0,
        repairAboveTerm: undefined,
      };
      this.nodes.push(n);
    }
  }

  private start(id: string, storage: MemoryStorage, applied: number): RawNode {
    const config = raftConfig(id, {
      electionTicks: 10,
      heartbeatTicks: 2,
      preVote: this.options.preVote,
      checkQuorum: this.options.checkQuorum,
      maxInflightMsgs: 4,
      maxSizePerMsgBytes: 128,
      applied,
    });
    return new RawNode(config, storage, seededRandom(this.random.int(2 ** 31)));
  }

  /** One random action, then the invariant checks. */
  step(): void {
    this.stats.steps++;
    const n = this.pick();
    const roll = this.random.next();
    const lossRate = this.options.lossRate ?? 0;
    if (roll < this.options.crashRate) this.crash(n);
    else if (roll < this.options.crashRate + lossRate) this.loseEntries(n);
    else if (!n.up) this.restart(n);
    else if (roll < 0.2) this.tick(n);
    else if (roll < 0.55) this.deliverOne();
    else if (roll < 0.8) this.processReady(n, false);
    else if (roll < 0.98) this.propose();
    else if (roll < 0.985) this.processReady(n, true);
    else this.repartition();
    this.checkInvariants();
  }

  /** Heal everything, then drive ticks and deliveries fairly until a new proposal is applied everywhere. */
  converge(maxRounds: number): boolean {
    this.partitioned = new Set();
    for (const n of this.nodes) if (!n.up) this.restart(n);
    let marker: string | undefined;
    for (let round = 0; round < maxRounds; round++) {
      for (const n of this.nodes) {
        if (round % 3 === 0) this.tick(n);
        this.processReady(n, false);
      }
      const inFlight = this.network;
      this.network = [];
      for (const m of inFlight) this.deliver(m);
      this.checkInvariants();
      const leader = this.nodes.find((n) => n.node.status().role === 'leader');
      if (leader !== undefined && marker === undefined) {
        try {
          marker = `final-${this.proposals}`;
          leader.node.propose(encoder.encode(marker));
        } catch {
          marker = undefined;
        }
      }
      if (marker !== undefined && this.nodes.every((n) => n.appliedIndex >= (leader?.node.status().lastIndex ?? 0))) {
        const index = this.nodes[0]?.appliedIndex ?? 0;
        if (this.nodes.every((n) => n.appliedIndex === index && n.digest === this.nodes[0]?.digest)) return true;
      }
    }
    return false;
  }

  private pick(): SimNode {
    const n = this.nodes[this.random.int(this.nodes.length)];
    assert(n !== undefined, 'node picked');
    return n;
  }

  private deliverOne(): void {
    if (this.network.length === 0) return;
    const at = this.random.int(this.network.length);
    const m = this.network[at];
    assert(m !== undefined, 'message picked');
    if (this.random.next() >= this.options.duplicateRate) this.network.splice(at, 1);
    if (this.random.next() < this.options.dropRate) return;
    this.deliver(m);
  }

  private deliver(m: RaftMessage): void {
    const to = this.nodes.find((n) => n.id === m.to);
    if (to === undefined || !to.up) return;
    if (this.partitioned.has(m.from) !== this.partitioned.has(m.to)) return;
    if (m.type === 'MsgSnap') this.stats.snapshotsSent++;
    // Repairing: not voting, so a vote request (or an order to campaign) is dropped, as if lost.
    const election = m.type === 'MsgVote' || m.type === 'MsgPreVote' || m.type === 'MsgTimeoutNow';
    if (to.repairAboveTerm !== undefined && election) return;
    to.node.step(m);
  }

  /** The Ready contract: persist, then send, then apply. `crashAfterPersist` loses the sends. */
  private processReady(n: SimNode, crashAfterPersist: boolean): void {
    if (!n.up || !n.node.hasReady()) return;
    const rd = n.node.ready();
    if (rd.snapshot !== undefined) {
      n.storage.applySnapshot(rd.snapshot);
      this.restoreStateMachine(n);
    }
    n.storage.append(rd.entries);
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    if (crashAfterPersist) {
      this.crash(n);
      return;
    }
    for (const m of rd.messages) {
      if (this.network.length >= MAX_IN_FLIGHT_MESSAGES) this.network.shift();
      this.network.push(m);
    }
    for (const entry of rd.committedEntries) this.apply(n, entry);
    n.node.advance(rd);
    this.maybeCompact(n);
    if (n.repairAboveTerm !== undefined && this.repaired(n, n.repairAboveTerm)) {
      n.repairAboveTerm = undefined;
      this.stats.repairs++;
    }
  }

  /** A repairing node counts no election ticks, so it never campaigns. */
  private tick(n: SimNode): void {
    if (n.repairAboveTerm === undefined) n.node.tick();
  }

  /** As broker/replica: our log matches a newer leader's up to an entry it committed in its term. */
  private repaired(n: SimNode, floor: number): boolean {
    const s = n.node.status();
    if (s.lead === '' || s.term <= floor || s.commit === 0) return false;
    return n.node.raftForTesting.log.term(s.commit) === s.term;
  }

  /** A crash and restart that takes a suffix of the durable log with it (one node repairs at a time). */
  private loseEntries(n: SimNode): void {
    if (this.nodes.some((other) => other !== n && other.repairAboveTerm !== undefined)) return;
    const last = n.storage.lastIndex();
    if (last === 0) return;
    this.cutLog(n, this.random.int(last));
  }

  /**
   * The case the leader must notice: a follower of the current leader crashes and comes back with
   * its log cut below the leader's match for it. False when no follower qualifies.
   */
  loseAcknowledgedEntries(): boolean {
    const leader = this.nodes.find((n) => n.up && n.node.status().role === 'leader');
    if (leader === undefined) return false;
    const progress = leader.node.status().progress;
    const repairing = this.nodes.find((n) => n.repairAboveTerm !== undefined);
    for (const n of this.nodes) {
      const match = progress.get(n.id)?.match ?? 0;
      if (n === leader || !n.up || match === 0 || (repairing !== undefined && n !== repairing)) continue;
      this.cutLog(n, this.random.int(match));
      return true;
    }
    return false;
  }

  private cutLog(n: SimNode, after: number): void {
    this.crash(n);
    this.stats.losses++;
    n.storage.loseEntriesAfter(after);
    // Acknowledgements it may have lost were sent in terms up to the one on disk.
    n.repairAboveTerm = Math.max(n.repairAboveTerm ?? 0, n.storage.hardStateNow().term);
    // Back at once: the old RawNode's view of the log is gone with the entries.
    this.restart(n);
  }

  private apply(n: SimNode, entry: Entry): void {
    check(entry.index === n.appliedIndex + 1, `${n.id} applied ${entry.index} after ${n.appliedIndex}`);
    n.appliedIndex = entry.index;
    n.digest = chain(n.digest, `${entry.term}/${entry.index}/${entry.type}/${decoder.decode(entry.data)}`);
    const seen = this.appliedDigests.get(entry.index);
    if (seen === undefined) {
      this.appliedDigests.set(entry.index, n.digest);
      this.stats.commits++;
    } else {
      check(seen === n.digest, `state machine safety: ${n.id} applied a different history at ${entry.index}`);
    }
  }

  private restoreStateMachine(n: SimNode): void {
    const snap = n.storage.snapshot();
    const [index, digest] = decoder.decode(snap.data).split(':').map(Number);
    n.appliedIndex = index ?? 0;
    n.digest = digest ?? 0;
    assert(n.appliedIndex === snap.meta.index, 'snapshot data matches its index');
    const seen = this.appliedDigests.get(n.appliedIndex);
    check(seen === undefined || seen === n.digest, `state machine safety: ${n.id} restored a different snapshot`);
  }

  private maybeCompact(n: SimNode): void {
    const every = this.options.compactEvery;
    const snapIndex = n.storage.snapshot().meta.index;
    if (every === 0 || n.appliedIndex - snapIndex < every) return;
    const data = encoder.encode(`${n.appliedIndex}:${n.digest}`);
    n.storage.createSnapshot(n.appliedIndex, n.node.status().conf, data);
    // Keep a few entries so slightly lagging followers still catch up by appends.
    n.storage.compact(Math.max(snapIndex, n.appliedIndex - 2));
  }

  /** Clients find a leader (any node that believes it leads, stale ones included). */
  private propose(): void {
    const leaders = this.nodes.filter((m) => m.up && m.node.status().role === 'leader');
    const n = leaders[this.random.int(leaders.length)];
    if (n === undefined) return;
    try {
      n.node.propose(encoder.encode(`p${this.proposals++}`));
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ProposalDroppedError')) throw error;
    }
  }

  /** A crash loses the RawNode (unstable entries, unsent messages); storage survives. */
  private crash(n: SimNode): void {
    if (!n.up) return;
    this.stats.crashes++;
    n.up = false;
  }

  private restart(n: SimNode): void {
    this.restoreStateMachine(n);
    if (n.storage.snapshot().meta.index === 0) {
      n.appliedIndex = 0;
      n.digest = 0;
    }
    n.node = this.start(n.id, n.storage, n.appliedIndex);
    n.up = true;
  }

  private repartition(): void {
    // Cut a random minority-or-majority off, or heal.
    this.partitioned = new Set();
    if (this.random.next() < 0.5) return;
    for (const n of this.nodes) if (this.random.next() < 0.4) this.partitioned.add(n.id);
  }

  checkInvariants(): void {
    for (const n of this.nodes) {
      if (!n.up) continue;
      const s = n.node.status();
      if (s.role === 'leader') {
        const other = this.leaders.get(s.term);
        check(other === undefined || other === n.id, `election safety: ${other} and ${n.id} both lead term ${s.term}`);
        this.leaders.set(s.term, n.id);
        if (this.wasLeader.get(n.id) !== s.term) {
          this.wasLeader.set(n.id, s.term);
          this.stats.elections++;
          this.checkLeaderCompleteness(n, s.term);
        }
        this.recordCommits(n, s.term, s.commit);
      }
    }
  }

  private recordCommits(n: SimNode, term: number, commit: number): void {
    const log = n.node.raftForTesting.log;
    for (let i = commit; i >= log.firstIndex() && !this.committed.has(i); i--) {
      const entryTerm = log.term(i);
      assert(entryTerm !== undefined, 'committed entry in the leader log');
      this.committed.set(i, { entryTerm, commitTerm: term });
    }
  }

  /** §5.4: a leader of term T holds every entry committed in a term before T. */
  private checkLeaderCompleteness(n: SimNode, term: number): void {
    const log = n.node.raftForTesting.log;
    for (const [index, c] of this.committed) {
      if (c.commitTerm >= term || index < log.firstIndex()) continue;
      check(
        log.term(index) === c.entryTerm,
        `leader completeness: ${n.id} leads term ${term} without committed entry ${c.entryTerm}/${index}`,
      );
    }
  }

  /** Log matching (§5.3): same index and term imply the same entry and the same log before it. */
  checkLogMatching(): void {
    const logs = this.nodes.map((n) => {
      const log = n.node.raftForTesting.log;
      return { first: log.firstIndex(), entries: log.slice(log.firstIndex(), log.lastIndex() + 1, Infinity) ?? [] };
    });
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const la = logs[a];
        const lb = logs[b];
        assert(la !== undefined && lb !== undefined, 'logs');
        const lo = Math.max(la.first, lb.first);
        const hi = Math.min(la.first + la.entries.length, lb.first + lb.entries.length) - 1;
        let matched = false;
        for (let i = hi; i >= lo; i--) {
          const ea = la.entries[i - la.first];
          const eb = lb.entries[i - lb.first];
          assert(ea !== undefined && eb !== undefined, 'entries in range');
          if (ea.term === eb.term) matched = true;
          if (matched) {
            check(
              ea.term === eb.term && decoder.decode(ea.data) === decoder.decode(eb.data) && ea.type === eb.type,
              `log matching: n${a + 1} and n${b + 1} differ at ${i} below a matching entry`,
            );
          }
        }
      }
    }
  }
}

export function runRandomSchedule(seed: number, steps: number, options: ClusterOptions): Cluster {
  const cluster = new Cluster(seed, options);
  for (let i = 0; i < steps; i++) {
    cluster.step();
    if (i % 100 === 0) cluster.checkLogMatching();
  }
  cluster.checkLogMatching();
  return cluster;
}
