// Chaos: three real broker processes replicating one Raft group, a continuous publish/consume
// workload through the client (following the leader hints followers answer with), and faults:
// kill -9 of the leader, kill -9 of a follower, SIGSTOP/SIGCONT of a node (leader or not),
// restarts, and cut peer links: every directed peer link i→j runs through a TCP proxy in this
// process (node i dials j's peer port through it), so the test can isolate a node and heal it. Then every node runs again, the queue is drained, and a ledger proves:
//   lost = acknowledged publishes never delivered = 0
//   phantom = deliveries of payloads nobody published = 0
//   resurrected = messages whose ack was acknowledged and that came back in the drain = 0
//   reordered = first deliveries of a key (PerKey queue) out of publish order = 0
// Bounded: about a minute of faults plus the drain. Prints `chaos: ops=… faults=… lost=0 …`.
// Run: WHARF_SUITE=slow node node_modules/vitest/vitest.mjs run test/chaos
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ServiceError, status } from '@grpc/grpc-js';
import { afterAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../client/index.ts';
import { type BrokerChild, freePort, spawnBrokerChild } from './broker-process.ts';

const FAULT_PHASE_MS = Number(process.env.WHARF_CHAOS_MS ?? 60_000);
const FAULT_EVERY_MS = 5_000;
const CALL_DEADLINE_MS = 2_000;
const QUEUE = 'default/chaos';
/** PerKey ordering: each key's messages are delivered first in publish order. */
const ORDERED = 'default/chaos-ordered';
const KEYS = 16;

/** A TCP proxy for one directed peer link; cut() drops its connections and refuses new ones. */
class LinkProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;
  port = 0;

  constructor(targetPort: number) {
    this.#server = createServer((inbound) => {
      if (this.#cut) {
        inbound.destroy();
        return;
      }
      const outbound = tcpConnect(targetPort, '127.0.0.1');
      for (const [a, b] of [
        [inbound, outbound],
        [outbound, inbound],
      ] as const) {
        this.#sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.#sockets.delete(a);
          b.destroy();
        });
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  heal(): void {
    this.#cut = false;
  }

  close(): void {
    this.cut();
    this.#server.close();
  }
}

/** proxies.get(`${from}>${to}`): the link from → to. */
const proxies = new Map<string, LinkProxy>();

interface Node {
  readonly id: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  child: BrokerChild | undefined;
  paused: boolean;
}

