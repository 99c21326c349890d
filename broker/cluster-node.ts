// This broker as a member of a Raft group (cluster mode): the RaftReplica over the data
// directory's raft-0/, the peer transport, the address book of the members, and the membership
// operations the Admin API exposes.
//
// Membership changes go one at a time and in the safe order (thesis §4.2-§4.3): AddMember adds
// the new member as a learner (it gets the log but does not vote), waits until it has caught up
// with the commit index, then promotes it to voter. RemoveMember of the leader itself first hands
// leadership to another caught-up voter, so the group never waits out an election timeout.
//
// Addresses travel in the log: an addLearner change carries the new member's
// `host:clientPort:peerPort`, so every member learns it by applying the change, and the address
// book is kept in members.json beside raft-0/ (a restart does not depend on --peers listing
// members added later). A member started with `join` has no configuration of its own: it neither
// campaigns nor votes until a leader adds it and sends it a snapshot.
import { randomInt } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '../common/clock.ts';
import {
  deadlineExceeded,
  failedPrecondition,
  invalidArgument,
  NotLeaderError,
  notFound,
  unavailable,
} from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { seededRandom } from '../common/random.ts';
import type { TlsFiles } from '../common/tls.ts';
import type { Member } from '../proto/gen/wharf/v1/Member.ts';
import { type ClusterView, notLeaderError } from './api/cluster.ts';
import type { BrokerOptions, ClusterMember } from './broker.ts';
import type { Engine } from './engine/engine.ts';
import type { ApplyResult, Command, MessageRef, PublishItem } from './engine/types.ts';
import type { ConfChange } from './raft/conf.ts';
import type { ConfState, MemberId } from './raft/messages.ts';
import { systemTimers } from './replica/io.ts';
import { RaftReplica } from './replica/raft-replica.ts';
import type { AppliedListener, Replica, ReplicaStats } from './replica/replica.ts';
import { PeerTransport } from './transport/peer-transport.ts';

export interface OpenCluster {
  readonly replica: Replica;
  readonly view: ClusterView;
  readonly peerAddress: string;
  /** Starts watching leadership; `gained` runs each time this member becomes leader. */
  watch(gained: () => void): void;
  /**
   * Before a graceful stop: a leader hands leadership to the best-placed voter, so the group
   * serves again without waiting out an election timeout. Best effort: never throws.
   */
  handOver(): Promise<void>;
  close(): Promise<void>;
}

/** How often leadership and a learner's progress are looked at. */
const POLL_MS = 50;
/** How long AddMember waits for a learner to catch up before it answers (it may be called again). */
const CATCH_UP_MS_DEFAULT = 60_000;
const MEMBERS_FILE = 'members.json';
/** How long a hand-over waits for consumers to give back what they held. */
const RELEASE_WAIT_MS = 1_000;
/** A stop waits this long for leadership to move (a transfer is aborted after an election timeout). */
const HAND_OVER_WAIT_MS = 2_000;

/** Parses one member's `host:clientPort:peerPort` (the form --peers and AddMember use). */
export function parseMemberAddress(id: string, address: string): ClusterMember {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5}):(\d{1,5})$/.exec(address);
  if (match === null) throw invalidArgument(`member ${id}: address "${address}" is not host:clientPort:peerPort`);
  const [, host, client, peer] = match as unknown as [string, string, string, string];
  return { id, clientAddress: `${host}:${client}`, peerAddress: `${host}:${peer}` };
}

const memberAddress = (m: ClusterMember): string =>
  `${m.clientAddress}:${m.peerAddress.slice(m.peerAddress.lastIndexOf(':') + 1)}`;

