// The operator's Prometheus metrics (prom-client, on a registry of its own), served on the health
// port at /metrics: reconciles by kind and result with their duration, the work queue's depth and
// refusals, informer restarts (after errors or silence), and when the webhook certificate this
// replica serves (and its CA) expire.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const RECONCILE_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'kind' | 'result'>;
  readonly reconcileSeconds: Histogram<'kind'>;
  /** Read at scrape time from the sources `watch` names. */
  readonly queueDepth: Gauge;
  readonly queueRefused: Gauge;
  readonly informerRestarts: Gauge;
  /** Unix time (s) when the served webhook certificate ('serving') and the newest CA ('ca') expire. */
  readonly webhookCertExpiry: Gauge<'certificate'>;
  watch(sources: { queueDepth(): number; queueRefused(): number; informerRestarts(): number }): void;
}

export function createOperatorMetrics(withProcessMetrics = true): OperatorMetrics {
  const registry = new Registry();
  const registers = [registry];
  let sources = { queueDepth: () => 0, queueRefused: () => 0, informerRestarts: () => 0 };
  if (withProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'wharf_operator_' });
  return {
    registry,
    reconciles: new Counter({
      name: 'wharf_operator_reconciles_total',
      help: 'Reconciles by kind (WharfCluster, Queue, Topic) and result (ok, error)',
      labelNames: ['kind', 'result'],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: 'wharf_operator_reconcile_seconds',
      help: 'Duration of one reconcile by kind',
      labelNames: ['kind'],
      buckets: RECONCILE_BUCKETS_SECONDS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'wharf_operator_workqueue_depth',
      help: 'Keys waiting in the work queue',
      registers,
      collect() {
        this.set(sources.queueDepth());
      },
    }),
    queueRefused: new Gauge({
      name: 'wharf_operator_workqueue_refused',
      help: 'Keys the bounded work queue refused since start (a resync brings them back)',
      registers,
      collect() {
        this.set(sources.queueRefused());
      },
    }),
    informerRestarts: new Gauge({
      name: 'wharf_operator_informer_restarts',
      help: 'Watch restarts since start, after errors or silence',
      registers,
      collect() {
        this.set(sources.informerRestarts());
      },
    }),
    webhookCertExpiry: new Gauge({
      name: 'wharf_operator_webhook_certificate_expiry_timestamp_seconds',
      help: 'When the webhook certificate this replica serves (certificate="serving") and the newest CA of its bundle (certificate="ca") expire, as a Unix time',
      labelNames: ['certificate'],
      registers,
    }),
    watch(next) {
      sources = next;
    },
  };
}
