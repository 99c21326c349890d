// The publish/consume benchmark: Wharf beside the ceiling of a Node broker on this machine, in
// the same run (../shared/ceiling/run.sh), reported as fractions of the matching ceiling row.
//   npm run bench -- [--secs 8] [--only NAME,...] [--nodes 1|3] [--via direct|sidecar|both] [--repeat N]
//                    [--memory 1000000] [--no-ceiling] [--json]
// --via both runs each workload directly and then through the sidecar, back to back (--repeat
// times, alternating), so both see the same machine load; sidecar/direct is the ratio of the medians.
// 1 KiB payloads, fsync before every acknowledgement, one broker process, one client process.
// --pin puts the brokers on CPU 0 and the client and sidecar on CPU 1 (see the option).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, type WharfClient } from '../client/index.ts';
import type { ConsumeResponse__Output } from '../proto/gen/wharf/v1/ConsumeResponse.ts';
import { type BrokerProcess, spawnBroker, spawnCluster, spawnSidecar } from './broker-process.ts';
import { LatencyRecorder, type Row } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    secs: { type: 'string', default: '8' },
    only: { type: 'string', default: '' },
    memory: { type: 'string', default: '0' },
    'no-ceiling': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    port: { type: 'string', default: '50299' },
    /** direct: to the broker; sidecar: through a sidecar process; both: each, with the ratio. */
    via: { type: 'string', default: 'direct' },
    /** Broker processes: 1, or a Raft group of 3 (every message on 3 replicas, fsynced on 2 before the answer). */
    nodes: { type: 'string', default: '1' },
    /** Runs of each workload per target (alternating direct and sidecar); rows report the median. */
    repeat: { type: 'string', default: '1' },
    /**
     * Places processes as a deployment does: brokers on CPU 0, this client and the sidecar on CPU 1
     * (an app pod's sidecar uses the app's CPU, not the brokers'). Without it all share both CPUs.
     */
    pin: { type: 'boolean', default: false },
    /** Direct runs give every message a fresh dedup_id, as the sidecar does for messages without one. */
    dedup: { type: 'boolean', default: false },
  },
});
const secs = Number(args.secs);
const payload = Buffer.alloc(1024, 0x61);
const CEILING = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../shared/ceiling/run.sh');

let dedupCounter = 0;
const dedupPrefix = `bench-${process.pid}-${Date.now()}-`;
/** A dedup_id as long as the sidecar's (`sc-` and a UUID). */
const nextDedupId = (): string => `${dedupPrefix}${String(dedupCounter++).padStart(12, '0')}`;

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

function runCeiling(): Map<string, number> {
  const rows = new Map<string, number>();
  if (args['no-ceiling']) return rows;
  if (!existsSync(CEILING)) {
    progress(`ceiling script not found at ${CEILING}; fractions are left out`);
    return rows;
  }
  progress(`ceiling: ${CEILING} ${secs} (about ${secs * 4 + 10}s)`);
  const out = execFileSync('bash', [CEILING, String(secs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const row = JSON.parse(line) as { mode: string; batch: number; window: number; msgs_per_s: number };
    rows.set(`${row.mode} ${row.batch} ${row.window}`, row.msgs_per_s);
  }
  return rows;
}

/** Processes whose CPU time is measured over each workload's timed part (name → CPU seconds so far). */
const cpuProbes = new Map<string, () => number>();
let cpuAtStart = new Map<string, number>();

/** Marks the start of a workload's timed part (after setup such as filling a queue). */
function startTimed(): void {
  cpuAtStart = new Map([...cpuProbes].map(([name, read]) => [name, read()]));
}

/** Runs `worker` on `concurrency` loops until the time is up; each call returns messages done. */
async function loops(
  concurrency: number,
  worker: () => Promise<number>,
): Promise<{ count: number; latency: LatencyRecorder; seconds: number }> {
  const latency = new LatencyRecorder();
  let count = 0;
  startTimed();
  const started = performance.now();
  const endMs = started + secs * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endMs) {
        const t0 = performance.now();
        // Not `count += await ...`: that reads `count` before the await and loses concurrent updates.
        const done = await worker();
        count += done;
        latency.record(performance.now() - t0);
      }
    }),
  );
  return { count, latency, seconds: (performance.now() - started) / 1000 };
}

