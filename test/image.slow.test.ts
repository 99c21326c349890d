// The container image without a container engine: scripts/image-build.ts runs the Dockerfile's
// instructions in a plain directory, then this file starts containers of the result as Docker
// would (ENTRYPOINT + args or CMD, WORKDIR, ENV) as a non-root user (uid 1000 when the tests run as
// root, as the Dockerfile's USER says) that can write nowhere in the image, and shows: the image
// holds every module its commands import and none of the tests; `broker` (in the flags-only form
// the operator's StatefulSet uses) serves; the chart's `helm test` script publishes and consumes
// through it with the image's own `wharf` CLI; the default command is the sidecar, which serves
// in front of that broker; nothing in the image was written while they ran.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESTOP_COMMAND } from '../operator/model/statefulset.ts';
import { buildImage, type ImageConfig, imageCommand, inRoot, ROOT } from '../scripts/image-build.ts';
import { freePort } from './broker-process.ts';

const BUILD_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 60_000;

let out: string;
let image: ImageConfig;
let app: string;
let volume: string;
const children: ChildProcess[] = [];

/** Runs as the image's USER when this process may switch users (root), else as itself. */
const asImageUser = (image: ImageConfig): string[] => {
  if (process.getuid?.() !== 0) return [];
  const [uid, gid] = image.user.split(':');
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid ?? uid}`, '--clear-groups', '--'];
};

interface Container {
  readonly child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

function runContainer(args: readonly string[], env: Record<string, string> = {}): Container {
  // The image's /tmp, which does not exist and which the image user cannot create: with a read-only
  // root filesystem and no /tmp volume (the broker StatefulSet mounts none), nothing may go there.
  const command = imageCommand(image, args, { TMPDIR: inRoot(image.rootfs, '/tmp'), ...env });
  const [wrapper, ...wrapperArgs] = [...asImageUser(image), command.file, ...command.args];
  const child = spawn(wrapper as string, wrapperArgs, {
    cwd: command.cwd,
    env: command.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output = (output + d).slice(-200_000);
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    output = (output + d).slice(-200_000);
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exit };
}

async function waitForOutput(container: Container, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = pattern.exec(container.output());
    if (match !== null) return match;
    if (container.child.exitCode !== null) throw new Error(`exited ${container.child.exitCode}: ${container.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${START_TIMEOUT_MS} ms: ${container.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every file under dir (symlinks not followed) with its size and mtime. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      const info = statSync(path, { throwIfNoEntry: false });
      files.set(relative(dir, path), info === undefined ? 'link' : `${info.size}:${info.mtimeMs}`);
    }
  };
  walk(dir);
  return files;
}

/** Relative and bare imports of a TypeScript module (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  // `import type` / `export type` are erased when Node strips the types: nothing loads them.
  const pattern = /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;
  for (const m of text.matchAll(pattern)) {
    const spec = m[1] ?? m[2];
    if (spec !== undefined) specs.push(spec);
  }
  return specs;
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'wharf-image-'));
  chmodSync(out, 0o755); // the image user must reach the root
  image = buildImage({ out });
  app = inRoot(image.rootfs, image.workdir);
  volume = join(out, 'volume');
  // The data volume (the Dockerfile's VOLUME), owned by the image user.
  spawnSyncChecked(['mkdir', '-p', volume]);
  if (process.getuid?.() === 0) spawnSyncChecked(['chown', image.user, volume]);
}, BUILD_TIMEOUT_MS);

function spawnSyncChecked(argv: readonly string[]): void {
  const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
    ),
  );
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

describe('the image', () => {
  it('is configured as the Dockerfile says: non-root user, entrypoint, default command, data volume', () => {
    expect(image.user).toBe('1000:1000');
    expect(image.entrypoint).toEqual(['/app/bin/wharf']);
    expect(image.cmd).toEqual(['sidecar']);
    expect(image.volumes).toEqual(['/var/lib/wharf']);
    expect(image.env.WHARF_DATA).toBe('/var/lib/wharf');
    expect(image.steps[1]).toMatch(/^FROM \$\{NODE_IMAGE\} AS deps$/);
    expect(image.steps).toContain('ARG NODE_IMAGE=node:24-slim');
  });

  it('holds every module its commands import, and no tests', () => {
    const entries = ['broker/main.ts', 'sidecar/main.ts', 'cli/main.ts', PRESTOP_COMMAND[1], 'scripts/image-crds.ts'];
    const seen = new Set<string>();
    const missing: string[] = [];
    const queue = entries.map((e) => join(app, e));
    for (let i = 0; i < queue.length && i < 5_000; i++) {
      const file = queue[i] as string;
      if (seen.has(file)) continue;
      seen.add(file);
      if (!existsSync(file)) {
        missing.push(relative(app, file));
        continue;
      }
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
        else if (!spec.startsWith('node:')) {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
          if (!existsSync(join(app, 'node_modules', pkg, 'package.json'))) missing.push(`node_modules/${pkg}`);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(missing).toEqual([]);
    const sources = [...snapshot(app).keys()].filter((p) => !p.startsWith('node_modules/'));
    expect(sources.filter((p) => p.endsWith('.test.ts') || p.startsWith('test/') || p.startsWith('charts/'))).toEqual(
      [],
    );
    // Production dependencies only.
    for (const dev of ['vitest', 'typescript', '@biomejs/biome', 'fast-check']) {
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('starts a broker (flags only, as the StatefulSet passes them) that the helm test script publishes to and consumes from; the default command is a sidecar in front of it; nothing in the image is written', async () => {
    const before = snapshot(image.rootfs);
    const port = await freePort();
    const broker = runContainer([
      '--data',
      volume,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--metrics-port',
      '0',
    ]);
    await waitForOutput(broker, /wharf broker listening on (\S+)/);

    const sidecarPort = await freePort();
    const sidecar = runContainer([], {
      WHARF_BROKERS: `127.0.0.1:${port}`,
      WHARF_SIDECAR_PORT: String(sidecarPort),
      WHARF_SIDECAR_METRICS_PORT: '0',
      WHARF_NAMESPACE: 'default',
    });
    await waitForOutput(sidecar, /wharf sidecar listening on 127\.0\.0\.1:(\d+)/);

    // The chart's helm test script, with the image's `wharf` on PATH, through the sidecar.
    const script = readFileSync(join(ROOT, 'charts/wharf/files/helm-test.sh'), 'utf8');
    const command = imageCommand(image, [], {
      WHARF_ADDR: `127.0.0.1:${sidecarPort}`,
      WHARF_TEST_NAMESPACE: 'default',
      WHARF_TEST_QUEUE: 'image-test',
      WHARF_TEST_ATTEMPTS: '10',
      TMPDIR: volume,
    });
    const [wrapper, ...wrapperArgs] = [...asImageUser(image), '/bin/sh', '-c', script];
    const run = spawnSync(wrapper as string, wrapperArgs, {
      cwd: command.cwd,
      env: command.env,
      encoding: 'utf8',
      timeout: START_TIMEOUT_MS,
    });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.stdout).toMatch(/helm test: published and consumed wharf-helm-test-\S+ through default\/image-test/);
    expect(run.status).toBe(0);

    sidecar.child.kill('SIGTERM');
    broker.child.kill('SIGTERM');
    expect(await sidecar.exit).toBe(0);
    expect(await broker.exit).toBe(0);
    expect(snapshot(image.rootfs)).toEqual(before);
  });
});
