// Memory check (a script, not a test): applies 1,000,000 publishes of 1 KiB messages, 64 per
// command and each command through the log codec, to one queue, then prints heap and RSS, and
// how long a snapshot and a restore of that state take.
//
//   node --expose-gc broker/engine/testing/memory.ts [messages] [--keys] [--topic] [--no-codec]
//
// --no-codec applies the command objects directly (no 64 KiB log entries churned per command, so
// RSS shows the engine rather than the allocator's high-water mark); --keys gives every message its own key on a PerKey queue (the per-key index); --topic
// publishes to a topic with two subscriptions instead. Budget: 1M waiting messages in one queue
// under 400 MiB RSS for the whole broker; bodies stay in the log, so they are not counted here.
// The engine's own share is arrayBuffers (its typed-array columns) plus heapUsed; the rest of RSS
// is V8's young generation and allocator slack left by the publish churn (try
// --max-semi-space-size=2 to see it shrink).

/* biome-ignore-all lint/style/noRestrictedGlobals: this script measures the process it runs in. */

import { decodeCommand, encodeCommand } from '../codec.ts';
import { Engine } from '../engine.ts';
import type { PublishItem } from '../types.ts';
import { item, queueSpec, START_MS, subSpec, topicSpec } from './harness.ts';

const BATCH = 64;
const MiB = 1024 * 1024;

const args = process.argv.slice(2);
const total = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const withKeys = args.includes('--keys');
const onTopic = args.includes('--topic');
const viaCodec = !args.includes('--no-codec');

const gc = (globalThis as { gc?: () => void }).gc;
function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage();
}
function show(label: string, m: NodeJS.MemoryUsage): void {
  const f = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  console.log(
    `${label.padEnd(28)} rss ${f(m.rss).padStart(10)}  heapUsed ${f(m.heapUsed).padStart(9)}  ` +
      `heapTotal ${f(m.heapTotal).padStart(9)}  arrayBuffers ${f(m.arrayBuffers).padStart(9)}`,
  );
}

if (gc === undefined) console.log('(run with --expose-gc for settled numbers)');
const name = onTopic ? 'bench/t' : 'bench/q';
const engine = new Engine();
let index = 0;
let nowMs = START_MS;
if (onTopic) {
  engine.apply(++index, {
    type: 'applyTopic',
    nowMs,
    name,
    spec: topicSpec({ partitions: 3, subscriptions: [subSpec('a'), subSpec('b')], dedupWindowMs: 0 }),
  });
} else {
  engine.apply(++index, {
    type: 'applyQueue',
    nowMs,
    name,
    spec: queueSpec({ ordering: withKeys ? 'PerKey' : 'None', dedupWindowMs: 0 }),
  });
}
const before = settle();
show('empty engine', before);

const payload = new Uint8Array(1024).fill(120);
const started = performance.now();
for (let sent = 0; sent < total; sent += BATCH) {
  const items: PublishItem[] = [];
  for (let i = 0; i < BATCH && sent + i < total; i++) {
    items.push(item(name, { payload, key: withKeys ? `key-${sent + i}` : '', headers: { traceparent: '00-x-y-01' } }));
  }
  nowMs += 1;
  const cmd = { type: 'publish' as const, nowMs, items };
  const result = engine.apply(++index, viaCodec ? decodeCommand(encodeCommand(cmd)) : cmd);
  if (!('type' in result) || result.type !== 'published' || !result.outcomes.every((o) => o.ok)) {
    throw new Error(`publish failed: ${JSON.stringify(result).slice(0, 200)}`);
  }
}
const applyMs = performance.now() - started;
const after = settle();
show(`after ${total} publishes`, after);
console.log(
  `engine memory per message (heapUsed + arrayBuffers): ${(
    (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / total
  ).toFixed(1)} bytes; ` +
    `apply: ${((applyMs * 1000) / total).toFixed(2)} µs per message (${(total / (applyMs / 1000) / 1e6).toFixed(2)} M/s, ${viaCodec ? 'codec included' : 'no codec'})`,
);

let t = performance.now();
const snapshot = engine.snapshot();
const snapshotMs = performance.now() - t;
t = performance.now();
const restored = Engine.restore(snapshot);
const restoreMs = performance.now() - t;
console.log(
  `snapshot: ${(snapshot.length / MiB).toFixed(1)} MiB in ${snapshotMs.toFixed(0)} ms; restore in ${restoreMs.toFixed(0)} ms`,
);

t = performance.now();
let leased = 0;
for (let i = 0; i < 100; i++) {
  const result = restored.apply(restored.appliedIndex + 1, {
    type: 'lease',
    nowMs,
    destination: name,
    subscription: onTopic ? 'a' : '',
    max: 100,
    ackDeadlineMs: 0,
  });
  if ('type' in result && result.type === 'leased') leased += result.deliveries.length;
}
console.log(`lease: ${leased} deliveries in ${(performance.now() - t).toFixed(0)} ms`);
show('with the restored copy too', settle());
const view = onTopic ? restored.getTopic(name, nowMs)?.subscriptions[0] : restored.getQueue(name, nowMs)?.stats;
console.log(`depth ${view?.depth}, in flight ${view?.inFlight}`);
