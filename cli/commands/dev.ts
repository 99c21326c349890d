// wharf dev: the embedded local cluster. Validates the --apply files, starts a broker on a free
// loopback port over a data directory that survives restarts, puts a sidecar in front of it on the
// public port (traces go to OTEL_EXPORTER_OTLP_ENDPOINT when set), applies the resources, prints how to use it, and
// on Ctrl-C/SIGTERM stops cleanly (running calls finish, the log is flushed).
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '../../client/client.ts';
import { type LoadedResources, loadResourceFiles } from '../../client/resource-files.ts';
import { applyOrder, type WharfResource } from '../../client/resources.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { CommandError, type Io, printJson, stopRequested, UsageError } from '../io.ts';
import { applyResources, skippedLine } from './apply.ts';
import { CLI_DEADLINE_MS, countArg } from './common.ts';

export interface DevOptions {
  readonly nodes: string;
  readonly apply?: readonly string[];
  readonly data?: string;
  readonly port: string;
  readonly host: string;
  readonly json?: boolean;
  readonly logLevel?: string;
}

export const DEFAULT_DEV_PORT = 7070;

export function defaultDataDir(env: Io['env']): string {
  return env.WHARF_DATA || join(env.HOME || homedir(), '.local', 'share', 'wharf', 'dev');
}

export interface DevBanner {
  readonly address: string;
  readonly dataDir: string;
  readonly applied: readonly WharfResource[];
  readonly files: readonly string[];
}

function exampleQueue(applied: readonly WharfResource[]): string {
  const dlqs = new Set(applied.flatMap((r) => (r.kind === 'Queue' ? [r.queue.spec?.deadLetterQueue ?? ''] : [])));
  const queue = applied.find((r) => r.kind === 'Queue' && !dlqs.has(r.name));
  const name = queue?.name ?? 'default/my-queue';
  return name.startsWith('default/') ? name.slice('default/'.length) : name;
}

export function devBannerText(banner: DevBanner): string {
  const addr = banner.address === `127.0.0.1:${DEFAULT_DEV_PORT}` ? '' : ` --addr ${banner.address}`;
  const queue = exampleQueue(banner.applied);
  const lines = [
    `wharf dev: 1 broker behind a sidecar serving wharf.v1.BrokerService and AdminService on ${banner.address}`,
    `  data:    ${banner.dataDir} (queues and unsettled messages survive a restart)`,
  ];
  if (banner.applied.length > 0) {
    lines.push(
      `  applied: ${applyOrder(banner.applied)
        .map((r) => `${r.kind.toLowerCase()} ${r.name}`)
        .join(', ')}`,
    );
    lines.push(`           from ${banner.files.join(', ')}`);
  } else {
    lines.push('  applied: nothing (wharf dev --apply FILE_OR_DIR, or wharf apply -f FILE_OR_DIR later)');
  }
  lines.push(
    'try:',
    `  npm run wharf -- publish ${queue} --data 'hello' --key customer-1${addr}`,
    `  npm run wharf -- consume ${queue}${addr}`,
    `  npm run wharf -- queues${addr}`,
    `  (or any gRPC client: WHARF_ADDR=${banner.address})`,
    'Ctrl-C stops cleanly.',
  );
  return `${lines.join('\n')}\n`;
}

function portArg(raw: string): number {
  return countArg(raw, '--port', 0, 65535);
}

function explainStartFailure(error: unknown, host: string, port: number): Error {
  const text = error instanceof Error ? error.message : String(error);
  if (/EADDRINUSE|address already in use|No address added/i.test(text)) {
    return new CommandError(`${host}:${port} is in use: is another \`wharf dev\` running? (pick another with --port)`);
  }
  return error instanceof Error ? error : new Error(text);
}

export async function devCommand(options: DevOptions, io: Io, logger?: Logger): Promise<void> {
  const nodes = countArg(options.nodes, '--nodes', 1);
  if (nodes > 1) {
    throw new UsageError(
      `--nodes ${nodes}: multi-node dev clusters arrive with Raft replication; for now run --nodes 1 (the default)`,
    );
  }
  const port = portArg(options.port);
  const dataDir = resolve(options.data ?? defaultDataDir(io.env));

  // Every document is checked before anything starts.
  const loaded: LoadedResources =
    options.apply && options.apply.length > 0
      ? await loadResourceFiles(options.apply)
      : { resources: [], skipped: [], files: [] };
  for (const skipped of loaded.skipped) io.err(skippedLine(skipped));

  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new CommandError(`cannot create data directory ${dataDir}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const log =
    logger ?? createLogger({ name: 'wharf-dev', level: options.logLevel ?? io.env.WHARF_LOG_LEVEL ?? 'warn' });
  const { startBroker } = await import('../../broker/broker.ts');
  const { startSidecar } = await import('../../sidecar/sidecar.ts');
  const { parseConfig } = await import('../../sidecar/config.ts');
  // The broker listens on a free loopback port; the sidecar takes the public one, as in a pod.
  const broker = await startBroker({ dataDir, host: '127.0.0.1', port: 0, logger: log, nodeId: 'wharf-0' });
  let sidecar: Awaited<ReturnType<typeof startSidecar>>;
  try {
    const sidecarArgs = ['--host', options.host, '--port', String(port), '--brokers', broker.address];
    sidecar = await startSidecar({
      config: parseConfig([...sidecarArgs, '--metrics-port', '0'], { WHARF_NAMESPACE: 'default', ...io.env }),
      logger: log.child({ component: 'sidecar' }),
    });
  } catch (error) {
    await broker.stop();
    throw explainStartFailure(error, options.host, port);
  }
  await sidecar.router.refresh();
  const stop = stopRequested(io);
  try {
    if (loaded.resources.length > 0) {
      const client = connect(broker.address, { deadlineMs: CLI_DEADLINE_MS });
      try {
        await applyResources(client, loaded.resources);
      } finally {
        client.close();
      }
    }
    const banner: DevBanner = { address: sidecar.address, dataDir, applied: loaded.resources, files: loaded.files };
    if (options.json) {
      printJson(io, {
        address: banner.address,
        dataDir,
        applied: banner.applied.map((r) => ({ kind: r.kind, name: r.name })),
      });
    } else io.out(devBannerText(banner));
    await stop.promise;
    if (!options.json) io.err('wharf dev: stopping…\n');
  } finally {
    stop.dispose();
    // The sidecar drains first (in-flight publishes finish, held deliveries go back), then the broker.
    await sidecar.drain();
    await broker.stop();
  }
  if (!options.json) io.err(`wharf dev: stopped (data kept in ${dataDir})\n`);
}
