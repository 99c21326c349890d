// The operator process's wiring: API client, Kubernetes version, the webhook (served by every
// replica), leader election, then the controllers on the leader only. Resolves when `stop`
// aborts or leadership is lost (the caller exits non-zero then, and a fresh process campaigns
// again, as client-go operators do).
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../common/logger.ts';
import type { OperatorConfig } from './config.ts';
import { runControllers } from './controllers.ts';
import { type HealthState, startHealth } from './health.ts';
import { createOperatorMetrics } from './metrics.ts';
import { BrokerDirectory } from './reconcile/broker-directory.ts';
import { createEventRecorder } from './reconcile/events.ts';
import { createKubeClient, type KubeClient } from './runtime/kube-client.ts';
import { DEFAULT_TIMING, LeaderElector, type Lease } from './runtime/leader-election.ts';
import { resourcePath } from './runtime/resource-paths.ts';
import { systemTimers } from './runtime/timers.ts';
import type { RunningWebhook } from './webhook/server.ts';
import { startWebhook } from './webhook/server.ts';

export interface OperatorOutcome {
  /** True when the operator stopped because it lost its Lease. */
  readonly lostLeadership: boolean;
}

/** "1", "31+" → 1, 31 (managed clusters add suffixes to the minor version). */
export function parseServerVersion(version: { major?: string; minor?: string }): { major: number; minor: number } {
  return {
    major: Number.parseInt(version.major ?? '1', 10) || 1,
    minor: Number.parseInt(version.minor ?? '0', 10) || 0,
  };
}

function leaseApi(kube: KubeClient, namespace: string, name: string) {
  const path = resourcePath('Lease', namespace, name);
  return {
    get: () => kube.get<Lease>(path),
    create: (lease: Lease) => kube.create<Lease>(resourcePath('Lease', namespace), lease),
    replace: (lease: Lease) => kube.replace<Lease>(path, lease),
  };
}

export async function runOperator(
  config: OperatorConfig,
  logger: Logger,
  stop: AbortSignal,
  onReady: (info: { webhookPort: number | undefined; healthPort: number | undefined }) => void = () => {},
): Promise<OperatorOutcome> {
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(config.kubeconfig);
  const kube = createKubeClient(kubeConfig);
  const timers = systemTimers;
  const serverVersion = parseServerVersion(await kube.raw<{ major?: string; minor?: string }>('/version'));
  logger.info({ serverVersion }, 'connected to the API server');
  let webhook: RunningWebhook | undefined;
  if (config.webhook !== undefined) {
    webhook = await startWebhook({
      ...config.webhook,
      logger,
      config: {
        sidecarImage: config.sidecarImage,
        defaultCluster: config.defaultCluster,
        clusterDomain: config.settings.clusterDomain,
        serverVersion,
        otlpEndpoint: config.otlpEndpoint,
        defaultLogLevel: config.sidecarLogLevel,
      },
    });
  }
  const identity = config.lease?.identity ?? 'wharf-operator';
  const metrics = createOperatorMetrics();
  const brokers = new BrokerDirectory(config.brokerOverrides, config.settings.clusterDomain, kube);
  const controllers = (signal: AbortSignal) =>
    runControllers(
      {
        kubeConfig,
        kube,
        brokers,
        events: createEventRecorder(kube, timers, logger, identity),
        timers,
        logger,
        settings: config.settings,
        namespaces: config.namespaces,
        workers: config.workers,
        refreshMs: config.refreshMs,
        changingRequeueMs: config.changingRequeueMs,
        metrics,
      },
      signal,
    );
  const state: HealthState = { role: 'starting', ready: false };
  const health =
    config.healthPort === undefined
      ? undefined
      : await startHealth(config.healthHost, config.healthPort, state, metrics.registry);
  state.role = config.lease === undefined ? 'leader' : 'standby';
  state.ready = true;
  onReady({ webhookPort: webhook?.port, healthPort: health?.port });
  try {
    if (config.lease === undefined) {
      await controllers(stop);
      return { lostLeadership: false };
    }
    const elector = new LeaderElector({
      api: leaseApi(kube, config.lease.namespace, config.lease.name),
      name: config.lease.name,
      namespace: config.lease.namespace,
      identity,
      timers,
      ...DEFAULT_TIMING,
      onError: (error) => logger.warn({ err: error }, 'leader election'),
    });
    const { lost } = await elector.run(stop, async (leading) => {
      logger.info({ identity, lease: config.lease?.name }, 'leading');
      state.role = 'leader';
      await controllers(leading);
    });
    if (lost) logger.error({ identity }, 'lost the Lease; stopping');
    return { lostLeadership: lost };
  } finally {
    brokers.close();
    await webhook?.close();
    await health?.close();
  }
}
