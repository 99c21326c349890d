// Child processes for the tracing test: the broker and the sidecar (node broker|sidecar/main.ts) and Jaeger through
// scripts/jaeger.sh. Each start waits for the process's ready line, bounded by a timeout.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../../common/net.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGTERM: the graceful path. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `node <script> <args>` in the repository and waits for its "listening on ADDR" line. */
async function spawnListening(
  what: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  startTimeoutMs: number,
): Promise<Child> {
  const child = spawn(process.execPath, [...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${stderr}`)), startTimeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${stderr}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    address,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A broker process on free loopback ports (metrics off, so parallel suites do not collide), with `env` (OTEL_*, ...). */
export function spawnBroker(
  dataDir: string,
  env: Readonly<Record<string, string>> = {},
  startTimeoutMs = 30_000,
): Promise<Child> {
  return spawnListening(
    'broker',
    ['broker/main.ts', '--data', dataDir, '--port', '0', '--metrics-port', '0', '--log-level', 'warn'],
    env,
    startTimeoutMs,
  );
}

export type SidecarChild = Child;

/** A sidecar process on a free loopback port, in front of `brokers`, with `env` (OTEL_*, ...). */
export function spawnSidecar(
  brokers: string,
  env: Readonly<Record<string, string>>,
  startTimeoutMs = 30_000,
): Promise<SidecarChild> {
  return spawnListening(
    'sidecar',
    ['sidecar/main.ts', '--port', '0', '--metrics-port', '0', '--brokers', brokers, '--log-level', 'warn'],
    env,
    startTimeoutMs,
  );
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs scripts/jaeger.sh with `args`; its progress (stderr) goes to ours. SIGKILL after timeoutMs. */
export function jaegerScript(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/jaeger.sh', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

export const freePort = freeLoopbackPort;
