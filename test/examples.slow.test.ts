// The client examples (examples/python, examples/go, examples/node) against a real broker process on
// loopback: each publishes, consumes with ack and does request/reply, and exits 0 only when every
// message made the round trip. scripts/setup-examples.sh prepares the Python venv, the generated
// stubs and the Go binary first (minutes from cold, nothing when already done).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SETUP_TIMEOUT_MS = 10 * 60_000;
const BROKER_START_TIMEOUT_MS = 20_000;
const EXAMPLE_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (SIGKILL after `timeoutMs`), collecting its output. */
function run(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts `wharf dev` (what `npm start` runs: a broker behind a sidecar) on a free loopback port, so
 * the examples talk to the sidecar as an app in a pod would; resolves with its address.
 */
function startBroker(dataDir: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(
    process.execPath,
    ['cli/main.ts', 'dev', '--data', dataDir, '--host', '127.0.0.1', '--port', '0'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the broker did not listen within ${BROKER_START_TIMEOUT_MS}ms; stderr: ${stderr}`));
    }, BROKER_START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /wharf dev: .* on (127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, address: match[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the broker exited ${code} before listening; stderr: ${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** What every example prints when all went well (the order of the `received` lines may vary). */
function expectedLines(lang: string, address: string): string[] {
  const orders = ['order-1', 'order-2', 'order-3'];
  return [
    `connected: ${address}`,
    `queues: default/examples-${lang} default/examples-${lang}-requests`,
    ...orders.map((order) => `published: ${order}`),
    ...orders.map((order) => `received: ${order} (key customer-42, type order.created)`),
    'acked: 3',
    'reply: HELLO WHARF',
    'ok: publish, consume+ack, request/reply',
  ];
}

let broker: ChildProcess | undefined;
let address = '';
let dataDir = '';
const paths = new Map<string, string>();

beforeAll(async () => {
  const setup = await run('bash', ['scripts/setup-examples.sh', '--print-env'], SETUP_TIMEOUT_MS);
  if (setup.code !== 0) {
    throw new Error(`scripts/setup-examples.sh failed (${setup.code ?? setup.signal}):\n${setup.stderr}`);
  }
  for (const line of setup.stdout.split('\n')) {
    const match = /^(\w+)=(.+)$/.exec(line);
    if (match?.[1] && match[2]) paths.set(match[1], match[2]);
  }
  dataDir = mkdtempSync(join(tmpdir(), 'wharf-examples-'));
  ({ child: broker, address } = await startBroker(dataDir));
}, SETUP_TIMEOUT_MS + BROKER_START_TIMEOUT_MS);

afterAll(async () => {
  if (broker) await stop(broker);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 15_000);

function command(lang: string): [string, string[]] {
  const path = (name: string): string => {
    const value = paths.get(name);
    if (value === undefined) throw new Error(`scripts/setup-examples.sh --print-env did not print ${name}`);
    return value;
  };
  switch (lang) {
    case 'python':
      return [path('WHARF_EXAMPLES_PYTHON'), ['examples/python/wharf_example.py']];
    case 'go':
      return [path('WHARF_EXAMPLES_GO_BIN'), []];
    default:
      return [process.execPath, ['examples/node/example.ts']];
  }
}

describe.each(['python', 'go', 'node'])('examples/%s', (lang) => {
  it(
    'publishes, consumes with ack and does request/reply against a live broker',
    async () => {
      const [program, args] = command(lang);
      const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
      delete env.WHARF_ADDR;

      // With --addr, then again with WHARF_ADDR alone (the queues exist by then: applying is idempotent).
      const withFlag = await run(program, [...args, '--addr', address], EXAMPLE_TIMEOUT_MS, env);
      const withEnv = await run(program, args, EXAMPLE_TIMEOUT_MS, { ...env, WHARF_ADDR: address });
      for (const result of [withFlag, withEnv]) {
        expect(result.stderr).toBe('');
        expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
        const lines = result.stdout.trimEnd().split('\n');
        expect(lines.toSorted()).toEqual(expectedLines(lang, address).toSorted());
        expect(lines.at(-1)).toBe('ok: publish, consume+ack, request/reply');
      }
    },
    2 * EXAMPLE_TIMEOUT_MS + 10_000,
  );
});
