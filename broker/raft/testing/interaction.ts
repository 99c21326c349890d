// The interaction-test harness (after etcd's rafttest): a few in-memory nodes driven one command at
// a time, printing what each step did, so a scenario reads as a transcript of the protocol.
// Pure: the test runner reads and writes the testdata files.
import { assert } from '../../../common/assert.ts';
import type { Random } from '../../../common/random.ts';
import { type ConfChange, makeConf } from '../conf.ts';
import { raftConfig } from '../config.ts';
import { NotLeaderError } from '../errors.ts';
import { MemoryStorage } from '../memory-storage.ts';
import type { Entry, RaftMessage, Snapshot } from '../messages.ts';
import { RawNode } from '../rawnode.ts';
import { formatConf, formatEntry, formatMessage, formatReady } from './format.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_STABILIZE_ROUNDS = 1000;

/**
 * Randomized election timeouts come out at their maximum (2 * electionTicks - 1), so `tick-election`
 * (electionTicks ticks) expires a follower's lease without making it campaign: scenarios campaign
 * explicitly, or set the timeout with set-randomized-election-timeout.
 */
export const maxRandom: Random = { next: () => 1 - 2 ** -32, int: (bound) => bound - 1 };

interface TestNode {
  readonly id: string;
  node: RawNode;
  readonly storage: MemoryStorage;
  readonly options: Options;
  /** The state machine: data of applied normal entries, in order. */
  applied: string[];
  appliedIndex: number;
}

type Options = Record<string, string>;

export interface Command {
  readonly name: string;
  readonly args: readonly string[];
  readonly options: Options;
}

export function parseCommand(line: string): Command {
  const tokens = line.match(/[^\s=]+=\([^)]*\)|\S+/g) ?? [];
  const [name, ...rest] = tokens;
  assert(name !== undefined, 'empty command');
  const args: string[] = [];
  const options: Options = {};
  for (const token of rest) {
    const eq = token.indexOf('=');
    if (eq > 0) options[token.slice(0, eq)] = token.slice(eq + 1).replace(/^\((.*)\)$/, '$1');
    else args.push(token);
  }
  return { name, args, options };
}

const list = (value: string | undefined): string[] => (value === undefined || value === '' ? [] : value.split(','));

export class InteractionEnv {
  private readonly nodes = new Map<string, TestNode>();
  /** Messages sent (after their Ready was persisted) and not yet delivered, per recipient. */
  private readonly inbox = new Map<string, RaftMessage[]>();
  /** Nodes cut off from everyone outside their side. */
  private isolated = new Set<string>();
  private out: string[] = [];
  private logging = true;

  handle(command: Command): string {
    this.out = [];
    const { name, args, options } = command;
    const node = (at = 0) => this.node(args[at]);
    switch (name) {
      case 'log-level':
        this.logging = args[0] !== 'none';
        break;
      case 'add-nodes':
        this.addNodes(Number(args[0]), options);
        break;
      case 'campaign':
        node().node.campaign();
        break;
      case 'tick':
        for (let i = 0; i < Number(args[1] ?? 1); i++) node().node.tick();
        break;
      case 'tick-election':
        for (const id of args) this.ticks(this.node(id), Number(this.node(id).options.election ?? 10));
        break;
      case 'tick-heartbeat':
        for (const id of args) this.ticks(this.node(id), Number(this.node(id).options.heartbeat ?? 1));
        break;
      case 'set-randomized-election-timeout':
        node().node.raftForTesting.setRandomizedElectionTicks(Number(options.timeout));
        break;
      case 'process-ready':
        for (const id of args) this.processReady(this.node(id), args.length > 1);
        break;
      case 'deliver-msgs':
        for (const id of args) this.deliver(this.node(id), options.drop === 'true', args.length > 1);
        break;
      case 'stabilize':
        this.stabilize(args.length > 0 ? args : [...this.nodes.keys()]);
        break;
      case 'propose':
        this.attempt(() => node().node.propose(encoder.encode(args[1] ?? '')));
        break;
      case 'propose-conf-change':
        this.attempt(() => node().node.proposeConfChange(confChange(args[1], args[2])));
        break;
      case 'transfer-leadership':
        this.attempt(() => node().node.transferLeadership(args[1] ?? ''));
        break;
      case 'read-index':
        this.attempt(() => node().node.readIndex(encoder.encode(args[1] ?? '')));
        break;
      case 'compact':
        this.compact(node(), Number(args[1]));
        break;
      case 'partition':
        this.isolated = new Set(args);
        break;
      case 'heal':
        this.isolated = new Set();
        break;
      case 'restart':
        for (const id of args) {
          // truncate=N: the node comes back with its log cut after N (a repaired corrupt log).
          if (options.truncate !== undefined) this.node(id).storage.loseEntriesAfter(Number(options.truncate));
          this.restart(this.node(id));
        }
        break;
      case 'raft-state':
        for (const n of this.nodes.values()) this.raftState(n);
        break;
      case 'log':
        this.printLog(node());
        break;
      case 'status':
        this.printStatus(node());
        break;
      case 'applied':
        for (const id of args.length > 0 ? args : [...this.nodes.keys()]) {
          const n = this.node(id);
          this.out.push(`${id}: [${n.applied.join(' ')}] at ${n.appliedIndex}`);
        }
        break;
      default:
        throw new Error(`unknown command "${name}"`);
    }
    // log-level none silences whole transcripts (setup steps), not only the log lines.
    if (!this.logging && name !== 'log-level') return 'ok';
    return this.out.length === 0 ? 'ok' : this.out.join('\n');
  }

