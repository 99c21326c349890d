// Cluster mode in one process: three brokers (startBroker with peers) over the real peer transport
// on loopback. Followers refuse state-changing calls with the leader's address (trailer and
// message); the leader serves them; the status lists the members; a new leader takes over.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceError, status } from '@grpc/grpc-js';
import { afterAll, expect, it } from 'vitest';
import { connect } from '../../client/client.ts';
import { silentLogger } from '../../common/logger.ts';
import { freeLoopbackPort } from '../../common/net.ts';
import { type ClusterMember, parsePeers, type RunningBroker, startBroker } from '../broker.ts';

let dir = '';
const brokers = new Map<string, RunningBroker>();
afterAll(async () => {
  for (const b of brokers.values()) await b.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
}, 30_000);

const freePort = freeLoopbackPort;

async function until<T>(get: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('parses --peers', () => {
  expect(parsePeers('a=127.0.0.1:7401:7501, b=h.local:1:2')).toEqual([
    { id: 'a', clientAddress: '127.0.0.1:7401', peerAddress: '127.0.0.1:7501' },
    { id: 'b', clientAddress: 'h.local:1', peerAddress: 'h.local:2' },
  ]);
  expect(() => parsePeers('a=127.0.0.1:7401')).toThrow(/id=host:clientPort:peerPort/);
});

it('serves on the leader, hints from followers, and fails over when the leader stops', async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-cluster-'));
  const members: ClusterMember[] = [];
  for (const id of ['n1', 'n2', 'n3']) {
    members.push({
      id,
      clientAddress: `127.0.0.1:${await freePort()}`,
      peerAddress: `127.0.0.1:${await freePort()}`,
    });
  }
  for (const m of members) {
    brokers.set(
      m.id,
      await startBroker({
        dataDir: join(dir, m.id),
        port: Number(m.clientAddress.split(':')[1]),
        nodeId: m.id,
        peers: members,
        // 50 ms ticks: a busy machine (parallel suites on 2 cores) does not stall the event loop past
        // an election timeout, which would move the leadership in the middle of the assertions.
        tickMs: 50,
        logger: silentLogger(),
        stopGraceMs: 200,
      }),
    );
  }
  const leaderId = await until(() => [...brokers].find(([, b]) => b.isLeader())?.[0]);
  const leader = brokers.get(leaderId) as RunningBroker;
  const followerId = members.find((m) => m.id !== leaderId)?.id as string;
  const follower = connect((brokers.get(followerId) as RunningBroker).address, {
    deadlineMs: 5_000,
    followLeader: false,
  });
  const onLeader = connect(leader.address, { deadlineMs: 5_000 });
  try {
    // Right after the election a follower may not have heard from the leader yet: no hint then.
    let refused = {} as ServiceError;
    for (let i = 0; i < 100; i++) {
      refused = (await follower.applyQueue({ name: 'q', spec: {} }).catch((e: unknown) => e)) as ServiceError;
      if (refused.metadata?.get('wharf-leader').length > 0) break;
      expect(refused.details).toMatch(/no leader is known yet/);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused.code).toBe(status.UNAVAILABLE);
    expect(refused.metadata.get('wharf-leader')).toEqual([leader.address]);
    expect(refused.details).toContain(`leader: ${leader.address}`);
    const receiveRefused = (await follower.receive({ destination: 'q' }).catch((e: unknown) => e)) as ServiceError;
    expect(receiveRefused.code).toBe(status.UNAVAILABLE);
    // Status is read on the leader too (it knows the consumers), after a read index.
    const readRefused = (await follower.getQueue('q').catch((e: unknown) => e)) as ServiceError;
    expect(readRefused.code).toBe(status.UNAVAILABLE);
    expect(readRefused.metadata.get('wharf-leader')).toEqual([leader.address]);

    await onLeader.applyQueue({ name: 'q', spec: { ackDeadline: { seconds: 1 } } });
    await onLeader.publishBatch([
      { destination: 'q', message: { payload: Buffer.from('one') } },
      { destination: 'q', message: { payload: Buffer.from('two') } },
    ]);
    const { deliveries } = await onLeader.receive({ destination: 'q', maxMessages: 1, wait: { nanos: 500e6 } });
    expect(deliveries.map((d) => d.message?.payload.toString())).toEqual(['one']);
    expect((await onLeader.ack(deliveries.map((d) => d.receipt))).results[0]?.outcome).toBe('OUTCOME_OK');

    // The client library follows the hint: connected to a follower, it is served by the leader.
    const following = connect((brokers.get(followerId) as RunningBroker).address, { deadlineMs: 5_000 });
    try {
      const published = await following.publish('q', { payload: Buffer.from('via follower') });
      expect(published.sequence).toBe(3);
      expect((await following.getQueue('q')).status?.depth).toBe(2);
    } finally {
      following.close();
    }
    const viaFollower = await onLeader.receive({ destination: 'q', maxMessages: 5, wait: { nanos: 500e6 } });
    expect(viaFollower.deliveries.map((d) => d.message?.payload.toString())).toEqual(['two', 'via follower']);
    await onLeader.nack(
      viaFollower.deliveries.filter((d) => d.message?.payload.toString() === 'two').map((d) => d.receipt),
      { delayMs: 1 },
    );
    await onLeader.ack(
      viaFollower.deliveries.filter((d) => d.message?.payload.toString() !== 'two').map((d) => d.receipt),
    );

    // Members with their client addresses; health comes from the peer links' probes.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const view = await follower.clusterStatus();
    expect(view.members.map((m) => [m.id, m.address, m.voter, m.leader, m.healthy])).toEqual(
      members.map((m) => [m.id, m.clientAddress, true, m.id === leaderId, true]),
    );

    // The leader stops: another is elected and still has the unsettled message.
    await leader.stop();
    brokers.delete(leaderId);
    const nextId = await until(() => [...brokers].find(([, b]) => b.isLeader())?.[0]);
    const next = connect((brokers.get(nextId) as RunningBroker).address, { deadlineMs: 5_000 });
    try {
      const again = await next.receive({ destination: 'q', maxMessages: 5, wait: { nanos: 500e6 } });
      expect(again.deliveries.map((d) => d.message?.payload.toString())).toEqual(['two']);
    } finally {
      next.close();
    }
  } finally {
    follower.close();
    onLeader.close();
  }
}, 60_000);
