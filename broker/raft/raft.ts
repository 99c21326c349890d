// The Raft role logic (Ongaro & Ousterhout §5; Ongaro's thesis for pre-vote, check-quorum,
// membership, transfer and read-index). Pure: inputs are tick(), step() and proposals; outputs are
// queued messages and the log's unstable part, which RawNode hands out in a Ready.
import { assert } from '../../common/assert.ts';
import type { Random } from '../../common/random.ts';
import {
  applyConfChange,
  type ConfChange,
  committedIndex,
  confChangeProblem,
  decodeConfChange,
  encodeConfChange,
  members,
  voteResult,
} from './conf.ts';
import type { RaftConfig } from './config.ts';
import { NotLeaderError, ProposalDroppedError } from './errors.ts';
import { RaftLog } from './log.ts';
import {
  type ConfState,
  type Entry,
  type EntryType,
  entryBytes,
  type MemberId,
  type MsgApp,
  type MsgAppResp,
  type MsgHeartbeat,
  type MsgHeartbeatResp,
  type MsgSnap,
  type MsgVote,
  type RaftMessage,
  type ReadState,
} from './messages.ts';
import { Progress } from './progress.ts';
import { ReadOnly, type ReadRequest } from './read-only.ts';
import type { RaftStorage } from './storage.ts';

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

type Outgoing = RaftMessage extends infer M ? (M extends RaftMessage ? Omit<M, 'from' | 'term'> : never) : never;

export class Raft {
  readonly id: MemberId;
  private readonly config: RaftConfig;
  private readonly random: Random;
  readonly log: RaftLog;

  term = 0;
  vote: MemberId = '';
  lead: MemberId = '';
  role: Role = 'follower';
  conf: ConfState;
  /** Index of the last conf-change entry applied to `conf` (replays skip up to here). */
  confIndex: number;

  /** Leader only: one Progress per member, including itself (its match counts durable entries). */
  readonly progress = new Map<MemberId, Progress>();
  private votes = new Map<MemberId, boolean>();
  msgs: RaftMessage[] = [];
  readStates: ReadState[] = [];

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTicks = 0;
  leadTransferee: MemberId = '';
  /** Leader: index of the latest conf change proposed; a new one waits until it is applied. */
  private pendingConfIndex = 0;
  private uncommittedBytes = 0;
  private readonly readOnly: ReadOnly;
  /** Leader: read requests made before it committed an entry of its term (thesis §6.4 step 1). */
  private pendingReads: { context: Uint8Array; from: MemberId }[] = [];

  constructor(config: RaftConfig, storage: RaftStorage, random: Random) {
    this.id = config.id;
    this.config = config;
    this.random = random;
    const { hardState, confState } = storage.initialState();
    const snapshotIndex = storage.firstIndex() - 1;
    const committed = Math.max(hardState.commit, snapshotIndex);
    this.log = new RaftLog(storage, committed, config.applied ?? snapshotIndex);
    this.conf = confState;
    this.confIndex = snapshotIndex;
    this.readOnly = new ReadOnly(config.maxPendingReadIndex);
    // Membership as of the durable commit index: replay committed conf changes now, so a restarted
    // node never counts votes with an outdated configuration.
    const committedConf = this.log.slice(snapshotIndex + 1, committed + 1, Number.POSITIVE_INFINITY) ?? [];
    for (const entry of committedConf) this.applyConfEntry(entry);
    this.reset(hardState.term);
    this.vote = hardState.vote;
  }

