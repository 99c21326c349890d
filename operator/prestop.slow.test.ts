// The broker pod's preStop script against three real broker processes: run on the leader's pod,
// it moves leadership to a peer and exits 0; run where the broker is gone, it still exits 0.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type WharfClient } from '../client/client.ts';
import { type BrokerChild, freePort, spawnBrokerChild } from '../test/broker-process.ts';

const PRESTOP = fileURLToPath(new URL('./prestop.ts', import.meta.url));
const WAIT_MS = 20_000;

let dir: string;
let brokers: BrokerChild[] = [];
let client: WharfClient;
const members: { id: string; clientPort: number; peerPort: number }[] = [];

async function leaderId(): Promise<string | undefined> {
  return (await client.clusterStatus()).members.find((m) => m.leader)?.id;
}

async function until<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function prestop(address: string, member: string) {
  return spawnSync(process.execPath, [PRESTOP], {
    env: { ...process.env, WHARF_PRESTOP_ADDR: address, WHARF_NODE_ID: member },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-prestop-'));
  for (let i = 0; i < 3; i++)
    members.push({ id: `wharf-${i}`, clientPort: await freePort(), peerPort: await freePort() });
  const peers = members.map((m) => `${m.id}=127.0.0.1:${m.clientPort}:${m.peerPort}`).join(',');
  brokers = await Promise.all(
    members.map((m) =>
      spawnBrokerChild(join(dir, m.id), m.clientPort, 30_000, [
        '--node-id',
        m.id,
        '--peers',
        peers,
        '--peer-port',
        String(m.peerPort),
      ]),
    ),
  );
  client = connect(`127.0.0.1:${members[0]?.clientPort}`);
}, 60_000);

afterAll(async () => {
  client?.close();
  await Promise.all(brokers.map((b) => b.stop()));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('operator/prestop.ts', () => {
  it("moves leadership off the pod's broker and exits 0", async () => {
    const leader = await until('a leader', leaderId, (id) => id !== undefined);
    const member = members.find((m) => m.id === leader);
    if (member === undefined) throw new Error(`no member ${leader}`);
    const result = prestop(`127.0.0.1:${member.clientPort}`, member.id);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`leadership moved off ${member.id}`);
    const next = await until('a new leader', leaderId, (id) => id !== undefined && id !== leader);
    expect(next).not.toBe(leader);
  });

  it('exits 0 when the broker does not answer (the grace period bounds the shutdown)', async () => {
    const result = prestop(`127.0.0.1:${await freePort()}`, 'wharf-9');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('transfer from wharf-9 failed');
  });
});