export async function openCluster(
  options: BrokerOptions,
  nodeId: string,
  host: string,
  logger: Logger,
  /** Mutual TLS on the peer port (plaintext when undefined). */
  tls?: TlsFiles,
): Promise<OpenCluster> {
  const listed = options.peers ?? [];
  const self = listed.find((m) => m.id === nodeId);
  if (self === undefined) throw invalidArgument(`--peers does not list this member (${nodeId})`);
  const book = new AddressBook(join(options.dataDir, MEMBERS_FILE), logger);
  await book.load(listed);
  const peerPort = options.peerPort ?? Number(self.peerAddress.slice(self.peerAddress.lastIndexOf(':') + 1));
  const transport = await PeerTransport.start({
    self: nodeId,
    peers: new Map(book.all().map((m) => [m.id, m.peerAddress])),
    host,
    port: peerPort,
    logger: logger.child({ component: 'peer-transport' }),
    ...(tls === undefined ? {} : { tls }),
  });
  let raft: RaftReplica;
  try {
    raft = await RaftReplica.open({
      id: nodeId,
      // The bootstrap configuration, used until a snapshot records one. A joining member has none.
      members: options.join === true ? [] : listed.map((m) => m.id),
      dataDir: join(options.dataDir, 'raft-0'),
      clock: options.clock ?? systemClock,
      timers: systemTimers,
      transport,
      random: seededRandom(randomInt(2 ** 31)),
      logger,
      ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
    });
  } catch (error) {
    await transport.close();
    throw error;
  }
  transport.onReceive((message) => raft.receive(message));
  raft.onConfChange((change) => {
    if (change.type === 'addLearner' && change.context !== undefined) {
      const member = parseMemberAddress(change.member, change.context);
      transport.setPeer(member.id, member.peerAddress);
      book.set(member);
    } else if (change.type === 'remove' && change.member !== nodeId) {
      transport.removePeer(change.member);
      book.remove(change.member);
    }
    if (change.type === 'remove' && change.member === nodeId) {
      logger.warn('removed from the group: this member no longer takes part (stop it)');
    }
  });
  const addressOf = (id: string) => book.get(id)?.clientAddress;
  const notLeader = () => notLeaderError(nodeId, raft.leaderId(), addressOf);
  const lost = new Set<() => void | Promise<void>>();
  // Before leadership moves on purpose: end our consumers while we still lead, so their nacks commit.
  const releaseConsumers = async (): Promise<void> => {
    const released = Promise.allSettled([...lost].map((listener) => listener()));
    await Promise.race([released, delay(RELEASE_WAIT_MS)]);
  };
  const membership = new MembershipOps(
    raft,
    nodeId,
    notLeader,
    options.catchUpMs ?? CATCH_UP_MS_DEFAULT,
    releaseConsumers,
  );
  const memberList = (): Member[] => {
    const conf = raft.raftStatus().conf;
    return [...conf.voters.map((id) => [id, true] as const), ...conf.learners.map((id) => [id, false] as const)].map(
      ([id, voter]) => ({
        id,
        address: book.get(id)?.clientAddress ?? '',
        voter,
        leader: id === raft.leaderId(),
        healthy: id === nodeId ? raft.failure === undefined : transport.healthy(id),
      }),
    );
  };
  const view: ClusterView = {
    clusterId: options.clusterId ?? 'wharf',
    isLeader: () => raft.isLeader(),
    notLeader,
    members: memberList,
    onLeadershipLost: (listener) => {
      lost.add(listener);
      return () => lost.delete(listener);
    },
    addMember: async (id, address) => {
      const member = parseMemberAddress(id, address);
      await membership.add(member.id, memberAddress(member));
      return memberList();
    },
    removeMember: async (id) => {
      await membership.remove(id);
      return memberList();
    },
    transferLeadership: (to, from) => membership.transfer(to, from),
  };
  let poll: NodeJS.Timeout | undefined;
  return {
    replica: new HintingReplica(raft, notLeader),
    view,
    peerAddress: `${host}:${transport.port}`,
    watch(gained) {
      let leading = raft.isLeader();
      poll = setInterval(() => {
        const now = raft.isLeader();
        if (now === leading) return;
        leading = now;
        if (now) gained();
        else for (const listener of [...lost]) listener();
      }, POLL_MS);
      poll.unref();
    },
    async handOver() {
      if (!raft.isLeader() || raft.raftStatus().conf.voters.length < 2) return;
      try {
        await membership.transfer('', '', HAND_OVER_WAIT_MS);
        logger.info({ leader: raft.leaderId() }, 'handed leadership over before stopping');
      } catch (error) {
        logger.warn({ err: error }, 'could not hand leadership over before stopping; the others will elect one');
      }
    },
    async close() {
      if (poll !== undefined) clearInterval(poll);
      await transport.close();
      await book.flushed();
    },
  };
}

