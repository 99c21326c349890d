// Three RaftReplicas in one process over an in-memory transport, with real files in a temp dir and
// real timers: a leader is elected, commands commit on every replica, bodies are readable on
// followers, and a follower restarted from its files catches up.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { NotLeaderError } from '../../common/errors.ts';
import { silentLogger } from '../../common/logger.ts';
import { seededRandom } from '../../common/random.ts';
import { item, queueSpec } from '../engine/testing/harness.ts';
import type { RaftMessage } from '../raft/messages.ts';
import { systemTimers } from './io.ts';
import { RaftReplica } from './raft-replica.ts';

const ids = ['a', 'b', 'c'];
let dir = '';
const replicas = new Map<string, RaftReplica>();

afterEach(async () => {
  for (const r of replicas.values()) await r.close();
  replicas.clear();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function open(id: string, seed: number): Promise<RaftReplica> {
  const replica = await RaftReplica.open({
    id,
    members: ids,
    dataDir: join(dir, id),
    clock: systemClock,
    timers: systemTimers,
    transport: { send: (m: RaftMessage) => setImmediate(() => replicas.get(m.to)?.receive(m)) },
    random: seededRandom(seed),
    logger: silentLogger(),
    tickMs: 5,
  });
  replicas.set(id, replica);
  return replica;
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const leader = (): RaftReplica | undefined => [...replicas.values()].find((r) => r.isLeader());

it('replicates commands to three replicas on real files and recovers a restarted follower', async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-raft-replica-'));
  for (const [i, id] of ids.entries()) await open(id, i + 1);
  await until(() => leader() !== undefined);
  const l = leader() as RaftReplica;
  await l.propose({ type: 'applyQueue', nowMs: l.nowMs(), name: 'default/q', spec: queueSpec() });
  const published = await l.propose({
    type: 'publish',
    nowMs: l.nowMs(),
    items: [item('default/q', { body: 'hello' })],
  });
  expect('type' in published && published.type).toBe('published');
  const follower = [...replicas.values()].find((r) => r !== l) as RaftReplica;
  await expect(follower.propose({ type: 'tick', nowMs: follower.nowMs() })).rejects.toBeInstanceOf(NotLeaderError);
  await until(() => [...replicas.values()].every((r) => r.appliedIndex() === l.appliedIndex()));
  const [body] = await follower.readMessages([{ index: l.appliedIndex(), slot: 0 }]);
  expect(new TextDecoder().decode(body?.payload)).toBe('hello');

  await follower.close();
  replicas.delete(follower.id);
  await l.propose({ type: 'publish', nowMs: l.nowMs(), items: [item('default/q', { body: 'while away' })] });
  const back = await open(follower.id, 9);
  await until(() => back.appliedIndex() === l.appliedIndex());
  expect(back.engine.getQueue('default/q', Date.now())?.stats.depth).toBe(2);
});
