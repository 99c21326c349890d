// A broker process that is not among WHARF_INITIAL_MEMBERS (a pod added by scaling up a
// StatefulSet, whose pods share one template) joins instead of bootstrapping: it never elects
// itself, whereas the same process listed there bootstraps a group of one and leads it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { connect } from '../client/client.ts';
import { freeLoopbackPort } from '../common/net.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startSolo(initialMembers: string): Promise<string> {
  const [port, peerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const dir = mkdtempSync(join(tmpdir(), 'wharf-join-'));
  dirs.push(dir);
  const args = ['broker/main.ts', '--data', dir, '--port', String(port), '--node-id', 'wharf-3'];
  args.push('--peers', `wharf-3=127.0.0.1:${port}:${peerPort}`, '--metrics-port', '0', '--log-level', 'error');
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WHARF_INITIAL_MEMBERS: initialMembers },
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('broker did not start in 30 s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (/listening on/.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return `127.0.0.1:${port}`;
}

async function leaderWithin(address: string, ms: number): Promise<boolean> {
  const client = connect(address, { deadlineMs: 2_000, followLeader: false });
  try {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const status = await client.clusterStatus().catch(() => undefined);
      if (status?.members.some((m) => m.leader)) return true;
    }
    return false;
  } finally {
    client.close();
  }
}

it('bootstraps when listed in WHARF_INITIAL_MEMBERS', async () => {
  expect(await leaderWithin(await startSolo('wharf-3'), 20_000)).toBe(true);
}, 60_000);

it('waits to be added when WHARF_INITIAL_MEMBERS does not list it', async () => {
  // Three election timeouts at the default 100 ms tick: a bootstrapping member would have won.
  expect(await leaderWithin(await startSolo('wharf-0,wharf-1,wharf-2'), 6_000)).toBe(false);
}, 60_000);
