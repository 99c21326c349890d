// One broker process's parts, wired: the replica over the data directory, the dispatcher, and the
// gRPC server. Used by the broker's main, `wharf dev` and the tests.

import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Clock, systemClock } from '../common/clock.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { Dispatcher } from './api/dispatcher.ts';
import type { ApiContext } from './api/handlers.ts';
import { brokerMetrics, startMetricsServer } from './api/metrics.ts';
import { type ApiServer, startApiServer, stopApiServer } from './api/server.ts';
import { brokerTracing } from './api/tracing.ts';
import { LocalReplica } from './replica/local-replica.ts';

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
}

export interface RunningBroker {
  readonly address: string;
  /** "host:port" of the /metrics endpoint, when one was asked for. */
  readonly metricsAddress: string | undefined;
  stop(): Promise<void>;
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const logger = options.logger ?? createLogger({ name: 'broker' });
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const nodeId = options.nodeId ?? 'wharf-0';
  const replica = await LocalReplica.open({ dataDir: options.dataDir, clock, logger, nodeId });
  const tracing = brokerTracing(options.env ?? process.env, logger, options.spanProcessor);
  const dispatcher = new Dispatcher(replica, logger, tracing);
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
  };
  let api: ApiServer;
  try {
    api = await startApiServer(ctx, host, options.port ?? 7070);
  } catch (error) {
    await replica.close();
    throw error;
  }
  address = `${host}:${api.port}`;
  const metrics =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer(brokerMetrics(replica, dispatcher), host, options.metricsPort, logger);
  const metricsAddress = metrics === undefined ? undefined : `${host}:${metrics.port}`;
  logger.info({ address, metricsAddress, dataDir: options.dataDir }, 'broker serving');
  let stopping: Promise<void> | undefined;
  return {
    address,
    metricsAddress,
    stop: () => {
      stopping ??= (async () => {
        metrics?.server.close();
        await stopApiServer(api, options.stopGraceMs ?? 5_000);
        await replica.close();
        await tracing?.shutdown();
        logger.info({ address }, 'broker stopped');
      })();
      return stopping;
    },
  };
}
