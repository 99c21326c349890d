// One seeded simulation: start the cluster, create the queues, run the client workload under
// faults for `steps` events, then heal everything and require liveness: one leader, every replica
// applying the same index, the clients' in-flight publishes acknowledged, and both queues drained
// by a consumer, all within bounds of simulated time; then the end-of-run checks.

import { queueSpec } from '../../broker/engine/testing/harness.ts';
import { silentLogger } from '../../common/logger.ts';
import { DEAD_LETTER_QUEUE, hashString, MAIN_QUEUE, SimFailure } from './checker.ts';
import { Workload } from './workload.ts';
import { START_MS, World } from './world.ts';

export interface RunOptions {
  readonly seed: number;
  readonly steps: number;
  readonly nodes?: number;
}

export interface RunResult {
  readonly seed: number;
  readonly steps: number;
  readonly failure: string | undefined;
  /** Hash of the whole run (every event's time and order, and what it changed): equal runs, equal hashes. */
  readonly trace: number;
  readonly simMs: number;
  readonly summary: string;
}

const CLIENTS = 3;
const SETUP_MS_MAX = 10_000;
const SETTLE_MS_MAX = 30_000;
const CONVERGE_MS_MAX = 10_000;
const DRAIN_MS_MAX = 60_000;
const logger = silentLogger();

export function rerunCommand(seed: number, steps: number, nodes: number): string {
  return `node test/sim/main.ts --seed ${seed} --steps ${steps}${nodes === 3 ? '' : ` --nodes ${nodes}`}`;
}

