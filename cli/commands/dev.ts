// wharf dev: the embedded local cluster. Validates the --apply files, starts a broker on a free
// loopback port over a data directory that survives restarts, puts a sidecar in front of it on the
// public port (traces go to OTEL_EXPORTER_OTLP_ENDPOINT when set), applies the resources, prints how to use it, and
// on Ctrl-C/SIGTERM stops cleanly (running calls finish, the log is flushed).
//
// With --nodes N > 1 the brokers are N processes (`node broker/main.ts`) on free loopback ports,
// members wharf-1..N of one Raft group, with data in DIR/node-1..N; the sidecar is seeded with all
// of them and follows the leader. A broker that dies is restarted (as Kubernetes restarts a pod),
// after a backoff that doubles while it keeps dying. Ctrl-C drains the sidecar, then SIGTERMs
// every broker and waits.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../client/client.ts';
import { type LoadedResources, loadResourceFiles } from '../../client/resource-files.ts';
import { applyOrder, type WharfResource } from '../../client/resources.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { freeLoopbackPort } from '../../common/net.ts';
import { CommandError, type Io, printJson, stopRequested, UsageError } from '../io.ts';
import { applyResources, skippedLine } from './apply.ts';
import { CLI_DEADLINE_MS, countArg } from './common.ts';

export interface DevOptions {
  readonly nodes: string;
  readonly apply?: readonly string[];
  readonly data?: string;
  readonly port: string;
  readonly host: string;
  readonly json?: boolean;
  readonly logLevel?: string;
}

export const DEFAULT_DEV_PORT = 7070;

export function defaultDataDir(env: Io['env']): string {
  return env.WHARF_DATA || join(env.HOME || homedir(), '.local', 'share', 'wharf', 'dev');
}

export interface DevBanner {
  readonly address: string;
  readonly dataDir: string;
  readonly applied: readonly WharfResource[];
  readonly files: readonly string[];
  /** Broker processes behind the sidecar (default 1: in process). */
  readonly nodes?: number;
}

function exampleQueue(applied: readonly WharfResource[]): string {
  const dlqs = new Set(applied.flatMap((r) => (r.kind === 'Queue' ? [r.queue.spec?.deadLetterQueue ?? ''] : [])));
  const queue = applied.find((r) => r.kind === 'Queue' && !dlqs.has(r.name));
  const name = queue?.name ?? 'default/my-queue';
  return name.startsWith('default/') ? name.slice('default/'.length) : name;
}

export function devBannerText(banner: DevBanner): string {
  const addr = banner.address === `127.0.0.1:${DEFAULT_DEV_PORT}` ? '' : ` --addr ${banner.address}`;
  const queue = exampleQueue(banner.applied);
  const lines = [
    (banner.nodes ?? 1) > 1
      ? `wharf dev: ${banner.nodes} broker processes (one Raft group) behind a sidecar serving wharf.v1.BrokerService and AdminService on ${banner.address}`
      : `wharf dev: 1 broker behind a sidecar serving wharf.v1.BrokerService and AdminService on ${banner.address}`,
    `  data:    ${banner.dataDir}${(banner.nodes ?? 1) > 1 ? `/node-1..${banner.nodes}` : ''} (queues and unsettled messages survive a restart)`,
  ];
  if (banner.applied.length > 0) {
    lines.push(
      `  applied: ${applyOrder(banner.applied)
        .map((r) => `${r.kind.toLowerCase()} ${r.name}`)
        .join(', ')}`,
    );
    lines.push(`           from ${banner.files.join(', ')}`);
  } else {
    lines.push('  applied: nothing (wharf dev --apply FILE_OR_DIR, or wharf apply -f FILE_OR_DIR later)');
  }
  lines.push(
    'try:',
    `  npm run wharf -- publish ${queue} --data 'hello' --key customer-1${addr}`,
    `  npm run wharf -- consume ${queue}${addr}`,
    `  npm run wharf -- queues${addr}`,
    `  (or any gRPC client: WHARF_ADDR=${banner.address})`,
    'Ctrl-C stops cleanly.',
  );
  return `${lines.join('\n')}\n`;
}

function portArg(raw: string): number {
  return countArg(raw, '--port', 0, 65535);
}

