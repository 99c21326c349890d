// Test helpers: a real broker on a free loopback port in a fresh temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type WharfClient } from '../../client/index.ts';
import { silentLogger } from '../../common/logger.ts';
import { type RunningBroker, startBroker } from '../broker.ts';

export interface TestBroker {
  readonly dataDir: string;
  broker: RunningBroker;
  client: WharfClient;
  /** Stops the broker and starts it again on the same data directory (a new port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wharf-api-'));
  const start = () => startBroker({ dataDir, port: 0, metricsPort: 0, logger: silentLogger(), stopGraceMs: 500 });
  let broker = await start();
  const handle: TestBroker = {
    dataDir,
    broker,
    client: connect(broker.address),
    async restart() {
      handle.client.close();
      await broker.stop();
      broker = await start();
      handle.broker = broker;
      handle.client = connect(broker.address);
    },
    async close() {
      handle.client.close();
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