async function freshQueue(client: WharfClient, name: string): Promise<string> {
  const full = `bench/${name}`;
  await client.applyQueue({ name: full, spec: { retention: { maxMessages: 100_000_000, maxBytes: 200 * 1024 ** 3 } } });
  return full;
}

type Workload = (client: WharfClient) => Promise<Row>;

const workloads: Record<string, Workload> = {
  'publish-sync': async (client) => {
    const q = await freshQueue(client, 'sync');
    const r = await loops(1, async () => {
      await client.publish(q, { payload });
      return 1;
    });
    return row('Publish, 1 in flight', r);
  },
  'publish-unary': async (client) => {
    const q = await freshQueue(client, 'unary');
    // The raw generated client, as the ceiling's client uses: this measures the broker, not our wrapper.
    const publish = () =>
      new Promise<number>((resolve, reject) =>
        client.broker.Publish({ destination: q, message: { payload } }, (e) => (e ? reject(e) : resolve(1))),
      );
    const r = await loops(256, publish);
    return row('Publish, 256 in flight', r, 'unary 1 256');
  },
  'publish-batch': async (client) => {
    const q = await freshQueue(client, 'batch');
    const requests = Array.from({ length: 64 }, (_, i) => ({
      destination: q,
      message: { payload, key: `k${i % 16}`, dedupId: '' },
    }));
    const batch = () =>
      new Promise<number>((resolve, reject) => {
        if (args.dedup) for (const r of requests) r.message.dedupId = nextDedupId();
        client.broker.PublishBatch({ requests }, (e, r) => (e || !r ? reject(e) : resolve(r.responses.length)));
      });
    const r = await loops(8, batch);
    return row('PublishBatch 64, 8 in flight', r, 'unary 64 8');
  },
  'publish-stream': async (client) => {
    const q = await freshQueue(client, 'stream');
    const stream = client.broker.PublishStream();
    const windowMax = 256;
    const latency = new LatencyRecorder();
    const sentAt = new Map<string, number>();
    let acked = 0;
    let next = 0;
    startTimed();
    const started = performance.now();
    const endMs = started + secs * 1000;
    await new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        while (sentAt.size < windowMax && performance.now() < endMs) {
          const requestId = String(next++);
          sentAt.set(requestId, performance.now());
          stream.write({ destination: q, message: { payload }, requestId });
        }
        if (sentAt.size === 0) resolve();
      };
      stream.on('data', (response: { requestId: string }) => {
        latency.record(performance.now() - (sentAt.get(response.requestId) ?? 0));
        sentAt.delete(response.requestId);
        acked++;
        pump();
      });
      stream.on('error', reject);
      pump();
    });
    stream.end();
    return row(
      'PublishStream, window 256',
      { count: acked, latency, seconds: (performance.now() - started) / 1000 },
      'stream 1 256',
    );
  },
  'consume-ack': async (client) => {
    const q = await freshQueue(client, 'consume');
    // Fill the queue with more than a run can drain (measured from the batch rate), then consume.
    const target = 60_000 * secs;
    const requests = Array.from({ length: 64 }, () => ({ destination: q, message: { payload } }));
    // What an earlier run left counts (repeats share the queue).
    let filled = Number((await client.getQueue(q)).status?.depth ?? 0);
    progress(`  filling ${q} with ${Math.max(0, target - filled)} messages`);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (filled < target) {
          const done = (await client.publishBatch(requests)).responses.length;
          filled += done;
        }
      }),
    );
    // The raw Consume stream, as a lean client in any language would drive it: acks go back in
    // frames of 64 receipts, and a message counts once its ack is confirmed (a `settled` frame).
    const stream = client.broker.Consume();
    const latency = new LatencyRecorder();
    const deliveredAt = new Map<string, number>();
    let acked = 0;
    let pending: string[] = [];
    startTimed();
    const started = performance.now();
    const endMs = started + secs * 1000;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (frame: ConsumeResponse__Output) => {
        if (frame.delivery) {
          deliveredAt.set(frame.delivery.receipt, performance.now());
          pending.push(frame.delivery.receipt);
          if (pending.length >= 64) {
            stream.write({ ack: { receipts: pending } });
            pending = [];
          }
        } else if (frame.settled?.outcome === 'OUTCOME_OK') {
          acked++;
          latency.record(performance.now() - (deliveredAt.get(frame.settled.receipt) ?? 0));
          deliveredAt.delete(frame.settled.receipt);
          if (performance.now() > endMs) resolve();
        }
      });
      stream.on('error', reject);
      stream.write({ subscribe: { destination: q, maxInFlight: 2048 } });
    });
    stream.on('error', () => {});
    stream.cancel();
    return row(
      'Consume + ack (batches of 64)',
      { count: acked, latency, seconds: (performance.now() - started) / 1000 },
      'unary 64 8',
    );
  },
};

