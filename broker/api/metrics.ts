// Prometheus metrics of a broker: what it applied (publishes, deliveries, settles), how long
// commits and log fsyncs take, and, read at scrape time, the state of every queue and
// subscription (depth, age, dead-lettered, expired and dropped counts) and of Raft and the log.
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../common/logger.ts';
import type { Replica, ReplicaStats } from '../replica/replica.ts';
import type { Dispatcher } from './dispatcher.ts';

const PREFIX = 'wharf_broker_';

export function brokerMetrics(replica: Replica, dispatcher: Dispatcher): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const published = new Counter({
    name: `${PREFIX}published_messages_total`,
    help: 'Messages stored by publishes (duplicates inside the dedup window not counted).',
    labelNames: ['destination'],
    registers: [registry],
  });
  const duplicates = new Counter({
    name: `${PREFIX}duplicate_publishes_total`,
    help: 'Publishes answered as duplicates of a dedup_id seen inside the window.',
    labelNames: ['destination'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: `${PREFIX}rejected_publishes_total`,
    help: 'Publishes refused when applied, by reason.',
    labelNames: ['destination', 'reason'],
    registers: [registry],
  });
  const delivered = new Counter({
    name: `${PREFIX}delivered_messages_total`,
    help: 'Deliveries leased to consumers (each redelivery counts).',
    labelNames: ['destination', 'subscription'],
    registers: [registry],
  });
  const settled = new Counter({
    name: `${PREFIX}settled_receipts_total`,
    help: 'Receipts settled, by operation (ack, nack, extend) and outcome (ok, expired, unknown).',
    labelNames: ['op', 'outcome'],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: `${PREFIX}commit_duration_seconds`,
    help: 'From proposal to applied: append, fsync (on a quorum) and apply, by command.',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  replica.onCommitted((type, ms) => commitSeconds.observe({ command: type }, ms / 1000));
  replica.onApplied((command, result) => {
    if ('ok' in result) return; // a whole-command failure: nothing was stored or delivered
    if (command.type === 'publish' && result.type === 'published') {
      result.outcomes.forEach((outcome, i) => {
        const destination = command.items[i]?.destination ?? '';
        if (!outcome.ok) rejected.inc({ destination, reason: outcome.kind });
        else if (outcome.duplicate) duplicates.inc({ destination });
        else published.inc({ destination });
      });
    } else if (command.type === 'lease' && result.type === 'leased' && result.deliveries.length > 0) {
      delivered.inc({ destination: command.destination, subscription: command.subscription }, result.deliveries.length);
    } else if (command.type === 'settle' && result.type === 'settled') {
      for (const outcome of result.outcomes) settled.inc({ op: command.op, outcome });
    }
  });

  const fsyncSeconds = new Histogram({
    name: `${PREFIX}log_fsync_duration_seconds`,
    help: 'Time of each fdatasync/fsync of the log (segment files and their directory); one covers a group of appends.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  replica.onFsync((ms) => fsyncSeconds.observe(ms / 1000));
  subscriptionSeries(registry, replica, dispatcher);
  replicaSeries(registry, replica);
  return registry;
}

/**
 * The state of every queue and topic subscription, read from the applied state at scrape time.
 * The counters are the engine's own replicated counts (kept across restarts, the same on every
 * member), exposed as counters.
 */
function subscriptionSeries(registry: Registry, replica: Replica, dispatcher: Dispatcher): void {
  const labelNames = ['destination', 'subscription'] as const;
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [] as Registry[] });
  const counter = (name: string, help: string) =>
    new Counter({ name: `${PREFIX}${name}`, help, labelNames, registers: [] as Registry[] });
  const inFlight = gauge('in_flight_messages', 'Messages leased and not settled.');
  const oldest = gauge('oldest_message_age_seconds', 'Age of the oldest unsettled message.');
  const consumers = gauge('consumers', 'Push consumers attached to this broker.');
  const deadLettered = counter(
    'dead_lettered_messages_total',
    'Messages that failed this subscription (max deliveries, or nacked to the dead-letter queue): moved to its dead-letter queue, or discarded without one.',
  );
  const expired = counter(
    'expired_messages_total',
    'Messages whose TTL ran out before this subscription settled them.',
  );
  const dropped = counter(
    'dropped_messages_total',
    'Messages retention dropped (maxAge, maxMessages, maxBytes, DropOldest) before this subscription settled them.',
  );
  const others = [inFlight, oldest, consumers, deadLettered, expired, dropped];
  // The depth gauge is registered first of the group: collecting it refreshes all of them, from one
  // pass over the applied state.
  new Gauge({
    name: `${PREFIX}depth_messages`,
    help: 'Messages waiting (including delayed).',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const metric of others) metric.reset();
      const nowMs = replica.nowMs();
      const engine = replica.engine;
      const views = [
        ...engine.listQueues('', nowMs).map((q) => ({ destination: q.name, subs: [q.stats] })),
        ...engine.listTopics('', nowMs).map((t) => ({ destination: t.name, subs: t.subscriptions })),
      ];
      for (const { destination, subs } of views) {
        for (const s of subs) {
          const l = { destination, subscription: s.name };
          this.set(l, s.depth);
          inFlight.set(l, s.inFlight);
          oldest.set(l, s.oldestMessageAgeMs / 1000);
          consumers.set(l, dispatcher.consumers(destination, s.name));
          deadLettered.inc(l, s.deadLettered);
          expired.inc(l, s.expired);
          dropped.inc(l, s.dropped);
        }
      }
    },
  });
  for (const metric of others) registry.registerMetric(metric);
}

