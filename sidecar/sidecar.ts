// One sidecar, wired: router, publisher, consume proxy, tracing, metrics and the gRPC server
// (BrokerService, AdminService forwarded to a broker, health, reflection) on loopback. Used by main.ts and by the tests.
import { randomInt } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { tlsChannel } from '../client/client.ts';
import { adminProto, brokerProto, PROTO_LOADER_OPTIONS } from '../client/proto.ts';
import type { Logger } from '../common/logger.ts';
import { type Random, seededRandom } from '../common/random.ts';
import { channelCredentials, TlsFiles } from '../common/tls.ts';
import { ATTR_WHARF_LEASE_EXPIRED } from '../common/tracing.ts';
import { adminForwarders } from './admin-proxy.ts';
import type { SidecarConfig } from './config.ts';
import { ConsumeStreams, rawConsumeService } from './consume-proxy.ts';
import { DeliveryLedger } from './delivery-ledger.ts';
import { brokerHandlers, type HandlerDeps, nackHeld } from './handlers.ts';
import { createMetrics, type MetricsServer, type SidecarMetrics, startMetricsServer } from './metrics.ts';
import { Publisher, rawPublishService } from './publisher.ts';
import { Router, UPSTREAM_MESSAGE_BYTES_MAX } from './router.ts';
import { createTracing, type Tracing, type TracingOptions } from './tracing.ts';

const SERVICE = 'wharf.v1.BrokerService';
const SWEEP_INTERVAL_MS = 5_000;
/** Clock skew between broker and sidecar allowed before a lease counts as gone. */
const LEASE_GRACE_MS = 2_000;

export interface SidecarOptions {
  readonly config: SidecarConfig;
  readonly logger: Logger;
  /** Tests pass an in-memory span processor here. */
  readonly spanProcessor?: TracingOptions['spanProcessor'];
  readonly metrics?: SidecarMetrics;
  /** Backoff jitter; seeded from the OS when not given. */
  readonly random?: Random;
}

export interface RunningSidecar {
  readonly address: string;
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly health: HealthImplementation;
  readonly router: Router;
  readonly metrics: SidecarMetrics;
  /**
   * SIGTERM: stop taking calls, finish in-flight publishes, nack (redeliver at once) deliveries the
   * app holds, flush spans, close. Bounded by the config's drain grace.
   */
  drain(): Promise<void>;
}

export async function startSidecar(options: SidecarOptions): Promise<RunningSidecar> {
  const { config, logger } = options;
  const metrics = options.metrics ?? createMetrics();
  const tracing: Tracing = createTracing({
    config: config.tracing,
    logger,
    ...(options.spanProcessor === undefined ? {} : { spanProcessor: options.spanProcessor }),
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE]: 'NOT_SERVING' });
  let accepting = true;
  // TLS to the brokers: a CA file is followed as it changes (a mounted ConfigMap or Secret), an
  // inline CA is fixed for the life of the pod.
  const { upstreamTls } = config;
  const caFiles =
    upstreamTls !== undefined && 'caFile' in upstreamTls
      ? await TlsFiles.open({ caFile: upstreamTls.caFile }, { logger: logger.child({ component: 'tls' }) })
      : undefined;
  const credentials =
    upstreamTls === undefined
      ? grpc.credentials.createInsecure()
      : 'caPem' in upstreamTls
        ? tlsChannel({ ca: upstreamTls.caPem }).credentials
        : channelCredentials(caFiles);
  const router = new Router({
    seeds: config.brokers,
    logger,
    credentials,
    refreshIntervalMs: config.refreshIntervalMs,
    onReachable: (reachable) => {
      if (!accepting) return;
      const s = reachable ? 'SERVING' : 'NOT_SERVING';
      health.setStatus('', s);
      health.setStatus(SERVICE, s);
    },
  });
  const random = options.random ?? seededRandom(randomInt(2 ** 31));
  const ledger = new DeliveryLedger();
  metrics.watchHeld(() => ledger.size);
  const publisher = new Publisher({ router, limits: config.publish, metrics, tracing, logger, random });
  const consumes = new ConsumeStreams({ router, ledger, tracing, metrics, logger, namespace: config.namespace });
  const deps: HandlerDeps = {
    router,
    publisher,
    consumes,
    ledger,
    tracing,
    metrics,
    logger,
    namespace: config.namespace,
    defaultDeadlineMs: config.publish.defaultDeadlineMs,
    batchBytesMax: config.publish.queuedBytesMax,
    random,
    accepting: () => accepting,
  };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': UPSTREAM_MESSAGE_BYTES_MAX,
    'grpc.max_send_message_length': UPSTREAM_MESSAGE_BYTES_MAX,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    // Per-call bookkeeping nobody reads here (channelz is off): a measurable share of a unary call.
    'grpc.enable_channelz': 0,
  });
  server.addService(
    rawPublishService(rawConsumeService(brokerProto.wharf.v1.BrokerService.service)),
    brokerHandlers(deps) as unknown as grpc.UntypedServiceImplementation,
  );
  server.addService(adminProto.wharf.v1.AdminService.service, adminForwarders(router, random));
  health.addToServer(server);
  const definitions = protoLoader.loadSync(['wharf/v1/broker.proto', 'wharf/v1/admin.proto'], PROTO_LOADER_OPTIONS);
  new ReflectionService(definitions).addToServer(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${config.host}:${config.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== 0) {
    try {
      metricsServer = await startMetricsServer(metrics.registry, config.host, config.metricsPort);
    } catch (error) {
      server.forceShutdown();
      router.close();
      caFiles?.close();
      throw error;
    }
  }
  const address = `${config.host}:${port}`;
  logger.info(
    { address, brokers: config.brokers, namespace: config.namespace, upstreamTls: upstreamTls !== undefined },
    'sidecar serving',
  );
  // First contact; health turns SERVING when a broker answers (and the periodic refresh retries).
  void router.refresh();
  // Deliveries the app never settled: once their lease is gone, end their spans and forget them.
  const sweep = setInterval(() => {
    for (const entry of ledger.expire(Date.now(), LEASE_GRACE_MS)) {
      entry.span?.setAttribute(ATTR_WHARF_LEASE_EXPIRED, true);
      entry.span?.end();
    }
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  let draining: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    const startedMs = Date.now();
    const deadlineMs = startedMs + config.drainGraceMs;
    accepting = false;
    clearInterval(sweep);
    health.setStatus('', 'NOT_SERVING');
    health.setStatus(SERVICE, 'NOT_SERVING');
    // No new connections or calls; calls already running keep going.
    const shutdown = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    const left = (): number => Math.max(0, deadlineMs - Date.now());
    const within = (work: Promise<unknown>): Promise<unknown> => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, left())))]).finally(() =>
        clearTimeout(timer),
      );
    };
    await within(publisher.whenIdle());
    const held = [...consumes.drain(), ...ledger.heldBy(undefined)];
    await within(nackHeld(deps, held, deadlineMs));
    await within(shutdown);
    server.forceShutdown();
    await tracing.shutdown();
    await metricsServer?.close();
    router.close();
    caFiles?.close();
    logger.info({ tookMs: Date.now() - startedMs }, 'sidecar drained');
  };

  return {
    address,
    port,
    metricsPort: metricsServer?.port,
    health,
    router,
    metrics,
    drain: () => {
      draining ??= drain();
      return draining;
    },
  };
}
