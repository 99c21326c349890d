// One broker process's parts, wired: the replica over the data directory, the dispatcher, and the
// gRPC server. Used by the broker's main, `wharf dev` and the tests.
//
// Without peers the broker is a single member over LocalReplica. With peers (cluster mode) it is a
// member of one Raft group: a RaftReplica over the data directory's raft-0/, the peer transport on
// the peer port, and an API that serves state-changing calls on the leader only (followers answer
// UNAVAILABLE with the leader's client address; see api/cluster.ts).
import { randomInt } from 'node:crypto';
import { join } from 'node:path';

import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Clock, systemClock } from '../common/clock.ts';
import { invalidArgument, NotLeaderError } from '../common/errors.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { seededRandom } from '../common/random.ts';
import type { Member } from '../proto/gen/wharf/v1/Member.ts';
import { type ClusterView, notLeaderError } from './api/cluster.ts';
import { Dispatcher } from './api/dispatcher.ts';
import type { ApiContext } from './api/handlers.ts';
import { brokerMetrics, startMetricsServer } from './api/metrics.ts';
import { type ApiServer, startApiServer, stopApiServer } from './api/server.ts';
import { brokerTracing } from './api/tracing.ts';
import type { Engine } from './engine/engine.ts';
import type { ApplyResult, Command, MessageRef, PublishItem } from './engine/types.ts';
import { systemTimers } from './replica/io.ts';
import { LocalReplica } from './replica/local-replica.ts';
import { RaftReplica } from './replica/raft-replica.ts';
import type { AppliedListener, Replica, ReplicaStats } from './replica/replica.ts';
import { PeerTransport } from './transport/peer-transport.ts';

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
  const cluster = clustered ? await openCluster(options, nodeId, host, logger) : undefined;
  const replica: Replica =
    cluster?.replica ?? (await LocalReplica.open({ dataDir: options.dataDir, clock, logger, nodeId }));
  const tracing = brokerTracing(options.env ?? process.env, logger, options.spanProcessor);
  const dispatcher = new Dispatcher(replica, logger, tracing, cluster?.view.isLeader);
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
    api = await startApiServer(ctx, host, options.port ?? 7070);
  } catch (error) {
    await replica.close();
    await cluster?.close();
    throw error;
  }
  address = `${host}:${api.port}`;
  const metrics =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer(brokerMetrics(replica, dispatcher), host, options.metricsPort, logger);
  const metricsAddress = metrics === undefined ? undefined : `${host}:${metrics.port}`;
  logger.info(
    { address, metricsAddress, peerAddress: cluster?.peerAddress, dataDir: options.dataDir },
    'broker serving',
  );
  let stopping: Promise<void> | undefined;
  return {
    address,
    metricsAddress,
    ...(cluster === undefined ? {} : { peerAddress: cluster.peerAddress }),
    isLeader: () => cluster?.view.isLeader() ?? true,
    stop: () => {
      stopping ??= (async () => {
        metrics?.server.close();
        await stopApiServer(api, options.stopGraceMs ?? 5_000);
        await replica.close();
        await cluster?.close();
        await tracing?.shutdown();
        logger.info({ address }, 'broker stopped');
      })();
      return stopping;
    },
  };
}

interface OpenCluster {
  readonly replica: Replica;
  readonly view: ClusterView;
  readonly peerAddress: string;
  /** Starts watching leadership; `gained` runs each time this member becomes leader. */
  watch(gained: () => void): void;
  close(): Promise<void>;
}

/** How often leadership is looked at (to wake the dispatcher and end consumers of a deposed leader). */
const LEADERSHIP_POLL_MS = 50;

async function openCluster(options: BrokerOptions, nodeId: string, host: string, logger: Logger): Promise<OpenCluster> {
  const members = options.peers ?? [];
  const self = members.find((m) => m.id === nodeId);
  if (self === undefined) throw invalidArgument(`--peers does not list this member (${nodeId})`);
  const clientAddress = new Map(members.map((m) => [m.id, m.clientAddress]));
  const peerPort = options.peerPort ?? Number(self.peerAddress.slice(self.peerAddress.lastIndexOf(':') + 1));
  const transport = await PeerTransport.start({
    self: nodeId,
    peers: new Map(members.filter((m) => m.id !== nodeId).map((m) => [m.id, m.peerAddress])),
    host,
    port: peerPort,
    logger: logger.child({ component: 'peer-transport' }),
  });
  let raft: RaftReplica;
  try {
    raft = await RaftReplica.open({
      id: nodeId,
      members: members.map((m) => m.id),
      dataDir: join(options.dataDir, 'raft-0'),
      clock: options.clock ?? systemClock,
      timers: systemTimers,
      transport,
      random: seededRandom(randomInt(2 ** 31)),
      logger,
      ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
    });
  } catch (error) {
    await transport.close();
    throw error;
  }
  transport.onReceive((message) => raft.receive(message));
  const addressOf = (id: string) => clientAddress.get(id);
  const lost = new Set<() => void>();
  const view: ClusterView = {
    clusterId: options.clusterId ?? 'wharf',
    isLeader: () => raft.isLeader(),
    notLeader: () => notLeaderError(nodeId, raft.leaderId(), addressOf),
    members: (): Member[] =>
      members.map((m) => ({
        id: m.id,
        address: m.clientAddress,
        voter: true,
        leader: m.id === raft.leaderId(),
        healthy: m.id === nodeId ? raft.failure === undefined : transport.healthy(m.id),
      })),
    onLeadershipLost: (listener) => {
      lost.add(listener);
      return () => lost.delete(listener);
    },
  };
  let poll: NodeJS.Timeout | undefined;
  return {
    replica: new HintingReplica(raft, () => view.notLeader()),
    view,
    peerAddress: `${host}:${transport.port}`,
    watch(gained) {
      let leading = raft.isLeader();
      poll = setInterval(() => {
        const now = raft.isLeader();
        if (now === leading) return;
        leading = now;
        if (now) gained();
        else for (const listener of [...lost]) listener();
      }, LEADERSHIP_POLL_MS);
      poll.unref();
    },
    async close() {
      if (poll !== undefined) clearInterval(poll);
      await transport.close();
    },
  };
}

/** A RaftReplica whose refusals on a follower name the leader's client address, not its member id. */
class HintingReplica implements Replica {
  readonly #inner: RaftReplica;
  readonly #notLeader: () => NotLeaderError;

  constructor(inner: RaftReplica, notLeader: () => NotLeaderError) {
    this.#inner = inner;
    this.#notLeader = notLeader;
  }

  get engine(): Engine {
    return this.#inner.engine;
  }

  nowMs(): number {
    return this.#inner.nowMs();
  }

  propose(command: Command): Promise<ApplyResult> {
    return this.#inner.propose(command).catch((error: unknown) => {
      throw error instanceof NotLeaderError ? this.#notLeader() : error;
    });
  }

  readMessages(refs: readonly MessageRef[]): Promise<PublishItem[]> {
    return this.#inner.readMessages(refs);
  }

  onApplied(listener: AppliedListener): void {
    this.#inner.onApplied(listener);
  }

  leaderId(): string {
    return this.#inner.leaderId();
  }

  stats(): ReplicaStats {
    return this.#inner.stats();
  }

  onCommitted(listener: (type: Command['type'], ms: number) => void): void {
    this.#inner.onCommitted(listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
