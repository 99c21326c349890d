// The broker's Prometheus endpoint reflects what it applied, the state of its queues, its log's
// fsyncs and its Raft group (on a single member, and on the leader of a three-member cluster).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../client/client.ts';
import { silentLogger } from '../../common/logger.ts';
import { freeLoopbackPort } from '../../common/net.ts';
import { type ClusterMember, type RunningBroker, startBroker } from '../broker.ts';
import { startTestBroker, type TestBroker } from './testing.ts';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker();
});
afterAll(async () => {
  await t?.close();
});

async function scrape(address = t.broker.metricsAddress): Promise<string> {
  const response = await fetch(`http://${address}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one series, or undefined when the scrape has no such series. */
function find(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function value(text: string, series: string): number {
  const found = find(text, series);
  if (found === undefined) throw new Error(`no series ${series} in:\n${text.slice(0, 2000)}`);
  return found;
}

async function until<T>(get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = get();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Scrapes until `series` satisfies `done` (bounded): for what the broker does on its own time. */
async function scrapeUntil(series: string, done: (value: number) => boolean, address?: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await scrape(address);
    const found = find(text, series);
    if (found !== undefined && done(found)) return text;
    if (Date.now() > deadline) throw new Error(`${series} is ${found} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('counts publishes, deliveries and acks, and shows depth, commit and fsync latency', async () => {
  await t.client.applyQueue({ name: 'default/metered' });
  await t.client.publishBatch(
    Array.from({ length: 3 }, (_, i) => ({
      destination: 'default/metered',
      message: { payload: Buffer.from(`${i}`) },
    })),
  );
  const { deliveries } = await t.client.receive({ destination: 'default/metered', maxMessages: 1 });
  await t.client.ack(deliveries.map((d) => d.receipt));
  const text = await scrape();
  const labels = '{destination="default/metered",subscription=""}';
  expect(value(text, 'wharf_broker_published_messages_total{destination="default/metered"}')).toBe(3);
  expect(value(text, `wharf_broker_delivered_messages_total${labels}`)).toBe(1);
  expect(value(text, 'wharf_broker_settled_receipts_total{op="ack",outcome="ok"}')).toBe(1);
  expect(value(text, `wharf_broker_depth_messages${labels}`)).toBe(2);
  expect(value(text, `wharf_broker_in_flight_messages${labels}`)).toBe(0);
  expect(value(text, `wharf_broker_dead_lettered_messages_total${labels}`)).toBe(0);
  expect(value(text, `wharf_broker_expired_messages_total${labels}`)).toBe(0);
  expect(value(text, 'wharf_broker_commit_duration_seconds_count{command="publish"}')).toBeGreaterThanOrEqual(1);
  // Every log fsync counted is timed (the histogram was there before the first one).
  const fsyncs = value(text, 'wharf_broker_log_fsyncs_total');
  expect(fsyncs).toBeGreaterThan(0);
  expect(value(text, 'wharf_broker_log_fsync_duration_seconds_count')).toBe(fsyncs);
  expect(value(text, 'wharf_broker_log_fsync_duration_seconds_sum')).toBeGreaterThan(0);
  expect(text).toContain('# TYPE wharf_broker_log_fsyncs_total counter');
  expect(text).toContain('# TYPE wharf_broker_dead_lettered_messages_total counter');
  // A single member leads its own group, at term 1, with nobody to lag behind it.
  expect(value(text, 'wharf_broker_raft_leader')).toBe(1);
  expect(value(text, 'wharf_broker_raft_term')).toBe(1);
  expect(value(text, 'wharf_broker_apply_lag_entries')).toBe(0);
  expect(text).not.toContain('wharf_broker_raft_follower_lag_entries{');

  const before = value(text, 'wharf_broker_log_fsync_duration_seconds_count');
  await t.client.publish('default/metered', { payload: Buffer.from('one more') });
  const after = await scrape();
  expect(value(after, 'wharf_broker_log_fsync_duration_seconds_count')).toBeGreaterThan(before);
});

it('counts messages that expire and that are dead-lettered', async () => {
  await t.client.applyQueue({ name: 'default/short-lived' });
  await t.client.applyQueue({ name: 'default/failing', spec: { maxDeliveries: 1 } });
  await t.client.publish('default/short-lived', { payload: Buffer.from('late'), ttl: { nanos: 50e6 } });
  await t.client.publish('default/short-lived', { payload: Buffer.from('kept') });
  await t.client.publish('default/failing', { payload: Buffer.from('bad') });
  const { deliveries } = await t.client.receive({ destination: 'default/failing', maxMessages: 1 });
  await t.client.nack(deliveries.map((d) => d.receipt));

  const labels = '{destination="default/short-lived",subscription=""}';
  // The broker expires the message on its own (a tick at its TTL): poll until it has.
  const text = await scrapeUntil(`wharf_broker_expired_messages_total${labels}`, (n) => n === 1);
  expect(value(text, `wharf_broker_depth_messages${labels}`)).toBe(1);
  expect(value(text, 'wharf_broker_dead_lettered_messages_total{destination="default/failing",subscription=""}')).toBe(
    1,
  );
});

it('shows on the leader of a three-member group how far each follower lags, and who leads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-metrics-cluster-'));
  const members: ClusterMember[] = [];
  for (const id of ['m1', 'm2', 'm3']) {
    members.push({
      id,
      clientAddress: `127.0.0.1:${await freeLoopbackPort()}`,
      peerAddress: `127.0.0.1:${await freeLoopbackPort()}`,
    });
  }
  const brokers: RunningBroker[] = [];
  try {
    for (const m of members) {
      brokers.push(
        await startBroker({
          dataDir: join(dir, m.id),
          port: Number(m.clientAddress.split(':')[1]),
          metricsPort: 0,
          nodeId: m.id,
          peers: members,
          tickMs: 50,
          logger: silentLogger(),
          stopGraceMs: 200,
        }),
      );
    }
    const leader = await until(() => brokers.find((b) => b.isLeader()));
    const client = connect(leader.address, { deadlineMs: 10_000 });
    try {
      await client.applyQueue({ name: 'default/replicated' });
      await client.publish('default/replicated', { payload: Buffer.from('x') });
      const followers = members.filter((m) => m.clientAddress !== leader.address);
      // Both followers caught up (lag 0) once the leader has heard back from them.
      let text = '';
      for (const { id } of followers) {
        const series = `wharf_broker_raft_follower_lag_entries{peer="${id}"}`;
        text = await scrapeUntil(series, (n) => n === 0, leader.metricsAddress);
      }
      expect(value(text, 'wharf_broker_raft_leader')).toBe(1);
      expect(value(text, 'wharf_broker_raft_term')).toBeGreaterThanOrEqual(1);
      expect(value(text, 'wharf_broker_commit_index')).toBeGreaterThanOrEqual(2);
      const stopped = followers[0] as ClusterMember;
      const running = brokers[members.indexOf(followers[1] as ClusterMember)] as RunningBroker;
      const onFollower = await scrape(running.metricsAddress);
      expect(value(onFollower, 'wharf_broker_raft_leader')).toBe(0);
      expect(onFollower).not.toContain('wharf_broker_raft_follower_lag_entries{');
      expect(value(onFollower, 'wharf_broker_log_fsync_duration_seconds_count')).toBeGreaterThan(0);

      // A stopped follower falls behind by what the other two commit without it.
      await brokers[members.indexOf(stopped)]?.stop();
      for (let i = 0; i < 3; i++) await client.publish('default/replicated', { payload: Buffer.from(`${i}`) });
      const behind = await scrape(leader.metricsAddress);
      expect(value(behind, `wharf_broker_raft_follower_lag_entries{peer="${stopped.id}"}`)).toBeGreaterThanOrEqual(3);
    } finally {
      client.close();
    }
  } finally {
    for (const b of brokers) await b.stop();
    await rm(dir, { recursive: true, force: true });
  }
}, 30_000);
