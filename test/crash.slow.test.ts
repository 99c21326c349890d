// kill -9 of a real broker process in the middle of publishing and acking: after each restart,
// every acknowledged publish is there, and no message whose ack was acknowledged comes back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../client/index.ts';
import { type BrokerChild, spawnBrokerChild } from './broker-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wharf-crash-'));
let broker: BrokerChild | undefined;
afterAll(async () => {
  // Also when an assertion failed half-way: never leave a broker process behind.
  await broker?.kill9();
  rmSync(dataDir, { recursive: true, force: true });
});

const QUEUE = 'default/crash';
const ROUNDS = 3;
const ACKED_BEFORE_KILL = 3_000;

interface Ledger {
  /** Payloads whose publish was acknowledged. */
  readonly published: Set<string>;
  /** Payloads delivered to the consumer (an ack cut off by the kill may still have been applied). */
  readonly received: Set<string>;
  /** Payloads whose ack was acknowledged with OUTCOME_OK. */
  readonly settled: Set<string>;
}

/** Publishes (in batches, 4 in flight) and consumes+acks at once until told to stop. */
function workload(client: WharfClient, ledger: Ledger, round: number) {
  let stopped = false;
  let next = 0;
  const publishers = Array.from({ length: 4 }, async () => {
    while (!stopped) {
      const payloads = Array.from({ length: 32 }, () => `r${round}-m${next++}`);
      try {
        await client.publishBatch(payloads.map((p) => ({ destination: QUEUE, message: { payload: Buffer.from(p) } })));
        for (const p of payloads) ledger.published.add(p);
      } catch {
        return; // the broker died: unacknowledged, so nothing is promised
      }
    }
  });
  const consumer = (async () => {
    while (!stopped) {
      try {
        const { deliveries } = await client.receive({ destination: QUEUE, maxMessages: 64, wait: { nanos: 200e6 } });
        for (const d of deliveries) ledger.received.add(d.message?.payload.toString() ?? '');
        const results = await client.ack(deliveries.map((d) => d.receipt));
        results.results.forEach((r, i) => {
          if (r.outcome === 'OUTCOME_OK') ledger.settled.add(deliveries[i]?.message?.payload.toString() ?? '');
        });
      } catch {
        return;
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await Promise.all([...publishers, consumer]);
    },
  };
}

it(`loses no acknowledged publish and redelivers no acknowledged ack across ${ROUNDS} kill -9s`, async () => {
  const ledger: Ledger = { published: new Set(), received: new Set(), settled: new Set() };
  broker = await spawnBrokerChild(dataDir);
  let client = connect(broker.address, { deadlineMs: 10_000 });
  // A short lease, so messages leased when the broker died come back quickly for the final drain.
  await client.applyQueue({ name: QUEUE, spec: { ackDeadline: { seconds: 1 } } });
  for (let round = 0; round < ROUNDS; round++) {
    const run = workload(client, ledger, round);
    const target = ledger.published.size + ACKED_BEFORE_KILL;
    for (let i = 0; i < 600 && ledger.published.size < target; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ledger.published.size).toBeGreaterThanOrEqual(target);
    await broker.kill9();
    await run.stop();
    client.close();
    broker = await spawnBrokerChild(dataDir);
    client = connect(broker.address, { deadlineMs: 10_000 });
  }
  // Drain everything that is left; it must be exactly the published-but-not-settled messages
  // (plus possibly publishes that were stored but whose answer was lost in the kill).
  const left = new Set<string>();
  for (let i = 0; i < 2_000; i++) {
    const { deliveries } = await client.receive({ destination: QUEUE, maxMessages: 500, wait: { nanos: 200e6 } });
    for (const d of deliveries) left.add(d.message?.payload.toString() ?? '');
    await client.ack(deliveries.map((d) => d.receipt));
    if (deliveries.length > 0) continue;
    // Nothing ready: done once nothing is leased either (leases from before the kill run out).
    const { status } = await client.getQueue(QUEUE);
    if ((status?.depth ?? 0) === 0 && (status?.inFlight ?? 0) === 0) break;
  }
  const lost = [...ledger.published].filter((p) => !ledger.received.has(p) && !left.has(p));
  const resurrected = [...ledger.settled].filter((p) => left.has(p));
  console.log(
    `crash: published=${ledger.published.size} received=${ledger.received.size} settled=${ledger.settled.size} drained=${left.size} lost=${lost.length} resurrected=${resurrected.length}`,
  );
  expect(lost).toEqual([]);
  expect(resurrected).toEqual([]);
  client.close();
  const running = broker;
  broker = undefined;
  expect(await running.stop()).toBe(0);
}, 180_000);
