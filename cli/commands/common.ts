// Helpers shared by the commands: the client connection and argument checks.
import { connect, type WharfClient } from '../../client/client.ts';
import { parseDurationMs } from '../../common/duration.ts';
import { isWharfError } from '../../common/errors.ts';
import { canonicalDestination } from '../../common/names.ts';
import { UsageError } from '../io.ts';

export interface CommonOptions {
  /** host:port of a broker or sidecar. */
  readonly addr: string;
  readonly json: boolean;
}

export const CLI_DEADLINE_MS = 15_000;

export async function withClient<T>(options: CommonOptions, run: (client: WharfClient) => Promise<T>): Promise<T> {
  const client = connect(options.addr, { deadlineMs: CLI_DEADLINE_MS });
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
