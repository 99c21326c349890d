// runCli without a broker: usage, validation and the unreachable-address message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wharf } from './testing.ts';

const NOWHERE = ['--addr', '127.0.0.1:1'];

describe('wharf without a broker', () => {
  it('prints help and exits 0', async () => {
    const result = await wharf(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['dev', 'publish', 'consume', 'queues', 'topics', 'status', 'apply', 'delete', 'dlq']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('rejects an unknown command with exit 2', async () => {
    const result = await wharf(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('refuses more dev nodes than one machine should run, before starting anything', async () => {
    const result = await wharf(['dev', '--nodes', '8']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'wharf: --nodes 8: at most 7 on one machine\n' });
  });

  it('refuses invalid --apply files before starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-cli-'));
    writeFileSync(
      join(dir, 'q.yaml'),
      'apiVersion: wharf.dev/v1alpha1\nkind: Queue\nmetadata: { name: a }\nspec: { ackDeadline: 30 s }\n',
    );
    try {
      const result = await wharf(['dev', '--apply', dir, '--data', join(dir, 'data'), '--port', '0']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `${join(dir, 'q.yaml')} doc 1: spec.ackDeadline: "30 s" is not a duration (write e.g. "30s")\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates example resources with apply --dry-run, in apply order', async () => {
    const result = await wharf(['apply', '--dry-run', '-f', 'examples/resources']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'queue default/orders-dlq valid (dry run)',
        'queue default/ledger-dlq valid (dry run)',
        'queue default/orders valid (dry run)',
        'topic default/payments valid (dry run)',
        '',
      ].join('\n'),
    );
  });

  it('reports a missing file', async () => {
    const result = await wharf(['apply', '-f', 'no/such.yaml', ...NOWHERE]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'wharf: no/such.yaml: no such file or directory\n' });
  });

  it('checks flags before connecting', async () => {
    expect((await wharf(['publish', 'orders', ...NOWHERE])).stderr).toBe(
      'wharf: give the message with exactly one of --data, --file or --stdin\n',
    );
    expect((await wharf(['publish', 'Orders!', '--data', 'x', ...NOWHERE])).stderr).toMatch(
      /^wharf: name "Orders!" in "Orders!" must be/,
    );
    expect((await wharf(['consume', 'orders', '--max', 'lots', ...NOWHERE])).stderr).toBe(
      'wharf: --max: "lots" is not a whole number of at least 1\n',
    );
    expect((await wharf(['consume', 'orders', '--nack', '--no-ack', ...NOWHERE])).code).toBe(2);
    expect((await wharf(['delete', 'stream', 'x', ...NOWHERE])).stderr).toBe(
      'wharf: delete: "stream" is not queue or topic\n',
    );
    expect((await wharf(['queues', '-o', 'wide', ...NOWHERE])).stderr).toBe(
      'wharf: -o: "wide" is not table, json or yaml\n',
    );
  });

  it('says how to fix an unreachable address', async () => {
    for (const argv of [['queues'], ['status'], ['publish', 'orders', '--data', 'x'], ['consume', 'orders']]) {
      const result = await wharf([...argv, ...NOWHERE]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('wharf: cannot reach 127.0.0.1:1: is `npm start` running?\n');
    }
  });

  it('takes the address from WHARF_ADDR', async () => {
    const result = await wharf(['status'], { env: { WHARF_ADDR: '127.0.0.1:2' } });
    expect(result.stderr).toBe('wharf: cannot reach 127.0.0.1:2: is `npm start` running?\n');
  });
});