  private node(id: string | undefined): TestNode {
    const n = id === undefined ? undefined : this.nodes.get(id);
    assert(n !== undefined, `no node "${id}"`);
    return n;
  }

  private attempt(action: () => unknown): void {
    try {
      action();
    } catch (error) {
      const hint =
        error instanceof NotLeaderError && error.leaderHint !== undefined ? ` (leader ${error.leaderHint})` : '';
      this.out.push(`error: ${error instanceof Error ? `${error.name}: ${error.message}${hint}` : String(error)}`);
    }
  }

  private addNodes(count: number, options: Options): void {
    const start = this.nodes.size + 1;
    const ids = Array.from({ length: count }, (_, i) => String(start + i));
    const conf = makeConf(options.voters === undefined ? ids : list(options.voters), list(options.learners));
    const index = Number(options.index ?? 0);
    for (const id of ids) {
      const snapshot: Snapshot | undefined =
        index > 0 ? { meta: { index, term: 1, conf }, data: encoder.encode('[]') } : undefined;
      const storage = new MemoryStorage(conf, snapshot);
      const n: TestNode = {
        id,
        storage,
        options,
        node: this.newRawNode(id, storage, options),
        applied: [],
        appliedIndex: index,
      };
      this.nodes.set(id, n);
      this.inbox.set(id, []);
    }
  }

  private newRawNode(id: string, storage: MemoryStorage, options: Options): RawNode {
    const config = raftConfig(id, {
      electionTicks: Number(options.election ?? 10),
      heartbeatTicks: Number(options.heartbeat ?? 1),
      preVote: options.prevote === 'true',
      checkQuorum: options.checkquorum === 'true',
      maxInflightMsgs: Number(options['max-inflight'] ?? 256),
      maxSizePerMsgBytes: Number(options['max-msg-bytes'] ?? 1024 * 1024),
      maxUncommittedEntriesBytes: Number(options['max-uncommitted-bytes'] ?? 1024 * 1024),
      logger: (line) => {
        if (this.logging) this.out.push(line);
      },
    });
    return new RawNode(config, storage, maxRandom);
  }

  private ticks(n: TestNode, count: number): void {
    for (let i = 0; i < count; i++) n.node.tick();
  }