/** Raft and log state of this member, from one stats() read at scrape time (no hot-path hooks). */
function replicaSeries(registry: Registry, replica: Replica): void {
  const gauge = (name: string, help: string, read: (s: ReplicaStats) => number) => ({
    metric: new Gauge({ name: `${PREFIX}${name}`, help, registers: [] as Registry[] }),
    read,
  });
  const gauges = [
    gauge(
      'raft_leader',
      'Whether this broker leads its Raft group (1) or not (0); a single member always does.',
      (s) => (s.leader ? 1 : 0),
    ),
    gauge('commit_index', 'Highest log index known durable on a quorum.', (s) => s.commitIndex),
    gauge('applied_index', 'Highest log index applied to the engine.', (s) => s.appliedIndex),
    gauge('apply_lag_entries', 'Committed entries not yet applied.', (s) => s.commitIndex - s.appliedIndex),
    gauge('log_bytes', 'Bytes in the log segments on disk.', (s) => s.logBytes),
    gauge('log_segments', 'Log segment files on disk.', (s) => s.logSegments),
  ];
  const followerLag = new Gauge({
    name: `${PREFIX}raft_follower_lag_entries`,
    help: "Leader only: entries of the leader's log each other member (peer) is not known to hold yet.",
    labelNames: ['peer'],
    registers: [] as Registry[],
  });
  const fsyncs = new Counter({
    name: `${PREFIX}log_fsyncs_total`,
    help: 'fdatasync/fsync calls on the log since start (each covers a group of appends).',
    registers: [] as Registry[],
  });
  // Registered first of the group: collecting it reads stats() once and refreshes the rest.
  new Gauge({
    name: `${PREFIX}raft_term`,
    help: 'Current Raft term of the broker (1 for a single member).',
    registers: [registry],
    collect() {
      const stats = replica.stats();
      this.set(stats.term);
      for (const { metric, read } of gauges) metric.set(read(stats));
      followerLag.reset();
      for (const [peer, entries] of stats.followerLagEntries) followerLag.set({ peer }, entries);
      fsyncs.reset();
      fsyncs.inc(stats.fsyncs);
    },
  });
  for (const { metric } of gauges) registry.registerMetric(metric);
  registry.registerMetric(followerLag);
  registry.registerMetric(fsyncs);
}

/** Serves GET /metrics on host:port (0 picks a free port). */
export async function startMetricsServer(
  registry: Registry,
  host: string,
  port: number,
  logger: Logger,
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('see /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        response.writeHead(500).end('metrics collection failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : port };
}