function row(name: string, r: { count: number; latency: LatencyRecorder; seconds: number }, ceilingRow?: string): Row {
  const cpuUsPerMsg: Record<string, number> = {};
  for (const [process, read] of cpuProbes) {
    const used = read() - (cpuAtStart.get(process) ?? 0);
    if (r.count > 0) cpuUsPerMsg[process] = Math.round((used * 1e6) / r.count);
  }
  return {
    cpuUsPerMsg,
    name,
    msgsPerS: Math.round(r.count / r.seconds),
    p50Ms: r.latency.percentile(50),
    p99Ms: r.latency.percentile(99),
    ...(ceilingRow === undefined ? {} : { ceilingRow }),
  };
}

async function memoryRun(broker: BrokerProcess, client: WharfClient, messages: number): Promise<void> {
  const q = await freshQueue(client, 'memory');
  const requests = Array.from({ length: 64 }, () => ({ destination: q, message: { payload } }));
  let sent = 0;
  let lastReport = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (sent < messages) {
        sent += 64;
        await client.publishBatch(requests);
        if (sent - lastReport >= 100_000) {
          lastReport = sent;
          progress(`  memory: ${sent} messages queued, broker RSS ${(broker.rssBytes() / 2 ** 20).toFixed(0)} MiB`);
        }
      }
    }),
  );
  const queue = await client.getQueue(q);
  const line = `memory: ${queue.status?.depth} messages of 1 KiB waiting in one queue; broker RSS ${(broker.rssBytes() / 2 ** 20).toFixed(0)} MiB`;
  console.log(line);
}