/** AddMember, RemoveMember and TransferLeadership on the leader, in the safe order. */
class MembershipOps {
  readonly #raft: RaftReplica;
  readonly #self: MemberId;
  readonly #notLeader: () => NotLeaderError;
  readonly #catchUpMs: number;
  readonly #beforeHandOver: () => Promise<void>;

  constructor(
    raft: RaftReplica,
    self: MemberId,
    notLeader: () => NotLeaderError,
    catchUpMs: number,
    beforeHandOver: () => Promise<void>,
  ) {
    this.#raft = raft;
    this.#self = self;
    this.#notLeader = notLeader;
    this.#catchUpMs = catchUpMs;
    this.#beforeHandOver = beforeHandOver;
  }

  /** Idempotent: a member already a voter is left alone; a learner is promoted once caught up. */
  async add(id: MemberId, address: string): Promise<void> {
    this.#requireLeader();
    if (this.#conf().voters.includes(id)) return;
    if (!this.#conf().learners.includes(id)) {
      await this.#change({ type: 'addLearner', member: id, context: address });
    }
    const target = this.#raft.raftStatus().commit;
    const caughtUp = await this.#until(this.#catchUpMs, () => (this.#match(id) ?? 0) >= target);
    if (!caughtUp) {
      throw deadlineExceeded(
        `${id} joined as a learner but has not caught up within ${this.#catchUpMs} ms ` +
          `(at ${this.#match(id) ?? 0} of ${target}); call AddMember again to promote it once it has`,
      );
    }
    await this.#change({ type: 'promote', member: id });
  }

  async remove(id: MemberId): Promise<void> {
    this.#requireLeader();
    const conf = this.#conf();
    if (!conf.voters.includes(id) && !conf.learners.includes(id)) return;
    if (id === this.#self) {
      // Hand over first; the new leader removes us when the caller retries there (the answer names it).
      await this.transfer('', this.#self);
      for (let waitedMs = 0; waitedMs < 5_000 && this.#raft.leaderId() === ''; waitedMs += POLL_MS)
        await delay(POLL_MS);
      throw this.#notLeader();
    }
    await this.#change({ type: 'remove', member: id });
  }

  /** Moves leadership off `from` (default: this leader) to `to` (default: the most caught-up voter). */
  async transfer(to: MemberId, from: MemberId, waitMs = 5_000): Promise<void> {
    if (from !== '' && from !== this.#self && this.#raft.leaderId() !== from) {
      if (!this.#conf().voters.includes(from) && !this.#conf().learners.includes(from)) {
        throw notFound(`no member ${from}`);
      }
      return; // it leads nothing: done.
    }
    this.#requireLeader();
    const target = to === '' ? this.#bestSuccessor() : to;
    if (target === this.#self) return;
    if (!this.#conf().voters.includes(target)) throw failedPrecondition(`${target} is not a voting member`);
    await this.#beforeHandOver();
    this.#raft.transferLeadership(target);
    // The core aborts a transfer not done within an election timeout; wait a little longer.
    const moved = await this.#until(waitMs, () => !this.#raft.isLeader());
    if (!moved) throw unavailable(`leadership did not move to ${target}; try again`);
  }

  #bestSuccessor(): MemberId {
    const voters = this.#conf().voters.filter((v) => v !== this.#self);
    if (voters.length === 0) throw failedPrecondition('no other voting member to hand leadership to');
    return voters.reduce((best, v) => ((this.#match(v) ?? 0) > (this.#match(best) ?? 0) ? v : best));
  }

  async #change(change: ConfChange): Promise<void> {
    // The core takes one change at a time; a previous one may still be applying.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#raft.changeMembership(change);
        return;
      } catch (error) {
        const busy = error instanceof Error && /pending|in progress|one at a time|unapplied/i.test(error.message);
        if (!busy || attempt >= 100) throw error;
        await delay(POLL_MS);
      }
    }
  }

  #requireLeader(): void {
    if (!this.#raft.isLeader()) throw this.#notLeader();
  }

  #conf(): ConfState {
    return this.#raft.raftStatus().conf;
  }

  #match(id: MemberId): number | undefined {
    return this.#raft.raftStatus().progress.get(id)?.match;
  }

  async #until(timeoutMs: number, done: () => boolean): Promise<boolean> {
    for (let waitedMs = 0; waitedMs <= timeoutMs; waitedMs += POLL_MS) {
      if (done()) return true;
      if (!this.#raft.isLeader()) throw this.#notLeader();
      await delay(POLL_MS);
    }
    return done();
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where each member listens, kept durably so a restart knows members added after it started. */
class AddressBook {
  readonly #file: string;
  readonly #logger: Logger;
  readonly #members = new Map<MemberId, ClusterMember>();
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string, logger: Logger) {
    this.#file = file;
    this.#logger = logger;
  }

  /** What the log taught us, then --peers on top: the flags say where listed members are now. */
  async load(listed: readonly ClusterMember[]): Promise<void> {
    let text: string | undefined;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch {
      // none yet: no member was added or removed since this one started
    }
    try {
      const saved = text === undefined ? [] : (JSON.parse(text) as { id: string; address: string }[]);
      for (const { id, address } of saved) this.#members.set(id, parseMemberAddress(id, address));
    } catch (error) {
      this.#logger.warn({ err: error, file: this.#file }, 'ignoring an unreadable address book');
    }
    for (const m of listed) this.#members.set(m.id, m);
  }

  all(): ClusterMember[] {
    return [...this.#members.values()];
  }

  get(id: MemberId): ClusterMember | undefined {
    return this.#members.get(id);
  }

  set(member: ClusterMember): void {
    this.#members.set(member.id, member);
    this.#save();
  }

  remove(id: MemberId): void {
    if (this.#members.delete(id)) this.#save();
  }

  flushed(): Promise<void> {
    return this.#writing;
  }

  /** Addresses are hints (the log holds the truth and is replayed), so no fsync is needed here. */
  #save(): void {
    const text = JSON.stringify(this.all().map((m) => ({ id: m.id, address: memberAddress(m) })));
    this.#writing = this.#writing.then(async () => {
      try {
        await writeFile(`${this.#file}.tmp`, text);
        await rename(`${this.#file}.tmp`, this.#file);
      } catch (error) {
        this.#logger.warn({ err: error, file: this.#file }, 'could not save the address book');
      }
    });
  }
}

/** A RaftReplica whose refusals on a follower name the leader's client address, not its member id. */
class HintingReplica implements Replica {
  readonly #inner: RaftReplica;
  readonly #notLeader: () => NotLeaderError;

  constructor(inner: RaftReplica, notLeader: () => NotLeaderError) {
    this.#inner = inner;
    this.#notLeader = notLeader;
  }

  get engine(): Engine {
    return this.#inner.engine;
  }

  nowMs(): number {
    return this.#inner.nowMs();
  }

  propose(command: Command): Promise<ApplyResult> {
    return this.#inner.propose(command).catch((error: unknown) => {
      throw error instanceof NotLeaderError ? this.#notLeader() : error;
    });
  }

  readMessages(refs: readonly MessageRef[]): Promise<PublishItem[]> {
    return this.#inner.readMessages(refs);
  }

  readBarrier(): Promise<void> {
    return this.#inner.readBarrier().catch((error: unknown) => {
      throw error instanceof NotLeaderError ? this.#notLeader() : error;
    });
  }

  onApplied(listener: AppliedListener): void {
    this.#inner.onApplied(listener);
  }

  leaderId(): string {
    return this.#inner.leaderId();
  }

  stats(): ReplicaStats {
    return this.#inner.stats();
  }

  onCommitted(listener: (type: Command['type'], ms: number) => void): void {
    this.#inner.onCommitted(listener);
  }

  onFsync(listener: (durationMs: number) => void): void {
    this.#inner.onFsync(listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