  // ---- ticks

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTicks) {
      this.electionElapsed = 0;
      this.campaign('election timeout');
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const pr of this.progress.values()) if (pr.state === 'snapshot') pr.snapshotTicks++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum && !this.quorumActive()) {
        this.logLine(`stepped down at term ${this.term}: no quorum heard within the election timeout`);
        this.becomeFollower(this.term, '');
        return;
      }
      if (this.leadTransferee !== '') {
        this.logLine(`aborted transfer to ${this.leadTransferee}: not done within the election timeout`);
        this.leadTransferee = '';
      }
    }
    if (this.role === 'leader' && this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(undefined);
    }
  }

  /** Check-quorum (thesis §6.2): did a quorum of voters talk to us since the last check? */
  private quorumActive(): boolean {
    let active = 0;
    for (const voter of this.conf.voters) {
      const pr = this.progress.get(voter);
      if (voter === this.id || pr?.recentActive === true) active++;
      if (pr !== undefined) pr.recentActive = false;
    }
    return active >= Math.floor(this.conf.voters.length / 2) + 1;
  }

  // ---- role changes

  private reset(term: number): void {
    if (term !== this.term) {
      assert(term > this.term, `term ${this.term} never decreases (to ${term})`);
      this.term = term;
      this.vote = '';
      // Acks queued under an older term may cover entries a newer leader has since replaced in our
      // unstable log: never let them out (they would count as durable matches that are not).
      this.msgs = this.msgs.filter((m) => m.type !== 'MsgAppResp' || m.term >= term);
    }
    this.lead = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTicks = this.config.electionTicks + this.random.int(this.config.electionTicks);
    this.leadTransferee = '';
    this.votes = new Map();
    this.progress.clear();
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.reset();
    this.pendingReads = [];
  }

  becomeFollower(term: number, lead: MemberId): void {
    this.reset(term);
    this.role = 'follower';
    this.lead = lead;
    if (term > 0) this.logLine(`became follower at term ${term}${lead ? ` (leader ${lead})` : ''}`);
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader never becomes pre-candidate');
    // Pre-vote keeps term and vote: probing must not disturb anyone (thesis §9.6).
    this.votes = new Map();
    this.lead = '';
    this.role = 'preCandidate';
    this.logLine(`became pre-candidate at term ${this.term}`);
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader never becomes candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.logLine(`became candidate at term ${this.term}`);
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.role = 'leader';
    this.lead = this.id;
    const last = this.log.lastIndex();
    for (const member of members(this.conf)) {
      const pr = this.newProgress(member, last + 1);
      if (member === this.id) {
        pr.match = this.log.persistedIndex();
        pr.becomeReplicate();
        pr.recentActive = true;
      }
      this.progress.set(member, pr);
    }
    // A conf change may still sit uncommitted in our log: wait for it before proposing another.
    this.pendingConfIndex = last;
    this.logLine(`became leader at term ${this.term}`);
    // §5.4.2 / §8: commit an entry of our own term, which commits everything before it.
    this.appendEntry('normal', new Uint8Array());
    this.bcastAppend();
  }

  private newProgress(member: MemberId, next: number): Progress {
    return new Progress(
      next,
      this.conf.learners.includes(member),
      this.config.maxInflightMsgs,
      this.config.maxInflightBytes,
    );
  }

  promotable(): boolean {
    return this.conf.voters.includes(this.id);
  }

  // ---- elections (§5.2, thesis §9.6 pre-vote, §3.10 transfer)

  /** Start an election: pre-vote first when configured, unless a transfer asked us to go now. */
  campaign(reason: string, transfer = false): void {
    if (this.role === 'leader') return;
    if (!this.promotable()) {
      this.logLine(`cannot campaign (${reason}): not a voter`);
      return;
    }
    if (this.hasUnappliedConfChange()) {
      this.logLine(`cannot campaign (${reason}): a committed conf change is not applied yet`);
      return;
    }
    this.logLine(`starting an election at term ${this.term}: ${reason}`);
    if (this.config.preVote && !transfer) {
      this.becomePreCandidate();
      this.requestVotes('MsgPreVote', this.term + 1, false);
    } else {
      this.becomeCandidate();
      this.requestVotes('MsgVote', this.term, transfer);
    }
  }

  private requestVotes(type: 'MsgVote' | 'MsgPreVote', term: number, transfer: boolean): void {
    this.votes.set(this.id, true);
    if (this.pollVotes(type)) return;
    const logTerm = this.log.lastTerm();
    const index = this.log.lastIndex();
    for (const voter of this.conf.voters) {
      if (voter === this.id) continue;
      // Pre-votes carry the term we would campaign for, without our adopting it.
      this.msgs.push({ type, from: this.id, to: voter, term, logTerm, index, transfer });
    }
  }

  /** Tally votes; returns true when the election is decided. */
  private pollVotes(type: 'MsgVote' | 'MsgPreVote'): boolean {
    const result = voteResult(this.conf, this.votes);
    if (result === 'pending') return false;
    if (result === 'lost') {
      this.logLine(`lost the ${type === 'MsgPreVote' ? 'pre-vote' : 'election'} at term ${this.term}`);
      this.becomeFollower(this.term, '');
    } else if (type === 'MsgPreVote') {
      this.becomeCandidate();
      this.requestVotes('MsgVote', this.term, false);
    } else {
      this.becomeLeader();
    }
    return true;
  }

  private hasUnappliedConfChange(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    const pending = this.log.slice(lo, this.log.committed + 1, Number.POSITIVE_INFINITY) ?? [];
    return pending.some((e) => e.type === 'confChange');
  }

  // ---- step

  step(m: RaftMessage): void {
    assert(m.to === this.id, `message for ${m.to} stepped into ${this.id}`);
    if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        // Leader stickiness: while we hear from a live leader, ignore campaigns (thesis §4.2.3).
        const inLease = this.config.checkQuorum && this.lead !== '' && this.electionElapsed < this.config.electionTicks;
        if (inLease && !m.transfer) {
          this.logLine(
            `ignored ${m.type} from ${m.from} at term ${this.term}: leader ${this.lead} is live ` +
              `(${this.config.electionTicks - this.electionElapsed} ticks left)`,
          );
          return;
        }
      }
      if (m.type === 'MsgPreVote' || (m.type === 'MsgPreVoteResp' && !m.reject)) {
        // Pre-votes never change terms; a granted pre-vote reply carries the proposed term.
      } else {
        const fromLeader = m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap';
        this.logLine(`received ${m.type} from ${m.from} with higher term ${m.term} (ours ${this.term})`);
        this.becomeFollower(m.term, fromLeader ? m.from : '');
      }
    } else if (m.term < this.term) {
      if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        // A stale leader (e.g. partitioned, never saw our term because pre-vote kept the others
        // from bumping it) learns the newer term from this and steps down.
        this.send({ type: 'MsgAppResp', to: m.from, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'MsgPreVote') {
        this.send({ type: 'MsgPreVoteResp', to: m.from, reject: true });
      }
      return;
    }

    switch (m.type) {
      case 'MsgVote':
      case 'MsgPreVote':
        this.handleVoteRequest(m);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'follower':
        this.stepFollower(m);
        return;
      case 'preCandidate':
      case 'candidate':
        this.stepCandidate(m);
        return;
      case 'leader':
        this.stepLeader(m);
        return;
    }
  }

  /** §5.2 + §5.4.1: one vote per term, only for a log at least as up-to-date as ours. */
  private handleVoteRequest(m: MsgVote): void {
    const respType = m.type === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp';
    const canVote =
      this.vote === m.from || (this.vote === '' && this.lead === '') || (m.type === 'MsgPreVote' && m.term > this.term);
    const upToDate = this.log.isUpToDate(m.index, m.logTerm);
    const where = `[last ${this.log.lastTerm()}/${this.log.lastIndex()}, vote ${this.vote || '-'}]`;
    if (canVote && upToDate) {
      this.logLine(`${where} granted ${m.type} for ${m.from} [last ${m.logTerm}/${m.index}] at term ${m.term}`);
      this.msgs.push({ type: respType, from: this.id, to: m.from, term: m.term, reject: false });
      if (m.type === 'MsgVote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      const why = canVote
        ? 'its log is behind'
        : this.vote !== ''
          ? `voted for ${this.vote}`
          : `following ${this.lead}`;
      this.logLine(`${where} rejected ${m.type} from ${m.from} [last ${m.logTerm}/${m.index}]: ${why}`);
      this.send({ type: respType, to: m.from, reject: true });
    }
  }

  private stepFollower(m: RaftMessage): void {
    switch (m.type) {
      case 'MsgApp':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case 'MsgHeartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'MsgSnap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case 'MsgTimeoutNow':
        this.logLine(`received MsgTimeoutNow from ${m.from}: campaigning for the transfer`);
        this.campaign('leadership transfer', true);
        return;
      case 'MsgReadIndexResp':
        this.readStates.push({ index: m.index, context: m.context });
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: RaftMessage): void {
    switch (m.type) {
      case 'MsgApp':
      case 'MsgHeartbeat':
      case 'MsgSnap':
        // Someone won this term (§5.2).
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case 'MsgVoteResp':
      case 'MsgPreVoteResp': {
        const expected = this.role === 'candidate' ? 'MsgVoteResp' : 'MsgPreVoteResp';
        if (m.type !== expected) return;
        this.votes.set(m.from, !m.reject);
        this.pollVotes(this.role === 'candidate' ? 'MsgVote' : 'MsgPreVote');
        return;
      }
      default:
        return;
    }
  }

  private stepLeader(m: RaftMessage): void {
    const pr = this.progress.get(m.from);
    if (m.type === 'MsgReadIndex') {
      this.handleReadIndex(m.context, m.from);
      return;
    }
    if (pr === undefined) return;
    pr.recentActive = true;
    switch (m.type) {
      case 'MsgAppResp':
        this.handleAppendResp(m, pr);
        return;
      case 'MsgHeartbeatResp':
        this.handleHeartbeatResp(m, pr);
        return;
      default:
        return;
    }
  }

  // ---- follower side of replication

  /** Tells the leader this follower's log matches its own up to `index`. */
  private acceptAppend(to: string, index: number): void {
    this.send({ type: 'MsgAppResp', to, index, reject: false, rejectHint: 0, logTerm: 0 });
  }

  private handleAppend(m: MsgApp): void {
    if (m.index < this.log.committed) {
      this.acceptAppend(m.from, this.log.committed);
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.acceptAppend(m.from, lastNew);
      return;
    }
    // Fast backtracking: name the last index whose term is <= the leader's prev term.
    const [hint, hintTerm] = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.logLine(`rejected MsgApp [${m.logTerm}/${m.index}] from ${m.from}: hint ${hintTerm}/${hint}`);
    this.send({ type: 'MsgAppResp', to: m.from, index: m.index, reject: true, rejectHint: hint, logTerm: hintTerm });
  }

  private handleHeartbeat(m: MsgHeartbeat): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'MsgHeartbeatResp', to: m.from, context: m.context });
  }

  private handleSnapshot(m: MsgSnap): void {
    const { index, term } = m.snapshot.meta;
    if (index <= this.log.committed) {
      this.acceptAppend(m.from, this.log.committed);
      return;
    }
    if (this.log.matchTerm(index, term)) {
      // We have the entries already: just learn that they are committed.
      this.log.commitTo(index);
    } else {
      this.logLine(`restored snapshot ${term}/${index}`);
      this.log.restore(m.snapshot);
      this.conf = m.snapshot.meta.conf;
      this.confIndex = index;
    }
    this.send({
      type: 'MsgAppResp',
      to: m.from,
      index: this.log.lastIndex(),
      reject: false,
      rejectHint: 0,
      logTerm: 0,
    });
  }

  // ---- leader side of replication (§5.3)

  private handleAppendResp(m: MsgAppResp, pr: Progress): void {
    if (m.reject) {
      let next = m.rejectHint;
      if (m.logTerm > 0) [next] = this.log.findConflictByTerm(m.rejectHint, m.logTerm);
      const match = pr.match;
      switch (pr.maybeDecrTo(m.index, next)) {
        case 'stale':
          return;
        case 'lost':
          // See Progress.maybeDecrTo: it counts in no quorum until it acknowledges a probe again.
          this.logLine(
            `saw ${m.from} lose acknowledged entries (match ${match}, rejection hint ${m.rejectHint}): probing from ${pr.next}`,
          );
          break;
        case 'backtrack':
          if (pr.state === 'replicate') pr.becomeProbe();
          break;
      }
      this.sendAppend(m.from, true);
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.sendAppend(m.from, true);
    this.sendAppends(m.from);
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
      this.logLine(`sent MsgTimeoutNow to ${m.from}: it has caught up`);
      this.send({ type: 'MsgTimeoutNow', to: m.from });
    }
  }

  private handleHeartbeatResp(m: MsgHeartbeatResp, pr: Progress): void {
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.state === 'snapshot' && pr.snapshotTicks >= this.config.electionTicks) {
      // The snapshot got lost (no ack within an election timeout): probe again.
      pr.becomeProbe();
    }
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
    if (m.context !== undefined) this.releaseReads(this.readOnly.recvAck(m.from, m.context, this.conf));
  }

  /** §5.3 + §5.4.2: commit the majority's match, but only by counting an entry of our own term. */
  maybeCommit(): boolean {
    const index = committedIndex(this.conf, (member) => this.progress.get(member)?.match ?? 0);
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    const wasCommittedInTerm = this.log.term(this.log.committed) === this.term;
    this.log.commitTo(index);
    if (!wasCommittedInTerm) this.servePendingReads();
    return true;
  }

  /** The leader's own entries are durable up to (index, term): its match counts for commit now. */
  persisted(index: number, term: number): void {
    if (this.role !== 'leader' || this.log.term(index) !== term) return;
    const self = this.progress.get(this.id);
    if (self?.maybeUpdate(index) && this.maybeCommit()) this.bcastAppend();
  }

  private bcastAppend(): void {
    for (const member of this.progress.keys()) {
      if (member === this.id) continue;
      this.sendAppend(member, true);
      this.sendAppends(member);
    }
  }

  /** Pipelining: keep sending while the window has room and entries remain (bounded by the window). */
  private sendAppends(to: MemberId): void {
    for (let i = 0; i < this.config.maxInflightMsgs; i++) if (!this.sendAppend(to, false)) return;
  }

  /** Send the next batch of entries to `to` (or a snapshot when they are compacted). */
  private sendAppend(to: MemberId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries =
      prevTerm === undefined
        ? undefined
        : this.log.slice(pr.next, this.log.lastIndex() + 1, this.config.maxSizePerMsgBytes);
    if (prevTerm === undefined || entries === undefined) return this.sendSnapshot(to, pr);
    if (entries.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const entry of entries) bytes += entryBytes(entry);
    this.send({ type: 'MsgApp', to, logTerm: prevTerm, index: prevIndex, entries, commit: this.log.committed });
    pr.sentEntries(prevIndex + entries.length, entries.length, bytes);
    return true;
  }

  private sendSnapshot(to: MemberId, pr: Progress): boolean {
    const snapshot = this.log.storage.snapshot();
    assert(snapshot.meta.index >= this.log.firstIndex() - 1, 'the stored snapshot covers the compacted log');
    this.logLine(`sent snapshot ${snapshot.meta.term}/${snapshot.meta.index} to ${to}: it needs compacted entries`);
    this.send({ type: 'MsgSnap', to, snapshot });
    pr.becomeSnapshot(snapshot.meta.index);
    return true;
  }

  private bcastHeartbeat(context: Uint8Array | undefined): void {
    for (const [member, pr] of this.progress) {
      if (member === this.id) continue;
      // Never tell a follower to commit past what it is known to hold.
      const commit = Math.min(pr.match, this.log.committed);
      this.send({ type: 'MsgHeartbeat', to: member, commit, context });
    }
  }

  // ---- proposals

  propose(type: EntryType, data: Uint8Array): number {
    if (this.role !== 'leader') {
      throw new NotLeaderError(`${this.id} is not the leader`, this.lead === '' ? undefined : this.lead);
    }
    if (this.leadTransferee !== '') {
      throw new ProposalDroppedError('unavailable', `leadership is moving to ${this.leadTransferee}`);
    }
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + data.length > this.config.maxUncommittedEntriesBytes) {
      throw new ProposalDroppedError(
        'resourceExhausted',
        `too many uncommitted bytes (${this.uncommittedBytes} + ${data.length} > ${this.config.maxUncommittedEntriesBytes})`,
      );
    }
    if (type === 'confChange') {
      if (this.pendingConfIndex > this.log.applied) {
        throw new ProposalDroppedError('unavailable', 'a conf change is pending: one membership change at a time');
      }
      const problem = confChangeProblem(this.conf, decodeConfChange(data));
      if (problem !== undefined) throw new ProposalDroppedError('failedPrecondition', problem);
    }
    const index = this.appendEntry(type, data);
    if (type === 'confChange') this.pendingConfIndex = index;
    this.bcastAppend();
    return index;
  }

  proposeConfChange(change: ConfChange): number {
    return this.propose('confChange', encodeConfChange(change));
  }

  private appendEntry(type: EntryType, data: Uint8Array): number {
    const index = this.log.lastIndex() + 1;
    this.uncommittedBytes += data.length;
    return this.log.append([{ term: this.term, index, type, data }]);
  }

  /** Committed entries reached the state machine: they no longer count as uncommitted. */
  reduceUncommitted(entries: readonly Entry[]): void {
    if (this.role !== 'leader') return;
    for (const entry of entries) this.uncommittedBytes = Math.max(0, this.uncommittedBytes - entry.data.length);
  }

  // ---- membership (thesis §4.1-§4.3), applied when the entry is applied

  applyConfEntry(entry: Entry): void {
    if (entry.type !== 'confChange' || entry.index <= this.confIndex) return;
    this.confIndex = entry.index;
    const change = decodeConfChange(entry.data);
    const before = this.conf;
    this.conf = applyConfChange(before, change);
    if (this.conf === before) return;
    this.logLine(
      `applied ${change.type} ${change.member}: voters=(${this.conf.voters}) learners=(${this.conf.learners})`,
    );
    if (this.role !== 'leader') return;
    if (!this.promotable()) {
      this.logLine('stepped down: removed from the voters');
      this.becomeFollower(this.term, '');
      return;
    }
    for (const member of members(this.conf)) {
      const pr = this.progress.get(member);
      if (pr === undefined) this.progress.set(member, this.newProgress(member, this.log.lastIndex()));
      else pr.isLearner = this.conf.learners.includes(member);
    }
    for (const member of [...this.progress.keys()]) {
      if (!members(this.conf).includes(member)) this.progress.delete(member);
    }
    if (this.leadTransferee !== '' && !this.conf.voters.includes(this.leadTransferee)) this.leadTransferee = '';
    // A smaller quorum may commit more now, or confirm reads.
    if (this.maybeCommit()) this.bcastAppend();
    else this.bcastAppendNew();
    this.releaseReads(this.readOnly.recheck(this.conf));
  }

  private bcastAppendNew(): void {
    for (const [member, pr] of this.progress) if (member !== this.id && pr.match === 0) this.sendAppend(member, true);
  }

  // ---- leadership transfer (thesis §3.10)

  transferLeadership(to: MemberId): void {
    if (this.role !== 'leader') {
      throw new NotLeaderError(`${this.id} is not the leader`, this.lead === '' ? undefined : this.lead);
    }
    if (to === this.id) return;
    if (!this.conf.voters.includes(to)) throw new ProposalDroppedError('failedPrecondition', `${to} is not a voter`);
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    // The transfer must finish within an election timeout, else it is aborted in tickHeartbeat.
    this.electionElapsed = 0;
    const pr = this.progress.get(to);
    assert(pr !== undefined, 'voters have progress');
    this.logLine(`transferring leadership to ${to} at term ${this.term}`);
    if (pr.match === this.log.lastIndex()) {
      this.logLine(`sent MsgTimeoutNow to ${to}: it is caught up`);
      this.send({ type: 'MsgTimeoutNow', to });
    } else {
      this.sendAppend(to, true);
    }
  }

  // ---- read index (thesis §6.4)

  readIndex(context: Uint8Array): void {
    if (this.role === 'leader') {
      this.handleReadIndex(context, this.id);
      return;
    }
    if (this.lead === '') throw new NotLeaderError(`${this.id} knows no leader for a read`);
    this.send({ type: 'MsgReadIndex', to: this.lead, context });
  }

  private handleReadIndex(context: Uint8Array, from: MemberId): void {
    if (this.readOnly.full() || this.pendingReads.length >= this.config.maxPendingReadIndex) {
      if (from === this.id) throw new ProposalDroppedError('resourceExhausted', 'too many pending read-index requests');
      return;
    }
    if (this.log.term(this.log.committed) !== this.term) {
      // Our commit index may lag the true one until an entry of our term commits.
      this.pendingReads.push({ context, from });
      return;
    }
    if (this.conf.voters.length === 1) {
      this.releaseReads([{ index: this.log.committed, context, from, acks: new Set() }]);
      return;
    }
    this.readOnly.add(this.log.committed, context, from, this.id);
    this.bcastHeartbeat(context);
  }

  private servePendingReads(): void {
    const reads = this.pendingReads;
    this.pendingReads = [];
    for (const read of reads) this.handleReadIndex(read.context, read.from);
  }

  private releaseReads(requests: readonly ReadRequest[]): void {
    for (const r of requests) {
      if (r.from === this.id) this.readStates.push({ index: r.index, context: r.context });
      else this.send({ type: 'MsgReadIndexResp', to: r.from, index: r.index, context: r.context });
    }
  }

  // ---- helpers

  private send(message: Outgoing): void {
    this.msgs.push({ ...message, from: this.id, term: this.term } as RaftMessage);
  }

  configMaxCommittedBytes(): number {
    return this.config.maxCommittedSizePerReadyBytes;
  }

  electionElapsedTicks(): number {
    return this.electionElapsed;
  }

  setRandomizedElectionTicks(ticks: number): void {
    this.randomizedElectionTicks = ticks;
  }

  logLine(line: string): void {
    this.config.logger?.(`${this.id} ${line}`);
  }
}
