// Test helpers: a real broker on a loopback port that survives restarts (same port, same data),
// and a real sidecar in front of it with an in-memory span exporter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type RunningBroker, startBroker } from '../broker/broker.ts';
import { connect, type WharfClient } from '../client/index.ts';
import { silentLogger } from '../common/logger.ts';
import { freeLoopbackPort } from '../common/net.ts';
import { type PublishLimits, parseConfig } from './config.ts';
import { type RunningSidecar, startSidecar } from './sidecar.ts';

export interface TestBroker {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wharf-sidecar-'));
  const run = (port: number) => startBroker({ dataDir, port, logger: silentLogger(), stopGraceMs: 200 });
  let broker: RunningBroker | undefined = await run(0);
  const address = broker.address;
  const port = Number(address.split(':')[1]);
  return {
    address,
    port,
    async stop() {
      await broker?.stop();
      broker = undefined;
    },
    async start() {
      broker = await run(port);
    },
    async close() {
      await broker?.stop();
      broker = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestSidecar {
  readonly sidecar: RunningSidecar;
  readonly client: WharfClient;
  readonly spans: InMemorySpanExporter;
  close(): Promise<void>;
}

export const freePort = freeLoopbackPort;

export interface TestSidecarOptions {
  readonly namespace?: string;
  readonly drainGrace?: string;
  /** Serve /metrics on a free port (default: metrics off). */
  readonly metrics?: boolean;
  /** Overrides of the publish limits. */
  readonly publish?: Partial<PublishLimits>;
  /** Verify the brokers with TLS against this CA file. */
  readonly tlsCa?: string;
}

export async function startTestSidecar(
  brokers: readonly string[],
  options: TestSidecarOptions = {},
): Promise<TestSidecar> {
  const metricsPort = options.metrics === true ? await freePort() : 0;
  const config = parseConfig(
    [
      ...['--port', '0', '--metrics-port', String(metricsPort), '--brokers', brokers.join(',')],
      ...['--namespace', options.namespace ?? 'shop', '--drain-grace', options.drainGrace ?? '2s'],
      ...(options.tlsCa === undefined ? [] : ['--tls-ca', options.tlsCa]),
    ],
    {},
  );
  const spans = new InMemorySpanExporter();
  const sidecar = await startSidecar({
    config: { ...config, publish: { ...config.publish, ...options.publish } },
    logger: silentLogger(),
    spanProcessor: new SimpleSpanProcessor(spans),
  });
  const client = connect(sidecar.address, { deadlineMs: 10_000 });
  return {
    sidecar,
    client,
    spans,
    async close() {
      client.close();
      await sidecar.drain();
    },
  };
}

/** Polls `check` every 20ms until it returns true or `timeoutMs` passes (then throws). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${timeoutMs}ms`);
}