/** The workloads drive the raw generated client, which does not follow hints: find the leader first. */
async function leaderAddress(seed: string, nodeCount: number): Promise<string> {
  if (nodeCount <= 1) return seed;
  const probe = connect(seed, { deadlineMs: 5_000 });
  try {
    for (let i = 0; i < 300; i++) {
      const status = await probe.clusterStatus().catch(() => undefined);
      const leader = status?.members.find((m) => m.leader);
      if (leader !== undefined) return leader.address;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no leader elected among ${nodeCount} brokers within 30s`);
  } finally {
    probe.close();
  }
}

function format(rows: readonly Row[], ceiling: Map<string, number>): string {
  const header = ['workload', 'msgs/s', 'p50 ms', 'p99 ms', 'ceiling row', 'ceiling msgs/s', 'fraction', 'cpu µs/msg'];
  const lines = rows.map((r) => {
    const c = r.ceilingRow === undefined ? undefined : ceiling.get(r.ceilingRow);
    const cpu = Object.entries(r.cpuUsPerMsg ?? {})
      .map(([process, us]) => `${process} ${us}`)
      .join(', ');
    return [
      r.name,
      String(r.msgsPerS),
      r.p50Ms.toFixed(2),
      r.p99Ms.toFixed(2),
      r.ceilingRow ?? '-',
      c === undefined ? '-' : String(c),
      c === undefined ? '-' : `${((100 * r.msgsPerS) / c).toFixed(0)}%`,
      cpu === '' ? '-' : cpu,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

const ceiling = Number(args.memory) > 0 && args.only === '' ? new Map<string, number>() : runCeiling();
const nodes = Number(args.nodes);
const brokerCpus = args.pin ? '0' : undefined;
const clientCpus = args.pin ? '1' : undefined;
if (clientCpus !== undefined)
  execFileSync('taskset', ['-a', '-p', '-c', clientCpus, String(process.pid)], { stdio: 'ignore' });
const broker =
  nodes > 1
    ? await spawnCluster(nodes, Number(args.port) + 10, brokerCpus)
    : await spawnBroker(Number(args.port), [], brokerCpus);
const client = connect(await leaderAddress(broker.address, nodes), { deadlineMs: 120_000 });
cpuProbes.set('broker', () => broker.cpuSeconds());
// This process drives the workload: its CPU competes with the others on a small machine.
cpuProbes.set('client', () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
});
const rows: Row[] = [];
const viaSidecar: Row[] = [];
/** Each run's rows, by workload, for the medians and the per-pair ratios. */
const runs = new Map<string, { direct: Row[]; sidecar: Row[] }>();
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
};
/** The run with the median throughput stands for them all. */
const medianRow = (list: readonly Row[]): Row => {
  const m = median(list.map((r) => r.msgsPerS));
  return list.find((r) => r.msgsPerS === m) as Row;
};
try {
  // --memory alone measures only memory; add --only to run workloads too.
  const names = args.only === '' ? (Number(args.memory) > 0 ? [] : Object.keys(workloads)) : args.only.split(',');
  for (const name of names) {
    if (workloads[name] === undefined) {
      throw new Error(`unknown workload ${name} (${Object.keys(workloads).join(', ')})`);
    }
  }
  const repeat = Math.max(1, Number(args.repeat));
  const sidecar =
    args.via === 'direct' ? undefined : await spawnSidecar(Number(args.port) + 1, broker.address, clientCpus);
  const throughSidecar = sidecar === undefined ? undefined : connect(sidecar.address, { deadlineMs: 120_000 });
  try {
    for (const name of names) {
      const workload = workloads[name] as Workload;
      const these = { direct: [] as Row[], sidecar: [] as Row[] };
      runs.set(name, these);
      for (let r = 0; r < repeat; r++) {
        if (args.via !== 'sidecar') {
          progress(`wharf: ${name} (${secs}s)`);
          these.direct.push(await workload(client));
        }
        if (sidecar !== undefined && throughSidecar !== undefined) {
          progress(`wharf via sidecar: ${name} (${secs}s)`);
          cpuProbes.set('sidecar', () => sidecar.cpuSeconds());
          try {
            these.sidecar.push(await workload(throughSidecar));
          } finally {
            cpuProbes.delete('sidecar');
          }
        }
      }
      if (these.direct.length > 0) rows.push(medianRow(these.direct));
      if (these.sidecar.length > 0) viaSidecar.push(medianRow(these.sidecar));
    }
  } finally {
    throughSidecar?.close();
    await sidecar?.stop();
  }
  if (args.json) console.log(JSON.stringify({ ceiling: Object.fromEntries(ceiling), rows, viaSidecar }));
  else {
    if (rows.length > 0) console.log(format(rows, ceiling));
    if (viaSidecar.length > 0) {
      console.log('\nthrough a sidecar process (app -> sidecar -> broker):');
      console.log(format(viaSidecar, ceiling));
      for (const these of runs.values()) {
        const direct = median(these.direct.map((r) => r.msgsPerS));
        const through = median(these.sidecar.map((r) => r.msgsPerS));
        if (direct === 0 || through === 0) continue;
        const pairs = these.sidecar.map(
          (r, i) => `${((100 * r.msgsPerS) / (these.direct[i]?.msgsPerS ?? 1)).toFixed(0)}%`,
        );
        const each = pairs.length > 1 ? ` (each run: ${pairs.join(' ')})` : '';
        console.log(`  ${these.sidecar[0]?.name}: sidecar/direct = ${((100 * through) / direct).toFixed(0)}%${each}`);
      }
    }
  }
  const memory = Number(args.memory);
  if (memory > 0) await memoryRun(broker, client, memory);
} finally {
  client.close();
  await broker.stop();
}
