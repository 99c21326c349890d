// The operator process's wiring: API client, Kubernetes version, the webhook (served by every
// replica, with its certificate from files or, operator-managed, from the Secret every replica
// watches), leader election, then on the leader only the controllers and the webhook certificate's
// upkeep. Resolves when `stop`
// aborts or leadership is lost (the caller exits non-zero then, and a fresh process campaigns
// again, as client-go operators do).
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../common/logger.ts';
import { WebhookCertificates } from './certs/webhook-certs.ts';
import type { OperatorConfig } from './config.ts';
import { runControllers } from './controllers.ts';
import { type HealthState, startHealth } from './health.ts';
import { createOperatorMetrics } from './metrics.ts';
import { BrokerDirectory } from './reconcile/broker-directory.ts';
import { ClusterCaCache } from './reconcile/cluster-ca.ts';
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
  const identity = config.lease?.identity ?? 'wharf-operator';
  const metrics = createOperatorMetrics();
  const events = createEventRecorder(kube, timers, logger, identity);
  let webhook: RunningWebhook | undefined;
  let certs: WebhookCertificates | undefined;
  if (config.webhook !== undefined) {
    const { tls } = config.webhook;
    const clusterCas = new ClusterCaCache(kube);
    webhook = await startWebhook({
      host: config.webhook.host,
      port: config.webhook.port,
      ...(tls.kind === 'files' ? { files: { certFile: tls.certFile, keyFile: tls.keyFile } } : {}),
      logger,
      config: {
        sidecarImage: config.sidecarImage,
        defaultCluster: config.defaultCluster,
        clusterDomain: config.settings.clusterDomain,
        serverVersion,
        otlpEndpoint: config.otlpEndpoint,
        defaultLogLevel: config.sidecarLogLevel,
      },
      // Sidecars of a cluster whose brokers serve TLS get its CA inline (every replica reads it).
      trust: async (cluster) => {
        const caPem = await clusterCas.caOf(cluster);
        return caPem === undefined ? undefined : { caPem };
      },
    });
    if (tls.kind === 'managed') {
      certs = new WebhookCertificates({
        kube,
        kubeConfig,
        timers,
        logger,
        events,
        metrics,
        config: tls,
        clusterDomain: config.settings.clusterDomain,
        webhook,
      });
      await certs.start();
    }
  }
  const brokers = new BrokerDirectory(config.brokerOverrides, config.settings.clusterDomain, kube);
  const controllers = (signal: AbortSignal) =>
    runControllers(
      {
        kubeConfig,
        kube,
        brokers,
        events,
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
  let started = false;
  const state: HealthState = {
    role: 'starting',
    // Ready once started and, with a webhook, serving a certificate (operator-managed: once the
    // leader made it and this replica read it).
    get ready() {
      return started && (webhook === undefined || webhook.hasCertificate());
    },
  };
  const health =
    config.healthPort === undefined
      ? undefined
      : await startHealth(config.healthHost, config.healthPort, state, metrics.registry);
  state.role = config.lease === undefined ? 'leader' : 'standby';
  started = true;
  onReady({ webhookPort: webhook?.port, healthPort: health?.port });
  try {
    const lead = async (signal: AbortSignal): Promise<void> => {
      await Promise.all([controllers(signal), certs?.lead(signal)]);
    };
    if (config.lease === undefined) {
      await lead(stop);
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
      await lead(leading);
    });
    if (lost) logger.error({ identity }, 'lost the Lease; stopping');
    return { lostLeadership: lost };
  } finally {
    brokers.close();
    await certs?.stop();
    await webhook?.close();
    await health?.close();
  }
}