export async function runSeed(options: RunOptions): Promise<RunResult> {
  const nodes = options.nodes ?? (options.seed % 4 === 0 ? 5 : 3);
  const world = new World(options.seed, { nodes, snapshotEntries: 40, segmentBytesMax: 4096 }, logger);
  const workload = new Workload(world);
  let failure: string | undefined;
  let events = 0;
  const recordFailure = (error: unknown): void => {
    failure ??= error instanceof SimFailure ? error.message : `unexpected error: ${String(error)}`;
    if (!(error instanceof SimFailure) && error instanceof Error && error.stack !== undefined) {
      failure += `\n${error.stack.split('\n').slice(1, 6).join('\n')}`;
    }
  };
  const check = (): void => {
    if (world.checker.failure !== undefined) failure ??= world.checker.failure;
    for (const n of world.nodes) {
      const error = n.replica?.failure;
      if (error !== undefined)
        failure ??= `${n.id} stopped: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n')}`;
      if (n.openFailure !== undefined) failure ??= `${n.id} could not open: ${n.openFailure}`;
    }
  };
  /** Runs events until `done()` or the limit; every event is followed by all the microtasks it caused. */
  const pump = async (done: () => boolean, untilMs: number, eventsMax: number): Promise<boolean> => {
    let count = 0;
    while (failure === undefined && !done()) {
      if (world.nowMs > untilMs || count >= eventsMax) return false;
      const event = world.events.pop();
      if (event === undefined) return false;
      count++;
      events++;
      world.trace = Math.imul(world.trace ^ (event.seq + Math.round((event.atMs - START_MS) * 16)), 16777619) >>> 0;
      try {
        event.run();
      } catch (error) {
        recordFailure(error);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      check();
    }
    return failure === undefined;
  };

  for (const n of world.nodes) world.start(n);

  // Setup: the queues, retried until they commit.
  let ready = false;
  const setup = (async () => {
    const spec = { ackDeadlineMs: 200, retryBackoffMinMs: 10, retryBackoffMaxMs: 100, dedupWindowMs: 3_600_000 };
    await workload.call(
      (r) => ({ type: 'applyQueue', nowMs: r.nowMs(), name: DEAD_LETTER_QUEUE, spec: queueSpec(spec) }),
      Infinity,
    );
    const main = queueSpec({ ...spec, ordering: 'PerKey', maxDeliveries: 3, deadLetterQueue: DEAD_LETTER_QUEUE });
    await workload.call((r) => ({ type: 'applyQueue', nowMs: r.nowMs(), name: MAIN_QUEUE, spec: main }), Infinity);
    ready = true;
  })().catch(recordFailure);
  if (!(await pump(() => ready, START_MS + SETUP_MS_MAX, Number.POSITIVE_INFINITY))) {
    failure ??= 'liveness: the queues were not created within 10 s';
  }
  void setup;

  // Fault phase.
  const clients: Promise<void>[] = [];
  if (failure === undefined) {
    for (let i = 0; i < CLIENTS; i++) clients.push(workload.run().catch(recordFailure));
    let faultsOn = true;
    const nemesis = (): void => {
      if (!faultsOn) return;
      world.events.after(20 + world.random.int(150), nemesis);
      const roll = world.random.next();
      const n = world.nodes[world.random.int(world.nodes.length)];
      if (n === undefined) return;
      if (roll < 0.25) {
        world.crash(n, world.random.next() < 0.5, world.random.next() < 0.3);
        world.events.after(20 + world.random.int(400), () => faultsOn && world.restart(n));
      } else if (roll < 0.35) {
        const side = world.ids.filter(() => world.random.next() < 0.5);
        world.network.partition(
          side,
          world.ids.filter((id) => !side.includes(id)),
        );
        world.stats.partitions++;
        world.note(`partition ${side.join(',')}`);
      } else if (roll < 0.45) {
        const from = world.ids[world.random.int(world.ids.length)] as string;
        const to = world.ids[world.random.int(world.ids.length)] as string;
        if (from !== to) world.network.block(from, to);
        world.note(`block ${from}>${to}`);
      } else if (roll < 0.6) {
        world.network.heal();
        world.note('heal');
      } else if (roll < 0.75) {
        world.network.setFaults({
          dropRate: world.random.next() * 0.2,
          duplicateRate: world.random.next() * 0.1,
          delayMsMin: 0.5,
          delayMsMax: 1 + world.random.next() * 30,
        });
      }
    };
    world.events.after(50, nemesis);
    await pump(() => false, Number.POSITIVE_INFINITY, options.steps);
    faultsOn = false;

    // Liveness: heal, restart, let the clients finish what they started.
    world.network.heal();
    for (const n of world.nodes) world.restart(n);
    workload.stopped = true;
    let settled = false;
    void Promise.all(clients).then(() => {
      settled = true;
    });
    if (failure === undefined && !(await pump(() => settled, world.nowMs + SETTLE_MS_MAX, Number.POSITIVE_INFINITY))) {
      failure ??= 'liveness: client operations did not finish within 30 s of healing';
    }
  }

  const converged = (): boolean => {
    const leader = world.leader();
    if (leader === undefined) return false;
    const commit = leader.raftStatus().commit;
    return (
      commit >= world.checker.committedIndex &&
      world.nodes.every((n) => n.replica !== undefined && n.replica.appliedIndex() === commit)
    );
  };
  if (failure === undefined && !(await pump(converged, world.nowMs + CONVERGE_MS_MAX, Number.POSITIVE_INFINITY))) {
    failure ??= 'liveness: no single leader with every replica at its commit index within 10 s';
  }

  // Drain both queues with a consumer that acks everything.
  let drained = false;
  if (failure === undefined) {
    const drainer = new Workload(world);
    const empty = (): boolean => {
      const engine = world.leader()?.engine;
      const main = engine?.getQueue(MAIN_QUEUE, world.nowMs);
      const dlq = engine?.getQueue(DEAD_LETTER_QUEUE, world.nowMs);
      return (
        main !== undefined &&
        dlq !== undefined &&
        main.stats.depth + main.stats.inFlight + dlq.stats.depth + dlq.stats.inFlight === 0
      );
    };
    void (async () => {
      while (!empty()) {
        const got = (await drainer.receive(MAIN_QUEUE, true)) + (await drainer.receive(DEAD_LETTER_QUEUE, true));
        if (got === 0) await drainer.sleep(50);
      }
      drained = true;
    })().catch(recordFailure);
    if (!(await pump(() => drained, world.nowMs + DRAIN_MS_MAX, Number.POSITIVE_INFINITY))) {
      failure ??= 'liveness: the queues were not drained within 60 s of healing';
    }
  }
  if (failure === undefined) {
    try {
      const main = world.leader()?.engine.getQueue(MAIN_QUEUE, world.nowMs);
      world.checker.finalCheck(workload.ackedPublishes, main?.stats.deadLettered ?? -1);
    } catch (error) {
      recordFailure(error);
    }
  }
  const s = world.stats;
  const w = workload.stats;
  const net = world.network.stats;
  const trace = hashString(`${world.checker.committedIndex}:${workload.ackedPublishes.size}`, world.trace);
  const summary =
    `nodes=${nodes} events=${events} sim_ms=${Math.round(world.nowMs - START_MS)} committed=${world.checker.committedIndex} ` +
    `published=${w.publishes} delivered=${world.checker.leases} acked=${world.checker.ackedIn.size} expired=${world.checker.expired.size} ` +
    `crashes=${s.crashes} snapshots=${s.snapshotsInstalled} (with tail ${s.snapshotTails}) torn=${s.torn} flips=${s.flips} repairs=${s.repairs} partitions=${s.partitions} ` +
    `msgs=${net.sent} dropped=${net.dropped} dup=${net.duplicated} trace=${trace.toString(16)}`;
  return { seed: options.seed, steps: options.steps, failure, trace, simMs: world.nowMs - START_MS, summary };
}
