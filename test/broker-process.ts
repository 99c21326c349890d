// A broker as a real child process on a loopback port, for tests that kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../broker/main.ts', import.meta.url));

export interface BrokerChild {
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGKILL: no chance to flush anything. */
  kill9(): Promise<void>;
  /** SIGTERM: the graceful path. */
  stop(): Promise<number | null>;
}

export async function spawnBrokerChild(dataDir: string, port = 0, startTimeoutMs = 30_000): Promise<BrokerChild> {
  const child = spawn(process.execPath, [MAIN, '--data', dataDir, '--port', String(port), '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    address,
    child,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