function explainStartFailure(error: unknown, host: string, port: number): Error {
  const text = error instanceof Error ? error.message : String(error);
  if (/EADDRINUSE|address already in use|No address added/i.test(text)) {
    return new CommandError(`${host}:${port} is in use: is another \`wharf dev\` running? (pick another with --port)`);
  }
  return error instanceof Error ? error : new Error(text);
}

const BROKER_MAIN = fileURLToPath(new URL('../../broker/main.ts', import.meta.url));
const NODES_MAX = 7;
const CLUSTER_START_MS = 30_000;
const CLUSTER_STOP_MS = 10_000;
/** A broker that dies is restarted after this long, doubling up to RESTART_MS_MAX while it keeps dying. */
const RESTART_MS_MIN = 200;
const RESTART_MS_MAX = 5_000;
/** Up this long, a broker that dies again starts over from RESTART_MS_MIN. */
const RESTART_RESET_MS = 30_000;

const freePort = freeLoopbackPort;

interface BrokerProcesses {
  readonly addresses: readonly string[];
  /** The leader's client address, once one is elected. */
  leader(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `nodes` broker processes forming one Raft group on loopback; resolves once all listen. */
async function startBrokerProcesses(
  nodes: number,
  dataDir: string,
  logLevel: string,
  io: Io,
): Promise<BrokerProcesses> {
  const members: { id: string; clientPort: number; peerPort: number }[] = [];
  for (let i = 1; i <= nodes; i++)
    members.push({ id: `wharf-${i}`, clientPort: await freePort(), peerPort: await freePort() });
  const peers = members.map((m) => `${m.id}=127.0.0.1:${m.clientPort}:${m.peerPort}`).join(',');
  const children: ChildProcess[] = [];
  let stopping = false;
  // Never leave brokers behind, even if this process ends abruptly.
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => child.once('exit', () => done()));
  const restartTimers = new Set<NodeJS.Timeout>();
  const stop = async (): Promise<void> => {
    stopping = true;
    for (const timer of restartTimers) clearTimeout(timer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(killAll, CLUSTER_STOP_MS);
    await Promise.all(children.map(exited));
    clearTimeout(timer);
    process.removeListener('exit', killAll);
  };
  /** Starts member `i`; resolves once it listens. A broker that dies later is restarted, as a pod would be. */
  const spawnMember = async (i: number, backoffMs: number): Promise<void> => {
    const m = members[i] as (typeof members)[number];
    const nodeDir = join(dataDir, `node-${i + 1}`);
    await mkdir(nodeDir, { recursive: true });
    const args = [
      ...['--data', nodeDir, '--host', '127.0.0.1', '--port', String(m.clientPort)],
      ...['--node-id', m.id, '--peers', peers, '--metrics-port', '0', '--log-level', logLevel],
    ];
    // stdin stays open while we live: the broker stops itself when it closes (we died, even by SIGKILL).
    const child = spawn(process.execPath, [BROKER_MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, WHARF_EXIT_WITH_STDIN: '1' },
    });
    children[i] = child;
    child.stderr?.on('data', (chunk: Buffer) => io.err(chunk.toString()));
    const startedMs = Date.now();
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new CommandError(`broker ${m.id} did not start`)), CLUSTER_START_MS);
      let listening = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        if (!listening && /listening on/.test(chunk.toString())) {
          listening = true;
          clearTimeout(timer);
          ready();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!listening) {
          fail(new CommandError(`broker ${m.id} exited with ${code ?? signal} while starting`));
          return;
        }
        if (stopping) return;
        // Doubling backoff, reset once a broker stayed up for a while.
        const delayMs = Date.now() - startedMs > RESTART_RESET_MS ? RESTART_MS_MIN : backoffMs;
        io.err(`wharf dev: broker ${m.id} exited (${code ?? signal}); restarting it in ${delayMs} ms\n`);
        const restart = setTimeout(() => {
          restartTimers.delete(restart);
          if (stopping) return;
          spawnMember(i, Math.min(delayMs * 2, RESTART_MS_MAX)).catch((error: unknown) => {
            io.err(`wharf dev: could not restart broker ${m.id}: ${error instanceof Error ? error.message : error}\n`);
          });
        }, delayMs);
        restartTimers.add(restart);
      });
    });
  };
  try {
    await Promise.all(members.map((_, i) => spawnMember(i, RESTART_MS_MIN)));
  } catch (error) {
    await stop();
    throw error;
  }
  const addresses = members.map((m) => `127.0.0.1:${m.clientPort}`);
  return {
    addresses,
    stop,
    async leader() {
      const end = Date.now() + CLUSTER_START_MS;
      while (Date.now() < end) {
        for (const address of addresses) {
          const client = connect(address, { deadlineMs: 1_000 });
          try {
            const leader = (await client.clusterStatus()).members.find((m) => m.leader);
            if (leader !== undefined) return leader.address;
          } catch {
            // starting: ask the next
          } finally {
            client.close();
          }
        }
        await new Promise((done) => setTimeout(done, 100));
      }
      throw new CommandError(`no broker was elected leader within ${CLUSTER_START_MS / 1000}s`);
    },
  };
}

