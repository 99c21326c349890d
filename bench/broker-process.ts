// Starts a broker as its own process (like the ceiling's server) on a fresh data directory, and
// reads its resident memory from /proc.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../broker/main.ts', import.meta.url));

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export interface BrokerProcess {
  readonly address: string;
  readonly child: ChildProcess;
  rssBytes(): number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Runs `args` with Node, on the CPUs `cpus` names (taskset's list, e.g. "0") when given: taskset
 * execs Node in its place, so the child's pid is Node's.
 */
function spawnNode(args: readonly string[], cpus: string | undefined, options: SpawnOptions): ChildProcess {
  return cpus === undefined
    ? spawn(process.execPath, args, options)
    : spawn('taskset', ['-c', cpus, process.execPath, ...args], options);
}

export async function spawnBroker(
  port: number,
  extraArgs: readonly string[] = [],
  cpus?: string,
): Promise<BrokerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wharf-bench-'));
  const child = spawnNode(
    [
      MAIN,
      '--data',
      dataDir,
      '--port',
      String(port),
      '--log-level',
      process.env.WHARF_BENCH_LOG_LEVEL ?? 'warn',
      '--metrics-port',
      '0',
      ...extraArgs,
    ],
    cpus,
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('broker did not start within 30s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return {
    address,
    child,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return Number(kb ?? 0) * 1024;
    },
    cpuSeconds: () => cpuSeconds(child.pid),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `nodes` broker processes in one Raft group on loopback (client ports basePort+1.., peer ports
 * basePort+101..). The address is the first member's; clients follow its leader hint.
 */
export async function spawnCluster(nodes: number, basePort: number, cpus?: string): Promise<BrokerProcess> {
  const members = Array.from({ length: nodes }, (_, i) => ({
    id: `wharf-${i + 1}`,
    clientPort: basePort + 1 + i,
    peerPort: basePort + 101 + i,
  }));
  const peers = members.map((m) => `${m.id}=127.0.0.1:${m.clientPort}:${m.peerPort}`).join(',');
  const started = await Promise.all(
    members.map((m) =>
      spawnBroker(m.clientPort, ['--node-id', m.id, '--peers', peers, '--peer-port', String(m.peerPort)], cpus),
    ),
  );
  const first = started[0] as BrokerProcess;
  return {
    address: first.address,
    child: first.child,
    rssBytes: () => started.reduce((sum, b) => sum + b.rssBytes(), 0),
    cpuSeconds: () => started.reduce((sum, b) => sum + b.cpuSeconds(), 0),
    stop: async () => {
      await Promise.all(started.map((b) => b.stop()));
    },
  };
}

const SIDECAR_MAIN = fileURLToPath(new URL('../sidecar/main.ts', import.meta.url));

export interface SidecarProcess {
  readonly address: string;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** A sidecar process in front of `brokerAddress`, as an application pod would have it. */
export async function spawnSidecar(port: number, brokerAddress: string, cpus?: string): Promise<SidecarProcess> {
  // WHARF_BENCH_SIDECAR_MAIN=<path to sidecar/main.ts>: another build of the sidecar (A/B runs).
  const main = process.env.WHARF_BENCH_SIDECAR_MAIN || SIDECAR_MAIN;
  const args = [main, '--port', String(port), '--brokers', brokerAddress, '--metrics-port', '0'];
  // WHARF_BENCH_SIDECAR_CPU_PROF=<dir>: the sidecar writes a V8 CPU profile there when it exits.
  const profileDir = process.env.WHARF_BENCH_SIDECAR_CPU_PROF;
  if (profileDir !== undefined && profileDir !== '') args.unshift('--cpu-prof', '--cpu-prof-dir', profileDir);
  // WHARF_BENCH_SIDECAR_NODE_FLAGS="--max-semi-space-size=32 ...": V8/Node flags for the sidecar alone.
  const flags = process.env.WHARF_BENCH_SIDECAR_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? [];
  args.unshift(...flags);
  const env = { ...process.env, WHARF_LOG_LEVEL: 'warn' };
  const child = spawnNode(args, cpus, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sidecar did not start within 30s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`sidecar exited with ${code}`)));
  });
  return {
    address,
    cpuSeconds: () => cpuSeconds(child.pid),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
