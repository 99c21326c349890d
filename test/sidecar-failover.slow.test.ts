// A sidecar in front of three real broker processes keeps publishing and consuming while the
// leader hangs (SIGSTOP: its sockets stay open and nothing answers), as an app would need: the
// sidecar gives the silent broker up and sends its publishes (same dedup_id) to the new leader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { connect } from '../client/index.ts';
import { startTestSidecar, type TestSidecar } from '../sidecar/testing.ts';
import { type BrokerChild, freePort, spawnBrokerChild } from './broker-process.ts';

const root = mkdtempSync(path.join(tmpdir(), 'wharf-failover-'));
const brokers = new Map<string, BrokerChild>();
let sidecar: TestSidecar | undefined;

afterAll(async () => {
  await sidecar?.close();
  for (const broker of brokers.values()) {
    broker.resume();
    await broker.stop();
  }
  rmSync(root, { recursive: true, force: true });
});

/** The id of the member every answering broker names as leader (bounded: 30 s). */
async function leaderId(addresses: readonly string[]): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt++) {
    for (const address of addresses) {
      const client = connect(address, { deadlineMs: 1_000 });
      try {
        const leader = (await client.clusterStatus()).members.find((m) => m.leader);
        if (leader !== undefined) return leader.id;
      } catch {
        // not answering: ask the next
      } finally {
        client.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no leader within 30 s');
}

it('publishes and consumes through the sidecar while the leader is paused', async () => {
  const members = [];
  for (const id of ['wharf-1', 'wharf-2', 'wharf-3']) {
    members.push({ id, clientPort: await freePort(), peerPort: await freePort() });
  }
  const peers = members.map((m) => `${m.id}=127.0.0.1:${m.clientPort}:${m.peerPort}`).join(',');
  await Promise.all(
    members.map(async (m) => {
      const args = ['--node-id', m.id, '--peers', peers, '--peer-port', String(m.peerPort), '--metrics-port', '0'];
      brokers.set(m.id, await spawnBrokerChild(path.join(root, m.id), m.clientPort, 30_000, args));
    }),
  );
  const addresses = members.map((m) => `127.0.0.1:${m.clientPort}`);
  sidecar = await startTestSidecar(addresses);
  const app = connect(sidecar.sidecar.address, { deadlineMs: 30_000 });
  await app.applyQueue({ name: 'shop/orders', spec: {} });
  await app.publish('orders', { payload: Buffer.from('before') });

  const paused = await leaderId(addresses);
  brokers.get(paused)?.pause();
  // With the leader silent, a publish must still be stored: the other two elect a leader within
  // seconds and the sidecar has to find it. The deadline is far above that and far below the
  // time the sidecar used to wait for a dead connection (40 s).
  const during = await connect(sidecar.sidecar.address, { deadlineMs: 20_000 }).publish('orders', {
    payload: Buffer.from('while paused'),
  });
  expect(during.messageId).not.toBe('');
  const pausedAddress = `127.0.0.1:${members.find((m) => m.id === paused)?.clientPort}`;
  expect(await leaderId(addresses.filter((a) => a !== pausedAddress))).not.toBe(paused);

  // Both messages are there for a consumer, still with the old leader paused.
  const got: string[] = [];
  const consumer = app.consume({ destination: 'orders', maxInFlight: 16 });
  for await (const delivery of consumer) {
    got.push(Buffer.from(delivery.message?.payload ?? []).toString());
    await consumer.ack([delivery.receipt]);
    if (got.length === 2) break;
  }
  await consumer.close();
  expect(got.sort()).toEqual(['before', 'while paused']);
  app.close();
}, 90_000);
