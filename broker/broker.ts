import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Clock, systemClock } from '../common/clock.ts';
import { invalidArgument } from '../common/errors.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { TlsFiles } from '../common/tls.ts';
import { Dispatcher } from './api/dispatcher.ts';
import type { ApiContext } from './api/handlers.ts';
import { brokerMetrics, startMetricsServer } from './api/metrics.ts';
import { type ApiServer, startApiServer, stopApiServer } from './api/server.ts';
import { brokerTracing, traceExpiries } from './api/tracing.ts';
import { type OpenCluster, openCluster } from './cluster-node.ts';
import { LocalReplica } from './replica/local-replica.ts';
import type { Replica } from './replica/replica.ts';

export const VERSION = '0.1.0';

export interface BrokerOptions {
  readonly dataDir: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly logger?: Logger;
  readonly nodeId?: string;
  readonly clock?: Clock;
  /** How long a graceful stop waits for running calls before cancelling them. */
  readonly stopGraceMs?: number;
  /** Serve Prometheus metrics on this port (0 picks a free one); unset: no metrics endpoint. */
  readonly metricsPort?: number;
  /** Environment for the OTEL_* tracing settings (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Tests collect the broker's spans here instead of exporting them. */
  readonly spanProcessor?: SpanProcessor;
  /**
   * Cluster mode: every member of the Raft group, this one (`nodeId`) included. Unset or empty: a
   * single member over LocalReplica, as before.
   */
  readonly peers?: readonly ClusterMember[];
  /** Port the peer transport listens on (default: the port of this member's peerAddress). */
  readonly peerPort?: number;
  /** Raft tick in cluster mode (default 100 ms; elections after 10 ticks). */
  readonly tickMs?: number;
  readonly clusterId?: string;
  /**
   * A new member joining a running group: start with no configuration and wait until the leader
   * adds it (AdminService.AddMember), instead of bootstrapping a group from `peers`.
   */
  readonly join?: boolean;
  /** How long AddMember waits for a learner to catch up before promoting it (default 60 s). */
  readonly catchUpMs?: number;
  /**
   * TLS: a directory holding tls.crt, tls.key and ca.crt (a kubernetes.io/tls Secret, as
   * cert-manager writes it). The client port then serves TLS and the peer port mutual TLS (each
   * member presents tls.crt and accepts only certificates ca.crt signed). The files are followed:
   * a renewed certificate is served to new connections without a restart. Unset: plaintext.
   */
  readonly tlsDir?: string;
  /** How often the TLS files are read again besides on change events (default 30 s). */
  readonly tlsPollMs?: number;
  /**
   * Serve grpc.health.v1.Health alone, in plaintext, on this port too (0 picks one): what the
   * kubelet's gRPC probe can reach while the client port serves TLS. Unset: none.
   */
  readonly healthPort?: number;
}

export interface ClusterMember {
  readonly id: string;
  /** "host:port" of the member's API (BrokerService/AdminService): where followers send clients. */
  readonly clientAddress: string;
  /** "host:port" of the member's peer port (Raft traffic). */
  readonly peerAddress: string;
}

/** Parses `id=host:clientPort:peerPort,...` (the broker's --peers flag). */
export function parsePeers(text: string): ClusterMember[] {
  const members: ClusterMember[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^([A-Za-z0-9][\w.-]*)=(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5}):(\d{1,5})$/.exec(part);
    if (match === null) throw invalidArgument(`--peers: "${part}" is not id=host:clientPort:peerPort`);
    const [, id, host, client, peer] = match as unknown as [string, string, string, string, string];
    if (members.some((m) => m.id === id)) throw invalidArgument(`--peers: member ${id} is listed twice`);
    members.push({ id, clientAddress: `${host}:${client}`, peerAddress: `${host}:${peer}` });
  }
  return members;
}

export interface RunningBroker {
  readonly address: string;
  /** "host:port" of the /metrics endpoint, when one was asked for. */
  readonly metricsAddress: string | undefined;
  /** Cluster mode: "host:port" of the peer transport. */
  readonly peerAddress?: string;
  /** "host:port" of the plaintext health port, when one was asked for. */
  readonly healthAddress?: string;
  /** Whether the client and peer ports serve TLS. */
  readonly tls: boolean;
  /** Whether this broker leads (always true for a single member). */
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const logger = options.logger ?? createLogger({ name: 'broker' });
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const nodeId = options.nodeId ?? 'wharf-0';
  const clustered = options.peers !== undefined && options.peers.length > 0;
  // Peers present the certificate as clients too: it must allow both uses.
  const tls =
    options.tlsDir === undefined
      ? undefined
      : await TlsFiles.openDir(options.tlsDir, {
          logger: logger.child({ component: 'tls' }),
          role: clustered ? 'server+client' : 'server',
          ...(options.tlsPollMs === undefined ? {} : { pollMs: options.tlsPollMs }),
        });
  let cluster: OpenCluster | undefined;
  let replica: Replica;
  try {
    cluster = clustered ? await openCluster(options, nodeId, host, logger, tls) : undefined;
    replica = cluster?.replica ?? (await LocalReplica.open({ dataDir: options.dataDir, clock, logger, nodeId }));
  } catch (error) {
    tls?.close();
    throw error;
  }
  const tracing = brokerTracing(options.env ?? process.env, logger, options.spanProcessor);
  const dispatcher = new Dispatcher(replica, logger, tracing, cluster?.view.isLeader);
  if (tracing !== undefined) traceExpiries(replica, tracing, cluster?.view.isLeader ?? (() => true), logger);
  cluster?.watch(() => dispatcher.wakeAll());
  let address = '';
  const ctx: ApiContext = {
    replica,
    dispatcher,
    logger,
    defaultNamespace: 'default',
    nodeId,
    address: () => address,
    version: VERSION,
    tracing,
    ...(cluster === undefined ? {} : { cluster: cluster.view }),
  };
  let api: ApiServer;
  try {
    api = await startApiServer(ctx, {
      host,
      port: options.port ?? 7070,
      ...(tls === undefined ? {} : { tls }),
      ...(options.healthPort === undefined ? {} : { healthPort: options.healthPort }),
    });
  } catch (error) {
    await replica.close();
    await cluster?.close();
    tls?.close();
    throw error;
  }
  address = `${host}:${api.port}`;
  const healthAddress = api.healthPort === undefined ? undefined : `${host}:${api.healthPort}`;
  const metrics =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer(brokerMetrics(replica, dispatcher), host, options.metricsPort, logger);
  const metricsAddress = metrics === undefined ? undefined : `${host}:${metrics.port}`;
  logger.info(
    {
      address,
      metricsAddress,
      peerAddress: cluster?.peerAddress,
      healthAddress,
      tls: tls === undefined ? false : { dir: options.tlsDir, subject: tls.material.identity?.subject },
      dataDir: options.dataDir,
    },
    'broker serving',
  );
  let stopping: Promise<void> | undefined;
  return {
    address,
    metricsAddress,
    ...(cluster === undefined ? {} : { peerAddress: cluster.peerAddress }),
    ...(healthAddress === undefined ? {} : { healthAddress }),
    tls: tls !== undefined,
    isLeader: () => cluster?.view.isLeader() ?? true,
    stop: () => {
      stopping ??= (async () => {
        await cluster?.handOver();
        metrics?.server.close();
        await stopApiServer(api, options.stopGraceMs ?? 5_000);
        await replica.close();
        await cluster?.close();
        tls?.close();
        await tracing?.shutdown();
        logger.info({ address }, 'broker stopped');
      })();
      return stopping;
    },
  };
}