  /** Persist, then send, then apply: the Ready contract. */
  private processReady(n: TestNode, header: boolean): boolean {
    if (!n.node.hasReady()) return false;
    const rd = n.node.ready();
    const lines = formatReady(rd);
    if (header) this.out.push(`> ${n.id} handling Ready`, ...lines.map((l) => `  ${l}`));
    else this.out.push(...lines);
    if (rd.snapshot !== undefined) {
      n.storage.applySnapshot(rd.snapshot);
      n.applied = JSON.parse(decoder.decode(rd.snapshot.data)) as string[];
      n.appliedIndex = rd.snapshot.meta.index;
    }
    n.storage.append(rd.entries);
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) this.inbox.get(m.to)?.push(m);
    for (const entry of rd.committedEntries) this.apply(n, entry);
    n.node.advance(rd);
    return true;
  }

  private apply(n: TestNode, entry: Entry): void {
    assert(entry.index === n.appliedIndex + 1, `${n.id} applies ${entry.index} after ${n.appliedIndex}`);
    n.appliedIndex = entry.index;
    if (entry.type === 'normal' && entry.data.length > 0) n.applied.push(decoder.decode(entry.data));
  }

  private deliver(n: TestNode, drop: boolean, header: boolean): boolean {
    const msgs = this.inbox.get(n.id) ?? [];
    if (msgs.length === 0) return false;
    this.inbox.set(n.id, []);
    if (header) this.out.push(`> ${n.id} receiving messages`);
    const indent = header ? '  ' : '';
    for (const m of msgs) {
      const cut = this.isolated.has(m.from) !== this.isolated.has(m.to);
      if (drop || cut) {
        this.out.push(`${indent}dropped: ${formatMessage(m)}`);
        continue;
      }
      this.out.push(`${indent}${formatMessage(m)}`);
      const before = this.out.length;
      n.node.step(m);
      for (let i = before; i < this.out.length; i++) this.out[i] = `${indent}${this.out[i]}`;
    }
    return true;
  }

  private stabilize(ids: readonly string[]): void {
    for (let round = 0; round < MAX_STABILIZE_ROUNDS; round++) {
      let busy = false;
      for (const id of ids) busy = this.processReady(this.node(id), true) || busy;
      for (const id of ids) busy = this.deliver(this.node(id), false, true) || busy;
      if (!busy) return;
    }
    throw new Error(`stabilize did not settle in ${MAX_STABILIZE_ROUNDS} rounds`);
  }

  private compact(n: TestNode, index: number): void {
    assert(index <= n.appliedIndex, 'compact only what the state machine applied');
    // The snapshot's state is the state machine at `index`: drop what was applied after it.
    const after = n.storage.entries(index + 1, n.appliedIndex + 1, Number.POSITIVE_INFINITY);
    const laterData = after.filter((e) => e.type === 'normal' && e.data.length > 0).length;
    const state = n.applied.slice(0, n.applied.length - laterData);
    n.storage.createSnapshot(index, n.node.status().conf, encoder.encode(JSON.stringify(state)));
    n.storage.compact(index);
    this.printLog(n);
  }

  private restart(n: TestNode): void {
    // A crash: the RawNode and its unstable log vanish; the state machine restarts from the snapshot.
    const snap = n.storage.snapshot();
    n.applied = JSON.parse(decoder.decode(snap.data.length > 0 ? snap.data : encoder.encode('[]'))) as string[];
    n.appliedIndex = snap.meta.index;
    n.node = this.newRawNode(n.id, n.storage, n.options);
  }

  private raftState(n: TestNode): void {
    const s = n.node.status();
    this.out.push(
      `${n.id}: ${s.role} term=${s.term} lead=${s.lead || '-'} vote=${s.vote || '-'} commit=${s.commit} ` +
        `applied=${s.applied} last=${s.lastIndex} ${formatConf(s.conf)}`,
    );
  }

  private printLog(n: TestNode): void {
    const raft = n.node.raftForTesting;
    const first = raft.log.firstIndex();
    const last = raft.log.lastIndex();
    const snap = n.storage.snapshot().meta;
    if (snap.index > 0) this.out.push(`snapshot ${snap.term}/${snap.index} ${formatConf(snap.conf)}`);
    const entries = raft.log.slice(first, last + 1, Number.POSITIVE_INFINITY) ?? [];
    if (entries.length === 0 && snap.index === 0) this.out.push('log is empty');
    for (const e of entries) this.out.push(formatEntry(e));
  }

  private printStatus(n: TestNode): void {
    const s = n.node.status();
    for (const [member, pr] of s.progress) this.out.push(`${member}: ${pr.state} match=${pr.match} next=${pr.next}`);
    if (s.progress.size === 0) this.out.push(`${n.id} is ${s.role}: no progress tracked`);
  }
}

function confChange(type: string | undefined, member: string | undefined): ConfChange {
  assert(member !== undefined, 'conf change needs a member');
  switch (type) {
    case 'add-learner':
      return { type: 'addLearner', member };
    case 'promote':
      return { type: 'promote', member };
    case 'remove':
      return { type: 'remove', member };
    default:
      throw new Error(`unknown conf change "${type}"`);
  }
}

/** One directive of a testdata file and its recorded output. */
interface Block {
  readonly comments: readonly string[];
  readonly line: string;
  readonly expected: string;
}

export function parseScript(source: string): { blocks: Block[]; trailer: string[] } {
  const lines = source.split('\n');
  const blocks: Block[] = [];
  let comments: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.startsWith('#')) {
      comments.push(line);
      i++;
      continue;
    }
    assert(lines[i + 1] === '----', `line ${i + 2}: expected ---- after "${line}"`);
    const output: string[] = [];
    i += 2;
    while (i < lines.length && (lines[i] ?? '') !== '') output.push(lines[i++] ?? '');
    blocks.push({ comments, line, expected: output.join('\n') });
    comments = [];
  }
  return { blocks, trailer: comments };
}

/** Replay a script; returns the file as it should read with the actual outputs. */
export function runScript(source: string): string {
  const { blocks, trailer } = parseScript(source);
  const env = new InteractionEnv();
  const parts: string[] = [];
  for (const block of blocks) {
    let actual: string;
    try {
      actual = env.handle(parseCommand(block.line));
    } catch (error) {
      actual = `panic: ${error instanceof Error ? error.message : String(error)}`;
    }
    parts.push(...block.comments, block.line, '----', actual);
  }
  parts.push(...trailer);
  let result = parts.join('\n');
  if (!result.endsWith('\n')) result += '\n';
  return result;
}
