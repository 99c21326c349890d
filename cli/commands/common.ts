// Helpers shared by the commands: the client connection and argument checks.
import { type ClientTls, connect, type WharfClient } from '../../client/client.ts';
import { parseDurationMs } from '../../common/duration.ts';
import { isWharfError, TlsFilesError } from '../../common/errors.ts';
import { canonicalDestination } from '../../common/names.ts';
import { readMaterial } from '../../common/tls.ts';
import { UsageError } from '../io.ts';

export interface CommonOptions {
  /** host:port of a broker or sidecar. */
  readonly addr: string;
  readonly json: boolean;
  /** Verify the broker with TLS against this CA bundle (PEM file; the brokers' ca.crt). */
  readonly tlsCa?: string;
  /** The name the broker's certificate must carry when --addr does not (e.g. through a port-forward). */
  readonly tlsServerName?: string;
}

/** The TLS settings of `options`; a CA file that cannot be used is a usage error naming it. */
export async function clientTls(options: CommonOptions): Promise<ClientTls | undefined> {
  if (options.tlsCa === undefined || options.tlsCa === '') {
    if (options.tlsServerName) throw new UsageError('--tls-server-name needs --tls-ca');
    return undefined;
  }
  try {
    const { ca } = await readMaterial({ caFile: options.tlsCa });
    return { ca, ...(options.tlsServerName ? { serverName: options.tlsServerName } : {}) };
  } catch (error) {
    if (error instanceof TlsFilesError) throw new UsageError(`--tls-ca ${error.message}`);
    throw error;
  }
}

export const CLI_DEADLINE_MS = 15_000;

export async function withClient<T>(options: CommonOptions, run: (client: WharfClient) => Promise<T>): Promise<T> {
  const tls = await clientTls(options);
  const client = connect(options.addr, { deadlineMs: CLI_DEADLINE_MS, ...(tls === undefined ? {} : { tls }) });
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (isWharfError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** "orders" → "default/orders" (or the given namespace); bad names are usage errors. */
export function destinationArg(raw: string, namespace?: string): string {
  return usage(() => canonicalDestination(raw, namespace || undefined));
}

export function durationArg(raw: string, flag: string): number {
  return usage(() => parseDurationMs(raw, flag));
}

export function countArg(raw: string, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number ${min}..${max}`;
    throw new UsageError(`${flag}: "${raw}" is not ${range}`);
  }
  return value;
}