const root = mkdtempSync(path.join(tmpdir(), 'wharf-chaos-'));
const nodes: Node[] = [];
afterAll(async () => {
  // Also when an assertion failed half-way: never leave a broker process behind.
  for (const node of nodes) await node.child?.kill9();
  for (const proxy of proxies.values()) proxy.close();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

const address = (node: Node) => `127.0.0.1:${node.clientPort}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(node: Node): Promise<void> {
  // This node reaches each other node's peer port through the proxy of that directed link.
  const peerPortOf = (n: Node) => (n === node ? n.peerPort : (proxies.get(`${node.id}>${n.id}`) as LinkProxy).port);
  const peers = nodes.map((n) => `${n.id}=127.0.0.1:${n.clientPort}:${peerPortOf(n)}`).join(',');
  node.child = await spawnBrokerChild(node.dataDir, node.clientPort, 30_000, [
    '--node-id',
    node.id,
    '--peers',
    peers,
    '--peer-port',
    String(node.peerPort),
    '--metrics-port',
    '0',
  ]);
  node.paused = false;
}

/**
 * Calls through whichever broker leads: on UNAVAILABLE it follows the `wharf-leader` trailer (or
 * the address in the message); on a deadline or a dead connection it tries the next broker.
 */
class LeaderClient {
  readonly #clients = new Map<string, WharfClient>();
  #current: string;
  hops = 0;

  constructor(first: string) {
    this.#current = first;
  }

  #client(addr: string): WharfClient {
    let client = this.#clients.get(addr);
    if (client === undefined) {
      client = connect(addr, { deadlineMs: CALL_DEADLINE_MS });
      this.#clients.set(addr, client);
    }
    return client;
  }

  /** Runs `call` against the leader; at most `attempts` tries, then the last error. */
  async run<T>(call: (client: WharfClient) => Promise<T>, attempts = 10): Promise<T> {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await call(this.#client(this.#current));
      } catch (error) {
        last = error;
        const e = error as Partial<ServiceError>;
        if (e.code !== status.UNAVAILABLE && e.code !== status.DEADLINE_EXCEEDED && e.code !== status.CANCELLED) {
          throw error;
        }
        const hinted = e.metadata?.get('wharf-leader')[0];
        const hint = typeof hinted === 'string' && hinted !== '' ? hinted : /leader: (\S+)/.exec(e.details ?? '')?.[1];
        this.hops++;
        if (hint !== undefined && hint !== this.#current) this.#current = hint;
        else {
          const all = nodes.map(address);
          this.#current = all[(all.indexOf(this.#current) + 1) % all.length] as string;
          await sleep(50 + 50 * i);
        }
      }
    }
    throw last;
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
  }
}

interface Ledger {
  /** Payloads of every publish attempted (acknowledged or not). */
  readonly attempted: Set<string>;
  /** Payloads whose publish was acknowledged. */
  readonly published: Set<string>;
  readonly received: Set<string>;
  /** Payloads whose ack was acknowledged with OUTCOME_OK. */
  readonly settled: Set<string>;
  readonly phantom: Set<string>;
  /** Ordered payloads: key and publish sequence. */
  readonly ordered: Map<string, { key: string; seq: number }>;
  /** Per key: sequence of the latest message delivered for the first time. */
  readonly lastFirst: Map<string, number>;
  readonly reordered: string[];
  ops: number;
}

/** Books one delivery: phantom and per-key order checks, then received. */
function book(ledger: Ledger, payload: string, seen: Set<string>): void {
  if (!ledger.attempted.has(payload)) ledger.phantom.add(payload);
  const order = ledger.ordered.get(payload);
  if (order !== undefined && !ledger.received.has(payload) && !seen.has(payload)) {
    const last = ledger.lastFirst.get(order.key) ?? -1;
    if (order.seq <= last) ledger.reordered.push(`${payload} after seq ${last}`);
    ledger.lastFirst.set(order.key, Math.max(last, order.seq));
  }
  seen.add(payload);
}

function workload(client: LeaderClient, ledger: Ledger) {
  let stopped = false;
  let next = 0;
  // The ordered publisher: keys round-robin, one sequence across keys, at a modest rate.
  let seq = 0;
  const orderedPublisher = (async () => {
    while (!stopped) {
      const batch = Array.from({ length: 8 }, () => {
        const n = seq++;
        const payload = `o-m${n}`;
        ledger.attempted.add(payload);
        ledger.ordered.set(payload, { key: `k${n % KEYS}`, seq: n });
        return payload;
      });
      const requests = batch.map((x) => ({
        destination: ORDERED,
        message: { payload: Buffer.from(x), dedupId: x, key: ledger.ordered.get(x)?.key ?? '' },
      }));
      try {
        await client.run((c) => c.publishBatch(requests));
        for (const x of batch) ledger.published.add(x);
        ledger.ops++;
      } catch {
        await sleep(100);
      }
      await sleep(20);
    }
  })();
  const publishers = Array.from({ length: 2 }, async (_, p) => {
    while (!stopped) {
      const payloads = Array.from({ length: 16 }, () => `p${p}-m${next++}`);
      for (const x of payloads) ledger.attempted.add(x);
      // The dedup id makes a retried batch safe: stored once even if an answer was lost.
      const requests = payloads.map((x) => ({ destination: QUEUE, message: { payload: Buffer.from(x), dedupId: x } }));
      try {
        await client.run((c) => c.publishBatch(requests));
        for (const x of payloads) ledger.published.add(x);
        ledger.ops++;
      } catch {
        await sleep(100); // not acknowledged: nothing is promised
      }
    }
  });
  const consumers = [QUEUE, ORDERED].map(async (destination) => {
    while (!stopped) {
      try {
        const { deliveries } = await client.run((c) =>
          c.receive({ destination, maxMessages: 64, wait: { nanos: 200e6 } }),
        );
        ledger.ops++;
        const seen = new Set<string>();
        for (const d of deliveries) book(ledger, d.message?.payload.toString() ?? '', seen);
        for (const x of seen) ledger.received.add(x);
        if (deliveries.length === 0) continue;
        // An ack is not retried elsewhere: a receipt is only good where it was leased.
        const results = await client.run((c) => c.ack(deliveries.map((d) => d.receipt)), 1);
        ledger.ops++;
        results.results.forEach((r, i) => {
          if (r.outcome === 'OUTCOME_OK') ledger.settled.add(deliveries[i]?.message?.payload.toString() ?? '');
        });
      } catch {
        await sleep(100);
      }
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all([...publishers, orderedPublisher, ...consumers]);
    },
  };
}

/** The member the running, unpaused brokers agree leads (undefined while there is none). */
async function leaderNode(): Promise<Node | undefined> {
  for (const node of nodes) {
    if (node.child === undefined || node.paused) continue;
    const client = connect(address(node), { deadlineMs: 1_000 });
    try {
      const view = await client.clusterStatus();
      const leader = view.members.find((m) => m.leader);
      if (leader !== undefined) return nodes.find((n) => n.id === leader.id);
    } catch {
      // not answering: ask the next
    } finally {
      client.close();
    }
  }
  return undefined;
}

it('keeps every acknowledged publish through leader kills, pauses and restarts', async () => {
  for (const id of ['wharf-1', 'wharf-2', 'wharf-3']) {
    nodes.push({
      id,
      clientPort: await freePort(),
      peerPort: await freePort(),
      dataDir: path.join(root, id),
      child: undefined,
      paused: false,
    });
  }
  for (const from of nodes) {
    for (const to of nodes) {
      if (from === to) continue;
      const proxy = new LinkProxy(to.peerPort);
      await proxy.listen();
      proxies.set(`${from.id}>${to.id}`, proxy);
    }
  }
  await Promise.all(nodes.map(start));
  const client = new LeaderClient(address(nodes[0] as Node));
  // A short lease, so deliveries cut off by a fault come back quickly for the drain.
  const spec = { ackDeadline: { seconds: 2 }, dedupWindow: { seconds: 600 } };
  await client.run((c) => c.applyQueue({ name: QUEUE, spec }), 60);
  await client.run(
    (c) => c.applyQueue({ name: ORDERED, spec: { ...spec, ordering: 'ORDERING_PER_KEY' as const } }),
    60,
  );
  const ledger: Ledger = {
    attempted: new Set(),
    published: new Set(),
    received: new Set(),
    settled: new Set(),
    phantom: new Set(),
    ordered: new Map(),
    lastFirst: new Map(),
    reordered: [],
    ops: 0,
  };
  const run = workload(client, ledger);
  const faults: string[] = [];
  const end = Date.now() + FAULT_PHASE_MS;
  for (let round = 0; Date.now() < end; round++) {
    await sleep(FAULT_EVERY_MS);
    const leader = await leaderNode();
    const others = nodes.filter((n) => n !== leader && n.child !== undefined);
    // kill -9 leader, partition leader, SIGSTOP, kill -9 follower, kill -9 leader; repeat.
    switch ([0, 4, 1, 3, 2][round % 5]) {
      case 0:
      case 2: {
        // kill -9 the leader, restart it a little later.
        const victim = leader ?? (nodes[round % 3] as Node);
        await victim.child?.kill9();
        victim.child = undefined;
        faults.push(`kill9 leader ${victim.id}`);
        await sleep(1_500);
        await start(victim);
        faults.push(`restart ${victim.id}`);
        break;
      }
      case 1: {
        // SIGSTOP a follower (or the leader every other time), SIGCONT a little later.
        const victim =
          Math.floor(round / 5) % 2 === 0 && leader !== undefined ? leader : (others[0] ?? (nodes[0] as Node));
        victim.child?.pause();
        victim.paused = true;
        faults.push(`sigstop ${victim.id}${victim === leader ? ' (leader)' : ''}`);
        await sleep(3_000);
        victim.child?.resume();
        victim.paused = false;
        faults.push(`sigcont ${victim.id}`);
        break;
      }
      case 4: {
        // Cut every peer link of the leader (both ways), heal them a little later: the others
        // elect a new leader; the old one must step down and catch up.
        const victim = leader ?? (nodes[round % 3] as Node);
        const links = [...proxies].filter(([key]) => key.split('>').includes(victim.id)).map(([, p]) => p);
        for (const link of links) link.cut();
        faults.push(`partition ${victim.id}${victim === leader ? ' (leader)' : ''}`);
        await sleep(3_000);
        for (const link of links) link.heal();
        faults.push(`heal ${victim.id}`);
        break;
      }
      case 3: {
        // kill -9 a follower, restart it.
        const victim = others[round % Math.max(1, others.length)] ?? (nodes[1] as Node);
        await victim.child?.kill9();
        victim.child = undefined;
        faults.push(`kill9 follower ${victim.id}`);
        await sleep(1_500);
        await start(victim);
        faults.push(`restart ${victim.id}`);
        break;
      }
    }
  }
  // Heal: every node runs, every link is up; the workload keeps going a little on the healed cluster.
  for (const proxy of proxies.values()) proxy.heal();
  for (const node of nodes) {
    if (node.child === undefined) await start(node);
    if (node.paused) {
      node.child?.resume();
      node.paused = false;
    }
  }
  await sleep(3_000);
  await run.stop();
  const publishedBeforeDrain = ledger.published.size;

  // Drain: what is left must cover every acknowledged publish not yet received.
  const left = new Set<string>();
  for (const destination of [QUEUE, ORDERED]) {
    for (let i = 0; i < 2_000; i++) {
      const { deliveries } = await client.run((c) =>
        c.receive({ destination, maxMessages: 500, wait: { nanos: 300e6 } }),
      );
      for (const d of deliveries) book(ledger, d.message?.payload.toString() ?? '', left);
      if (deliveries.length > 0) {
        await client.run((c) => c.ack(deliveries.map((d) => d.receipt)), 1).catch(() => undefined);
        continue;
      }
      const { status: q } = await client.run((c) => c.getQueue(destination));
      if ((q?.depth ?? 0) === 0 && (q?.inFlight ?? 0) === 0) break;
    }
  }
  client.close();
  const lost = [...ledger.published].filter((x) => !ledger.received.has(x) && !left.has(x));
  const resurrected = [...ledger.settled].filter((x) => left.has(x));
  const kinds = (prefix: string) => faults.filter((f) => f.startsWith(prefix)).length;
  console.log(
    `chaos: ops=${ledger.ops} faults=${faults.length - kinds('restart') - kinds('sigcont') - kinds('heal')} ` +
      `(kill9=${kinds('kill9')} sigstop=${kinds('sigstop')} partitions=${kinds('partition')} restarts=${kinds('restart')}) ` +
      `published=${publishedBeforeDrain} received=${ledger.received.size} settled=${ledger.settled.size} ` +
      `drained=${left.size} hops=${client.hops} lost=${lost.length} phantom=${ledger.phantom.size} resurrected=${resurrected.length} ` +
      `reordered=${ledger.reordered.length} (ordered published=${[...ledger.published].filter((x) => ledger.ordered.has(x)).length}, keys=${KEYS})`,
  );
  console.log(`chaos faults: ${faults.join(', ')}`);
  expect(lost.slice(0, 20)).toEqual([]);
  expect([...ledger.phantom].slice(0, 20)).toEqual([]);
  expect(resurrected.slice(0, 20)).toEqual([]);
  expect(ledger.reordered.slice(0, 20)).toEqual([]);
  expect(publishedBeforeDrain).toBeGreaterThan(0);
  expect(faults.length).toBeGreaterThan(0);
}, 240_000);
