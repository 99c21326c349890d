// The CLI against a real broker (started in-process on a free port over a temporary directory):
// apply the examples, publish, consume, and see depths in `wharf queues` and `wharf topics`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../broker/broker.ts';
import { connect } from '../client/client.ts';
import { silentLogger } from '../common/logger.ts';
import { runCli } from './program.ts';
import { memoryIo, wharf } from './testing.ts';

let dataDir: string;
let broker: RunningBroker;
let addr: string[];

function column(table: string, rowName: string, header: string): string | undefined {
  const lines = table.trimEnd().split('\n');
  const headers = (lines[0] ?? '').split(/\s{2,}/);
  const row = lines.find((line) => line.split(/\s{2,}/)[0] === rowName);
  return row?.split(/\s{2,}/)[headers.indexOf(header)];
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wharf-cli-'));
  broker = await startBroker({ dataDir, port: 0, logger: silentLogger(), stopGraceMs: 500 });
  addr = ['--addr', broker.address];
  const applied = await wharf(['apply', '-f', 'examples/resources', ...addr]);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
});

afterAll(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('wharf against a broker', () => {
  it('apply prints what it applied, and is idempotent', async () => {
    const result = await wharf(['apply', '-f', 'examples/resources/orders.yaml', ...addr]);
    expect(result).toEqual({
      code: 0,
      stdout: 'queue default/orders-dlq applied\nqueue default/orders applied\n',
      stderr: '',
    });
  });

  it('publish, queues shows the depth, consume takes and acks', async () => {
    const one = await wharf(['publish', 'orders', '--data', 'first', '--key', 'c1', '--header', 'type=new', ...addr]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^published to default\/orders: id=\S+ seq=\d+\n$/);
    const many = await wharf(['publish', 'orders', '--data', 'again', '--count', '4', ...addr]);
    expect(many.stdout).toMatch(/^published 4 messages to default\/orders in [\d.]+s\n$/);

    const queues = await wharf(['queues', ...addr]);
    expect(queues.code).toBe(0);
    expect(column(queues.stdout, 'default/orders', 'DEPTH')).toBe('5');
    expect(column(queues.stdout, 'default/orders', 'DLQ')).toBe('orders-dlq');
    expect(column(queues.stdout, 'default/orders-dlq', 'DEPTH')).toBe('0');

    const consumed = await wharf(['consume', 'orders', '--max', '2', '--wait', '2s', ...addr]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.split('\n')[0]).toMatch(/^#\d+ key=c1 type=new: first$/);
    expect(consumed.stdout.split('\n')).toHaveLength(3);
    expect(consumed.stderr).toBe('received 2 messages from default/orders (acked)\n');

    const json = await wharf(['queues', '-n', 'default', '--json', ...addr]);
    const orders = (JSON.parse(json.stdout) as Array<{ metadata: { name: string }; status: { depth: number } }>).find(
      (q) => q.metadata.name === 'orders',
    );
    expect(orders?.status.depth).toBe(3);

    const rest = await wharf(['consume', 'orders', '--wait', '1s', '--json', ...addr]);
    const lines = rest.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { payload: string });
    expect(lines.map((l) => l.payload)).toEqual(['again', 'again', 'again']);
    const empty = await wharf(['consume', 'orders', '--wait', '100ms', ...addr]);
    expect(empty).toEqual({ code: 0, stdout: '', stderr: 'received 0 messages from default/orders (acked)\n' });
  });

  it('publish --stdin sends one message per line; --no-ack leaves them in flight', async () => {
    await wharf(['apply', '-f', 'examples/resources/orders.yaml', ...addr]);
    const published = await wharf(['publish', 'orders-dlq', '--stdin', ...addr], { stdin: 'a\nb\n\nc\n' });
    expect(published.stdout).toMatch(/^published 3 messages to default\/orders-dlq in /);
    const taken = await wharf(['consume', 'orders-dlq', '--no-ack', '--wait', '1s', ...addr]);
    expect(taken.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    const queues = await wharf(['queues', ...addr]);
    expect(column(queues.stdout, 'default/orders-dlq', 'IN-FLIGHT')).toBe('3');
  });

  it('topics: each subscription gets its messages; the filtered one only invoices', async () => {
    await wharf(['publish', 'payments', '--data', 'inv', '--header', 'type=invoice', ...addr]);
    await wharf(['publish', 'payments', '--data', 'ref', '--header', 'type=refund', ...addr]);
    const topics = await wharf(['topics', ...addr]);
    expect(topics.code).toBe(0);
    const rows = topics.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s{2,}/));
    const depth = (sub: string) => rows.find((r) => r[2] === sub)?.[3];
    expect(depth('ledger')).toBe('1');
    expect(depth('audit')).toBe('2');
    const ledger = await wharf(['consume', 'payments', '--subscription', 'ledger', '--wait', '1s', ...addr]);
    expect(ledger.stdout).toMatch(/type=invoice: inv\n$/);
  });

  it('consume --follow runs until --max or Ctrl-C', async () => {
    await wharf(['publish', 'orders', '--data', 'f', '--count', '2', ...addr]);
    const result = await wharf(['consume', 'orders', '--follow', '--max', '2', ...addr]);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);

    const io = memoryIo();
    const running = runCli(['consume', 'orders', '--follow', ...addr], io);
    await io.waitingForStop();
    await wharf(['publish', 'orders', '--data', 'late', ...addr]);
    for (let i = 0; i < 100 && io.stdout.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    io.stop();
    expect(await running).toBe(0);
    expect(io.stdout.join('')).toMatch(/: late\n$/);
  });

  it('dlq redrive moves dead letters back', async () => {
    const client = connect(broker.address);
    try {
      await client.publish('default/orders', { payload: Buffer.from('poison') });
      const { deliveries } = await client.receive({
        destination: 'default/orders',
        maxMessages: 10,
        wait: { seconds: 2 },
      });
      expect(deliveries.length).toBeGreaterThan(0);
      await client.nack(
        deliveries.map((d) => d.receipt),
        { deadLetter: true, reason: 'test' },
      );
    } finally {
      client.close();
    }
    const before = await wharf(['queues', ...addr]);
    expect(column(before.stdout, 'default/orders', 'DLQ')).toMatch(/^orders-dlq \(\d+\)$/);
    const redriven = await wharf(['dlq', 'redrive', 'orders-dlq', ...addr]);
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toMatch(/^moved \d+ messages? from default\/orders-dlq back to where they came from\n$/);
  });

  it('status, delete, and gRPC errors as one line', async () => {
    const status = await wharf(['status', ...addr]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(broker.address);
    expect((await wharf(['publish', 'nope', '--data', 'x', ...addr])).stderr).toBe(
      'wharf: NOT_FOUND: no such destination default/nope\n',
    );
    const created = await wharf(['apply', '-f', 'examples/resources/payments.yaml', ...addr]);
    expect(created.code).toBe(0);
    expect(await wharf(['delete', 'topic', 'payments', ...addr])).toEqual({
      code: 0,
      stdout: 'topic default/payments deleted\n',
      stderr: '',
    });
    const gone = await wharf(['delete', 'topic', 'payments', ...addr]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^wharf: NOT_FOUND: .*payments/);
  });
});

describe('wharf dev in-process', () => {
  it('applies, serves, stops on Ctrl-C, and finds its queues and messages after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-dev-'));
    try {
      const start = async () => {
        const io = memoryIo();
        const running = runCli(['dev', '--port', '0', '--data', dir, '--apply', 'examples/resources'], io);
        let exited = false;
        void running.then(() => {
          exited = true;
        });
        // The banner is printed once the resources are applied.
        for (let i = 0; i < 500 && !exited && !io.stdout.join('').includes('Ctrl-C'); i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        const address = /on (127\.0\.0\.1:\d+)\n/.exec(io.stdout.join(''))?.[1];
        expect(address, io.stderr.join('')).toBeDefined();
        return { io, running, addr: ['--addr', address ?? ''] };
      };
      const first = await start();
      expect(first.io.stdout.join('')).toContain('applied: queue default/orders-dlq');
      await wharf(['publish', 'orders', '--data', 'kept', ...first.addr]);
      first.io.stop();
      expect(await first.running).toBe(0);
      expect(first.io.stderr.join('')).toContain('wharf dev: stopped');

      const second = await start();
      const queues = await wharf(['queues', ...second.addr]);
      expect(column(queues.stdout, 'default/orders', 'DEPTH')).toBe('1');
      const consumed = await wharf(['consume', 'orders', '--wait', '1s', ...second.addr]);
      expect(consumed.stdout).toMatch(/: kept\n$/);
      second.io.stop();
      expect(await second.running).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
