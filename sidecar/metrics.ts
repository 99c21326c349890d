// The sidecar's Prometheus metrics (prom-client, on a registry of its own so two sidecars in one
// process do not collide) and the HTTP endpoint that serves them at /metrics.
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Upstream latency buckets: sub-millisecond loopback up to long polls. */
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export interface SidecarMetrics {
  readonly registry: Registry;
  readonly publishes: Counter<'outcome'>;
  readonly publishRetries: Counter;
  readonly deliveries: Counter<'source'>;
  readonly acks: Counter<'outcome'>;
  readonly nacks: Counter<'outcome'>;
  readonly errors: Counter<'method' | 'code'>;
  readonly upstreamSeconds: Histogram<'method'>;
  readonly publishBatchRequests: Histogram;
  /** Read at scrape time from the source `watchHeld` names (not set per delivery). */
  readonly heldDeliveries: Gauge;
  /** Names what heldDeliveries reports (the delivery ledger's size). */
  watchHeld(size: () => number): void;
  /** The acks or nacks counter bound to `outcome` (bound once: labelling per call costs a hash). */
  settled(op: 'ack' | 'nack', outcome: string): { inc(n?: number): void };
}

export function createMetrics(): SidecarMetrics {
  const registry = new Registry();
  const registers = [registry];
  let heldSize = (): number => 0;
  const bound = new Map<string, { inc(n?: number): void }>();
  const metrics: SidecarMetrics = {
    registry,
    publishes: new Counter({
      name: 'wharf_sidecar_publishes_total',
      help: 'Messages published through the sidecar, by outcome (ok, duplicate, error)',
      labelNames: ['outcome'],
      registers,
    }),
    publishRetries: new Counter({
      name: 'wharf_sidecar_publish_retries_total',
      help: 'Upstream publish calls the sidecar sent again after UNAVAILABLE or a lost connection',
      registers,
    }),
    deliveries: new Counter({
      name: 'wharf_sidecar_deliveries_total',
      help: 'Deliveries handed to the app, by source (consume, receive)',
      labelNames: ['source'],
      registers,
    }),
    acks: new Counter({
      name: 'wharf_sidecar_acks_total',
      help: 'Receipts acknowledged, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    nacks: new Counter({
      name: 'wharf_sidecar_nacks_total',
      help: 'Receipts negatively acknowledged (including by drain), by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    errors: new Counter({
      name: 'wharf_sidecar_errors_total',
      help: 'Calls answered with an error, by method and gRPC status code',
      labelNames: ['method', 'code'],
      registers,
    }),
    upstreamSeconds: new Histogram({
      name: 'wharf_sidecar_upstream_request_duration_seconds',
      help: 'Latency of unary calls from the sidecar to the brokers, by method',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    publishBatchRequests: new Histogram({
      name: 'wharf_sidecar_publish_batch_requests',
      help: 'Requests per upstream PublishBatch (how well concurrent publishes coalesce)',
      buckets: BATCH_BUCKETS,
      registers,
    }),
    heldDeliveries: new Gauge({
      name: 'wharf_sidecar_held_deliveries',
      help: 'Deliveries handed to the app and not settled yet',
      registers,
      collect() {
        this.set(heldSize());
      },
    }),
    watchHeld(size) {
      heldSize = size;
    },
    settled(op, outcome) {
      const key = `${op} ${outcome}`;
      let counter = bound.get(key);
      if (counter === undefined) {
        counter = (op === 'ack' ? metrics.acks : metrics.nacks).labels({ outcome });
        // Outcomes are an enum of four; the bound is only a guard.
        if (bound.size < 64) bound.set(key, counter);
      }
      return counter;
    },
  };
  return metrics;
}

/** Process metrics (CPU, memory, event loop lag) as well, for the process's own registry. */
export function withProcessMetrics(metrics: SidecarMetrics): SidecarMetrics {
  collectDefaultMetrics({ register: metrics.registry, prefix: 'wharf_sidecar_' });
  return metrics;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics' && request.url !== '/') {
      response.writeHead(404).end('not found; try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
