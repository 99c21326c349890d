// Prometheus metrics of a broker: what it applied (publishes, deliveries, settles), how long
// commits take, the state of every queue and subscription (read at scrape time), and the log.
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../common/logger.ts';
import type { Replica } from '../replica/replica.ts';
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

  const labels = ['destination', 'subscription'] as const;
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `${PREFIX}${name}`, help, labelNames: labels, registers: [] as Registry[] });
  const inFlight = gauge('in_flight_messages', 'Messages leased and not settled.');
  const oldest = gauge('oldest_message_age_seconds', 'Age of the oldest unsettled message.');
  const deadLettered = gauge(
    'dead_lettered_messages',
    'Messages moved to the dead-letter queue since the subscription was created.',
  );
  const consumers = gauge('consumers', 'Push consumers attached to this broker.');
  // The depth gauge is registered first of the group: collecting it refreshes all of them, from one
  // pass over the applied state at scrape time.
  new Gauge({
    name: `${PREFIX}depth_messages`,
    help: 'Messages waiting (including delayed).',
    labelNames: labels,
    registers: [registry],
    collect() {
      for (const g of [this, inFlight, oldest, deadLettered, consumers]) g.reset();
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
          deadLettered.set(l, s.deadLettered);
          consumers.set(l, dispatcher.consumers(destination, s.name));
        }
      }
    },
  });
  for (const g of [inFlight, oldest, deadLettered, consumers]) registry.registerMetric(g);
  const stat = (name: string, help: string, read: (s: ReturnType<Replica['stats']>) => number): void => {
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read(replica.stats()));
      },
    });
  };
  stat('raft_term', 'Current Raft term of the broker (1 for a single member).', (s) => s.term);
  stat('commit_index', 'Highest log index known durable on a quorum.', (s) => s.commitIndex);
  stat('applied_index', 'Highest log index applied to the engine.', (s) => s.appliedIndex);
  stat('apply_lag_entries', 'Committed entries not yet applied.', (s) => s.commitIndex - s.appliedIndex);
  stat('log_bytes', 'Bytes in the log segments on disk.', (s) => s.logBytes);
  stat('log_segments', 'Log segment files on disk.', (s) => s.logSegments);
  stat('log_fsyncs', 'fdatasync calls on the log since start (each covers a group of appends).', (s) => s.fsyncs);
  return registry;
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
