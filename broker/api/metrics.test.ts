// The broker's Prometheus endpoint reflects what it applied and the state of its queues.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './testing.ts';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker();
});
afterAll(async () => {
  await t?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`http://${t.broker.metricsAddress}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no series ${series} in:\n${text.slice(0, 2000)}`);
  return Number(line.slice(series.length + 1));
}

it('counts publishes, deliveries and acks, and shows depth and commit latency', async () => {
  await t.client.applyQueue({ name: 'default/metered' });
  await t.client.publishBatch(
    Array.from({ length: 3 }, (_, i) => ({
      destination: 'default/metered',
      message: { payload: Buffer.from(`${i}`) },
    })),
  );
  const { deliveries } = await t.client.receive({ destination: 'default/metered', maxMessages: 1 });
  await t.client.ack(deliveries.map((d) => d.receipt));
  const text = await scrape();
  const labels = '{destination="default/metered",subscription=""}';
  expect(value(text, 'wharf_broker_published_messages_total{destination="default/metered"}')).toBe(3);
  expect(value(text, `wharf_broker_delivered_messages_total${labels}`)).toBe(1);
  expect(value(text, 'wharf_broker_settled_receipts_total{op="ack",outcome="ok"}')).toBe(1);
  expect(value(text, `wharf_broker_depth_messages${labels}`)).toBe(2);
  expect(value(text, `wharf_broker_in_flight_messages${labels}`)).toBe(0);
  expect(value(text, 'wharf_broker_commit_duration_seconds_count{command="publish"}')).toBeGreaterThanOrEqual(1);
  expect(value(text, 'wharf_broker_log_fsyncs')).toBeGreaterThan(0);
});