export async function devCommand(options: DevOptions, io: Io, logger?: Logger): Promise<void> {
  const nodes = countArg(options.nodes, '--nodes', 1);
  if (nodes > NODES_MAX) throw new UsageError(`--nodes ${nodes}: at most ${NODES_MAX} on one machine`);
  const port = portArg(options.port);
  const dataDir = resolve(options.data ?? defaultDataDir(io.env));

  // Every document is checked before anything starts.
  const loaded: LoadedResources =
    options.apply && options.apply.length > 0
      ? await loadResourceFiles(options.apply)
      : { resources: [], skipped: [], files: [] };
  for (const skipped of loaded.skipped) io.err(skippedLine(skipped));

  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new CommandError(`cannot create data directory ${dataDir}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const log =
    logger ?? createLogger({ name: 'wharf-dev', level: options.logLevel ?? io.env.WHARF_LOG_LEVEL ?? 'warn' });
  const { startBroker } = await import('../../broker/broker.ts');
  const { startSidecar } = await import('../../sidecar/sidecar.ts');
  const { parseConfig } = await import('../../sidecar/config.ts');
  // The brokers listen on free loopback ports; the sidecar takes the public one, as in a pod.
  const broker =
    nodes === 1
      ? await startBroker({ dataDir, host: '127.0.0.1', port: 0, logger: log, nodeId: 'wharf-0' })
      : await startBrokerProcesses(nodes, dataDir, options.logLevel ?? io.env.WHARF_LOG_LEVEL ?? 'warn', io);
  const brokerAddresses = 'addresses' in broker ? broker.addresses : [broker.address];
  let sidecar: Awaited<ReturnType<typeof startSidecar>>;
  try {
    const sidecarArgs = ['--host', options.host, '--port', String(port), '--brokers', brokerAddresses.join(',')];
    sidecar = await startSidecar({
      config: parseConfig([...sidecarArgs, '--metrics-port', '0'], { WHARF_NAMESPACE: 'default', ...io.env }),
      logger: log.child({ component: 'sidecar' }),
    });
  } catch (error) {
    await broker.stop();
    throw explainStartFailure(error, options.host, port);
  }
  await sidecar.router.refresh();
  const stop = stopRequested(io);
  try {
    if (loaded.resources.length > 0) {
      const target = 'leader' in broker ? await broker.leader() : broker.address;
      const client = connect(target, { deadlineMs: CLI_DEADLINE_MS });
      try {
        await applyResources(client, loaded.resources);
      } finally {
        client.close();
      }
    }
    const banner: DevBanner = {
      address: sidecar.address,
      dataDir,
      applied: loaded.resources,
      files: loaded.files,
      nodes,
    };
    if (options.json) {
      printJson(io, {
        address: banner.address,
        dataDir,
        applied: banner.applied.map((r) => ({ kind: r.kind, name: r.name })),
      });
    } else io.out(devBannerText(banner));
    await stop.promise;
    if (!options.json) io.err('wharf dev: stopping…\n');
  } finally {
    stop.dispose();
    // The sidecar drains first (in-flight publishes finish, held deliveries go back), then the broker.
    await sidecar.drain();
    await broker.stop();
  }
  if (!options.json) io.err(`wharf dev: stopped (data kept in ${dataDir})\n`);
}
