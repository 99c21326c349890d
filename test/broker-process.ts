// A broker as a real child process on a loopback port, for tests that kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../common/net.ts';

const MAIN = fileURLToPath(new URL('../broker/main.ts', import.meta.url));

export interface BrokerChild {
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGKILL: no chance to flush anything. */
  kill9(): Promise<void>;
  /** SIGTERM: the graceful path. */
  stop(): Promise<number | null>;
  /** SIGSTOP / SIGCONT: a process that hangs (its sockets stay open) and comes back. */
  pause(): void;
  resume(): void;
  /** Whether the process has exited. */
  readonly exited: boolean;
}

/** `extraArgs` go to broker/main.ts after the data dir, port and log level (e.g. cluster flags). */
export async function spawnBrokerChild(
  dataDir: string,
  port = 0,
  startTimeoutMs = 30_000,
  extraArgs: readonly string[] = [],
): Promise<BrokerChild> {
  const args = [MAIN, '--data', dataDir, '--port', String(port), '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${stderr}`)), startTimeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}: ${stderr}`));
    });
  });
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      hasExited = true;
      resolve(code);
    }),
  );
  return {
    address,
    child,
    get exited() {
      return hasExited;
    },
    async kill9() {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!hasExited) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      return exited;
    },
    pause() {
      if (!hasExited) child.kill('SIGSTOP');
    },
    resume() {
      if (!hasExited) child.kill('SIGCONT');
    },
  };
}

export const freePort = freeLoopbackPort;
