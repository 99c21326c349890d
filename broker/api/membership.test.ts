// Membership through the Admin API, in one process over the real peer transport on loopback: a
// three-member group grows to five (each new member started with `join`, added as a learner,
// promoted once caught up) and shrinks back to three (leadership handed over first when the leader
// itself goes), while the messages published before stay readable and consumable throughout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceError, status } from '@grpc/grpc-js';
import { afterAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../../client/client.ts';
import { silentLogger } from '../../common/logger.ts';
import { freeLoopbackPort } from '../../common/net.ts';
import { type ClusterMember, type RunningBroker, startBroker } from '../broker.ts';

let dir = '';
const brokers = new Map<string, RunningBroker>();
const clients: WharfClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const b of brokers.values()) await b.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
}, 30_000);

async function until<T>(get: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const client = (address: string, followLeader = true) => {
  const c = connect(address, { deadlineMs: 20_000, followLeader });
  clients.push(c);
  return c;
};
const addressOf = (m: ClusterMember) => `${m.clientAddress}:${m.peerAddress.split(':')[1]}`;
const leaderOf = () => [...brokers].find(([, b]) => b.isLeader())?.[0];

it('grows from three members to five and back, in the safe order, losing nothing', async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-membership-'));
  const members: ClusterMember[] = [];
  for (const id of ['n1', 'n2', 'n3', 'n4', 'n5']) {
    members.push({
      id,
      clientAddress: `127.0.0.1:${await freeLoopbackPort()}`,
      peerAddress: `127.0.0.1:${await freeLoopbackPort()}`,
    });
  }
  const start = async (m: ClusterMember, peers: ClusterMember[], joining: boolean) => {
    brokers.set(
      m.id,
      await startBroker({
        dataDir: join(dir, m.id),
        port: Number(m.clientAddress.split(':')[1]),
        nodeId: m.id,
        peers,
        tickMs: 50,
        logger: silentLogger(),
        stopGraceMs: 200,
        ...(joining ? { join: true } : {}),
      }),
    );
  };
  const founders = members.slice(0, 3);
  for (const m of founders) await start(m, founders, false);
  await until(leaderOf);
  const viaN1 = client(founders[0]?.clientAddress as string);
  await viaN1.applyQueue({ name: 'q', spec: {} });
  const before = Array.from({ length: 40 }, (_, i) => ({
    destination: 'q',
    message: { payload: Buffer.from(`m${i}`) },
  }));
  await viaN1.publishBatch(before);

  // A joining member neither campaigns nor serves until it is added.
  const [n4, n5] = [members[3] as ClusterMember, members[4] as ClusterMember];
  await start(n4, members.slice(0, 4), true);
  await new Promise((resolve) => setTimeout(resolve, 600)); // > an election timeout (10 × 50 ms)
  expect(brokers.get('n4')?.isLeader()).toBe(false);
  const n4Direct = client(n4.clientAddress, false);
  const refused = (await n4Direct.publish('q', { payload: Buffer.from('x') }).catch((e: unknown) => e)) as ServiceError;
  expect(refused.code).toBe(status.UNAVAILABLE);

  let view = await viaN1.addMember('n4', addressOf(n4));
  expect(view.map((m) => [m.id, m.voter])).toContainEqual(['n4', true]);
  await start(n5, members, true);
  view = await viaN1.addMember('n5', addressOf(n5));
  expect(view.filter((m) => m.voter).map((m) => m.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  // Adding again is a no-op (the operator retries after timeouts).
  expect((await viaN1.addMember('n5', addressOf(n5))).length).toBe(5);
  await viaN1.publish('q', { payload: Buffer.from('after-grow') });

  // A consumer on the leader holds a delivery with a long lease when leadership is handed over:
  // its stream ends, and what it held is given back at once, not after the lease runs out.
  await viaN1.applyQueue({ name: 'held', spec: { ackDeadline: { seconds: 600 } } });
  await viaN1.publish('held', { payload: Buffer.from('h1') });
  const onLeader = client(members.find((m) => m.id === leaderOf())?.clientAddress as string, false);
  const stream = onLeader.broker.consume();
  const ended = new Promise<void>((resolve) => {
    stream.on('error', () => resolve());
    stream.on('end', () => resolve());
  });
  const held = await new Promise<string>((resolve) => {
    stream.on('data', (r: { delivery?: { message?: { payload: Buffer } } | null }) => {
      if (r.delivery) resolve(r.delivery.message?.payload.toString() ?? '');
    });
    stream.write({ subscribe: { destination: 'held', maxInFlight: 10 } });
  });
  expect(held).toBe('h1');

  // Hand leadership to n4, then remove n4 (the leader itself: it hands over before it goes) and n5.
  await viaN1.transferLeadership({ toMember: 'n4' });
  await ended;
  const again = await viaN1.receive({ destination: 'held', maxMessages: 1, wait: { seconds: 5 } });
  expect(again.deliveries.map((d) => d.message?.payload.toString())).toEqual(['h1']);
  await viaN1.ack(again.deliveries.map((d) => d.receipt));
  await until(() => (leaderOf() === 'n4' ? true : undefined));
  // n4 joined through a snapshot and serves the whole state as the leader.
  expect((await n4Direct.getQueue('q')).status?.depth).toBe(41);
  view = await viaN1.removeMember('n4');
  expect(view.map((m) => m.id)).not.toContain('n4');
  expect(leaderOf()).not.toBe('n4');
  view = await viaN1.removeMember('n5');
  expect(view.map((m) => [m.id, m.voter])).toEqual([
    ['n1', true],
    ['n2', true],
    ['n3', true],
  ]);
  for (const id of ['n4', 'n5']) {
    await brokers.get(id)?.stop();
    brokers.delete(id);
  }
  const bad = (await viaN1.addMember('bad id', 'x').catch((e: unknown) => e)) as ServiceError;
  expect(bad.code).toBe(status.INVALID_ARGUMENT);

  // Everything published before and during the changes is still there, on the three that remain.
  await viaN1.publish('q', { payload: Buffer.from('after-shrink') });
  const seen: string[] = [];
  await until(async () => {
    const { deliveries } = await viaN1.receive({ destination: 'q', maxMessages: 100, wait: { nanos: 200e6 } });
    for (const d of deliveries) seen.push(d.message?.payload.toString() ?? '');
    if (deliveries.length > 0) await viaN1.ack(deliveries.map((d) => d.receipt));
    return seen.length >= 42 ? true : undefined;
  });
  expect(seen.sort()).toEqual(
    [...before.map((b) => b.message.payload.toString()), 'after-grow', 'after-shrink'].sort(),
  );
}, 90_000);
