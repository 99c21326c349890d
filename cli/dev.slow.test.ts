// `wharf dev` as a real process (what `npm start` runs): banner, CLI processes against it, clean
// stop on SIGINT and SIGTERM, and a restart that finds every queue and unsettled message again.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const NODE = process.execPath;
const children = new Set<ChildProcess>();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['cli/main.ts', ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function startDev(
  dataDir: string,
  extra: string[] = [],
): Promise<{ child: ChildProcess; address: string; output: () => string }> {
  const args = ['cli/main.ts', 'dev', '--port', '0', '--data', dataDir, '--apply', 'examples/resources', ...extra];
  const child = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 60s; stderr: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /on (127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match?.[1] && stdout.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wharf dev exited ${code}: ${stderr}`));
    });
  });
  return { child, address, output: () => stdout + stderr };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
});

/** Pids of the processes `parent` started (its broker processes). */
async function childPids(parent: number): Promise<number[]> {
  const listed = await new Promise<string>((resolve) => {
    const ps = spawn('pgrep', ['-P', String(parent)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    ps.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    ps.on('close', () => resolve(out));
  });
  return listed.split('\n').filter(Boolean).map(Number);
}

describe('wharf dev process', () => {
  it('with --nodes 3 (npm start) restarts a broker killed with kill -9 and loses nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-dev-nodes-'));
    try {
      const dev = await startDev(dataDir, ['--nodes', '3']);
      const addr = ['--addr', dev.address];
      expect((await run(['publish', 'orders', '--stdin', ...addr], 'a\nb\nc\n')).code).toBe(0);
      const brokers = await childPids(dev.child.pid as number);
      expect(brokers).toHaveLength(3);
      process.kill(brokers[0] as number, 'SIGKILL');
      // Bounded (30 s): the restart backoff starts at 200 ms; a new broker process takes a few seconds.
      for (let i = 0; i < 300 && !/restarting it/.test(dev.output()); i++) await new Promise((r) => setTimeout(r, 100));
      // Which member the first child process is depends on the order they started in.
      expect(dev.output()).toMatch(/broker wharf-[123] exited \(SIGKILL\); restarting it/);
      let pids: number[] = [];
      for (let i = 0; i < 300; i++) {
        pids = await childPids(dev.child.pid as number);
        if (pids.length === 3 && !pids.includes(brokers[0] as number)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(pids).toHaveLength(3);
      expect((await run(['publish', 'orders', '--data', 'd', ...addr])).code).toBe(0);
      const taken = await run(['consume', 'orders', '--max', '4', '--wait', '15s', ...addr]);
      expect(taken.stdout.match(/: [abcd]\n/g)?.sort()).toEqual([': a\n', ': b\n', ': c\n', ': d\n']);
      dev.child.kill('SIGTERM');
      expect(await exitOf(dev.child)).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('with --nodes 3 leaves no broker behind when it is killed with kill -9 itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-dev-orphans-'));
    try {
      const dev = await startDev(dataDir, ['--nodes', '3']);
      const brokers = await childPids(dev.child.pid as number);
      expect(brokers).toHaveLength(3);
      dev.child.kill('SIGKILL');
      const alive = (pid: number): boolean => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      // Bounded (30 s): each broker sees its stdin close and stops.
      for (let i = 0; i < 300 && brokers.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
      expect(brokers.filter(alive)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('serves the CLI, stops cleanly, and keeps its data across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-dev-slow-'));
    try {
      const first = await startDev(dataDir);
      expect(first.output()).toContain('applied: queue default/orders-dlq, queue default/ledger-dlq');
      const addr = ['--addr', first.address];
      const published = await run(['publish', 'orders', '--stdin', ...addr], 'one\ntwo\nthree\n');
      expect(published.stderr).toBe('');
      expect(published.code).toBe(0);
      const taken = await run(['consume', 'orders', '--max', '1', '--wait', '2s', ...addr]);
      expect(taken.stdout).toMatch(/: one\n$/);

      first.child.kill('SIGINT');
      expect(await exitOf(first.child)).toBe(0);

      const second = await startDev(dataDir);
      const queues = await run(['queues', '--addr', second.address]);
      expect(queues.stdout).toMatch(/default\/orders\s+True\s+2\s/);
      second.child.kill('SIGTERM');
      expect(await exitOf(second.child)).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('exits non-zero with a one-line message for an unreachable address and for bad files', async () => {
    const unreachable = await run(['queues', '--addr', '127.0.0.1:1']);
    expect(unreachable).toEqual({
      code: 1,
      stdout: '',
      stderr: 'wharf: cannot reach 127.0.0.1:1: is `npm start` running?\n',
    });
    const badFile = await run(['apply', '-f', 'no/such/dir']);
    expect(badFile).toEqual({ code: 1, stdout: '', stderr: 'wharf: no/such/dir: no such file or directory\n' });
  });
});
