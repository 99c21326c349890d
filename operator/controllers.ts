// The controllers: one informer per kind and namespace feeding one keyed work queue
// ("Kind|namespace/name"), workers that dispatch keys to the reconcilers, and a periodic resync
// that re-queues every known object (level-triggered: a missed event is only late, never lost).
// The brokers' StatefulSets and pods are watched too (by label): a change to one queues its
// WharfCluster at once, so a pod that turns ready joins the Raft group without waiting for the
// cluster's next scheduled look.
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../common/logger.ts';
import type { Queue, Topic, WharfCluster } from '../crds/types.ts';
import type { OperatorMetrics } from './metrics.ts';
import type { OperatorSettings } from './model/cluster-spec.ts';
import { CHILDREN_SELECTOR, owningCluster } from './model/names.ts';
import type { BrokerDirectory } from './reconcile/broker-directory.ts';
import { reconcileCluster } from './reconcile/cluster-reconciler.ts';
import { type Cache, objectKey, type ReconcileDeps, splitKey } from './reconcile/deps.ts';
import { reconcileDestination } from './reconcile/destination-reconciler.ts';
import type { EventRecorder } from './reconcile/events.ts';
import { ChangeFilter } from './runtime/change-filter.ts';
import { ResilientInformer } from './runtime/informer.ts';
import type { KubeClient } from './runtime/kube-client.ts';
import { resourcePath } from './runtime/resource-paths.ts';
import { delay, type Timers } from './runtime/timers.ts';
import { runWorkers, WorkQueue } from './runtime/work-queue.ts';

type WatchedKind = 'WharfCluster' | 'Queue' | 'Topic';
const KINDS: readonly WatchedKind[] = ['WharfCluster', 'Queue', 'Topic'];
/** Objects of the brokers, watched only to queue their cluster. */
const CHILD_KINDS = ['StatefulSet', 'Pod'] as const;
export const RESYNC_MS = 60_000;

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly kube: KubeClient;
  readonly brokers: BrokerDirectory;
  readonly events: EventRecorder;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly settings: OperatorSettings;
  readonly namespaces: readonly string[];
  readonly workers: number;
  readonly refreshMs: number;
  readonly changingRequeueMs: number;
  readonly metrics: OperatorMetrics;
}

/** One cache over the informers of a kind (one per watched namespace, or one for all). */
function mergedCache<T extends KubernetesObject>(informers: readonly ResilientInformer<T>[]): Cache<T> {
  return {
    get: (name, namespace) => {
      for (const informer of informers) {
        const found = informer.get(name, namespace);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    list: (namespace) => informers.flatMap((informer) => informer.list(namespace)),
  };
}

/** Runs the controllers until `stop` aborts. */
export async function runControllers(options: ControllerOptions, stop: AbortSignal): Promise<void> {
  const { logger, timers } = options;
  const queue = new WorkQueue({ timers, backoff: { baseDelayMs: 200, maxDelayMs: 30_000, keysMax: 10_000 } });
  const scopes: (string | undefined)[] = options.namespaces.length === 0 ? [undefined] : [...options.namespaces];
  const informers = new Map<WatchedKind, ResilientInformer<KubernetesObject>[]>();
  const changes = new ChangeFilter();
  for (const kind of KINDS) {
    informers.set(
      kind,
      scopes.map((namespace) => {
        const path = resourcePath(kind, namespace);
        return new ResilientInformer<KubernetesObject>({
          path,
          kubeConfig: options.kubeConfig,
          list: () => options.kube.list(path) as Promise<KubernetesListObject<KubernetesObject>>,
          timers,
          logger,
          onChange: (type, object) => {
            const key = `${kind}|${objectKey(object)}`;
            if (!changes.admit(key, type, object)) return;
            queue.add(key);
            // Queues and Topics follow their cluster (e.g. finalizers released when it goes).
            if (kind === 'WharfCluster') enqueueAll(['Queue', 'Topic']);
          },
        });
      }),
    );
  }
  const children = CHILD_KINDS.flatMap((kind) =>
    scopes.map((namespace) => {
      const path = resourcePath(kind, namespace);
      return new ResilientInformer<KubernetesObject>({
        path,
        labelSelector: CHILDREN_SELECTOR,
        kubeConfig: options.kubeConfig,
        list: () => options.kube.list(path, CHILDREN_SELECTOR) as Promise<KubernetesListObject<KubernetesObject>>,
        timers,
        logger,
        onChange: (_type, object) => {
          const cluster = owningCluster(object);
          if (cluster !== undefined) queue.add(`WharfCluster|${cluster.namespace}/${cluster.name}`);
        },
      });
    }),
  );
  const all = (kind: WatchedKind) => informers.get(kind) ?? [];
  const enqueueAll = (kinds: readonly WatchedKind[]): void => {
    for (const kind of kinds)
      for (const informer of all(kind)) for (const o of informer.list()) queue.add(`${kind}|${objectKey(o)}`);
  };
  const deps: ReconcileDeps = {
    kube: options.kube,
    brokers: options.brokers,
    events: options.events,
    timers,
    logger,
    settings: options.settings,
    clusters: mergedCache(all('WharfCluster')) as Cache<WharfCluster>,
    queues: mergedCache(all('Queue')) as Cache<Queue>,
    topics: mergedCache(all('Topic')) as Cache<Topic>,
    refreshMs: options.refreshMs,
    changingRequeueMs: options.changingRequeueMs,
  };
  options.metrics.watch({
    queueDepth: () => queue.length,
    queueRefused: () => queue.refusedCount,
    informerRestarts: () =>
      KINDS.reduce((sum, kind) => sum + all(kind).reduce((n, i) => n + i.restarts, 0), 0) +
      children.reduce((n, i) => n + i.restarts, 0),
  });
  // Clusters first, so Queues and Topics find them in the cache.
  for (const kind of KINDS) await Promise.all(all(kind).map((informer) => informer.start()));
  await Promise.all(children.map((informer) => informer.start()));
  logger.info({ namespaces: options.namespaces.length === 0 ? 'all' : options.namespaces }, 'controllers started');
  const workers = runWorkers(
    queue,
    options.workers,
    async (item) => {
      const bar = item.indexOf('|');
      const kind = item.slice(0, bar) as WatchedKind;
      const key = splitKey(item.slice(bar + 1));
      const endTimer = options.metrics.reconcileSeconds.startTimer({ kind });
      try {
        const result =
          kind === 'WharfCluster' ? await reconcileCluster(deps, key) : await reconcileDestination(deps, kind, key);
        options.metrics.reconciles.inc({ kind, result: 'ok' });
        return result;
      } catch (error) {
        options.metrics.reconciles.inc({ kind, result: 'error' });
        throw error;
      } finally {
        endTimer();
      }
    },
    (item, error) => {
      const bar = item.indexOf('|');
      const { namespace, name } = splitKey(item.slice(bar + 1));
      logger.warn({ kind: item.slice(0, bar), namespace, name, err: error }, 'reconcile failed; will retry');
    },
  );
  const resync = (async () => {
    while (!stop.aborted) {
      await delay(timers, RESYNC_MS, stop);
      if (!stop.aborted) enqueueAll(KINDS);
    }
  })();
  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener('abort', () => resolve(), { once: true });
  });
  queue.shutDown();
  await Promise.all([
    workers,
    resync,
    ...KINDS.flatMap((kind) => all(kind).map((informer) => informer.stop())),
    ...children.map((informer) => informer.stop()),
  ]);
}
