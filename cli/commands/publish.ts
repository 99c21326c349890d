// wharf publish DEST: one message (--data/--file), one message per stdin line (--stdin), or
// --count copies. Several messages go over a pipelined PublishStream; progress goes to stderr.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { msToProtoDuration } from '../../common/duration.ts';
import type { Message } from '../../proto/gen/wharf/v1/Message.ts';
import type { PublishResponse__Output } from '../../proto/gen/wharf/v1/PublishResponse.ts';
import { plural } from '../format.ts';
import { type Io, printJson, UsageError } from '../io.ts';
import { type CommonOptions, countArg, destinationArg, durationArg, withClient } from './common.ts';

export interface PublishOptions extends CommonOptions {
  readonly data?: string;
  readonly file?: string;
  readonly stdin?: boolean;
  readonly key?: string;
  readonly header?: readonly string[];
  readonly dedupId?: string;
  readonly priority?: string;
  readonly delay?: string;
  readonly ttl?: string;
  readonly count?: string;
}

const PROGRESS_EVERY_MS = 1000;
const PROGRESS_FROM = 1000;
const PUBLISH_WINDOW = 256;

export function parseHeaders(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--header: "${pair}" is not key=value`);
    headers[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return headers;
}

/** The message fields every published message shares (all but payload and dedup id). */
export function messageTemplate(options: PublishOptions): Message {
  const message: Message = { headers: parseHeaders(options.header ?? []) };
  if (options.key !== undefined) message.key = options.key;
  if (options.priority !== undefined) message.priority = countArg(options.priority, '--priority', 0, 9);
  if (options.delay !== undefined) message.delay = msToProtoDuration(durationArg(options.delay, '--delay'));
  if (options.ttl !== undefined) message.ttl = msToProtoDuration(durationArg(options.ttl, '--ttl'));
  return message;
}

function sources(options: PublishOptions): number {
  return [options.data !== undefined, options.file !== undefined, options.stdin === true].filter(Boolean).length;
}

async function* stdinLines(io: Io): AsyncGenerator<Buffer> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line !== '') yield Buffer.from(line, 'utf8');
  }
}

async function* repeated(payload: Buffer, count: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) yield payload;
}

class Progress {
  readonly #io: Io;
  readonly #total: number | undefined;
  readonly #startMs = Date.now();
  #lastMs = Date.now();
  #shown = false;
  constructor(io: Io, total: number | undefined) {
    this.#io = io;
    this.#total = total;
  }
  tick(done: number): void {
    const now = Date.now();
    if (now - this.#lastMs < PROGRESS_EVERY_MS || (this.#total !== undefined && this.#total < PROGRESS_FROM)) return;
    this.#lastMs = now;
    this.#shown = true;
    const of = this.#total === undefined ? '' : `/${this.#total}`;
    const line = `published ${done}${of} (${this.rate(done)} msg/s)`;
    this.#io.err(this.#io.errIsTty ? `\r${line}` : `${line}\n`);
  }
  rate(done: number): number {
    const seconds = Math.max((Date.now() - this.#startMs) / 1000, 0.001);
    return Math.round(done / seconds);
  }
  seconds(): number {
    return (Date.now() - this.#startMs) / 1000;
  }
  finish(): void {
    if (this.#shown && this.#io.errIsTty) this.#io.err('\n');
  }
}

export async function publishCommand(destinationRaw: string, options: PublishOptions, io: Io): Promise<void> {
  const destination = destinationArg(destinationRaw);
  if (sources(options) !== 1) throw new UsageError('give the message with exactly one of --data, --file or --stdin');
  const template = messageTemplate(options);
  const count = options.count === undefined ? 1 : countArg(options.count, '--count', 1);
  if (options.stdin && options.count !== undefined) throw new UsageError('--count does not go with --stdin');

  let single: Buffer | undefined;
  if (options.data !== undefined) single = Buffer.from(options.data, 'utf8');
  if (options.file !== undefined) {
    try {
      single = await readFile(options.file);
    } catch (error) {
      throw new UsageError(`--file ${options.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  const dedupId = (index: number, many: boolean): string | undefined =>
    options.dedupId === undefined ? undefined : many ? `${options.dedupId}-${index + 1}` : options.dedupId;

  await withClient(options, async (client) => {
    if (single !== undefined && count === 1) {
      const id = dedupId(0, false);
      const message: Message = { ...template, payload: single, ...(id === undefined ? {} : { dedupId: id }) };
      const response = await client.publish(destination, message);
      if (options.json) printJson(io, { destination, ...response });
      else io.out(describePublish(destination, response));
      return;
    }

    const payloads = single !== undefined ? repeated(single, count) : stdinLines(io);
    const total = single !== undefined ? count : undefined;
    const progress = new Progress(io, total);
    const stream = client.openPublishStream({ maxInFlight: PUBLISH_WINDOW });
    const pending = new Set<Promise<void>>();
    let published = 0;
    let duplicates = 0;
    let failure: unknown;
    let index = 0;
    for await (const payload of payloads) {
      if (failure !== undefined) break;
      const id = dedupId(index++, true);
      const message: Message = { ...template, payload, ...(id === undefined ? {} : { dedupId: id }) };
      const answered: Promise<void> = stream.publish({ destination, message }).then(
        (response) => {
          published++;
          if (response.duplicate) duplicates++;
          progress.tick(published);
          pending.delete(answered);
        },
        (error: unknown) => {
          failure ??= error;
          pending.delete(answered);
        },
      );
      pending.add(answered);
      // Let the window bound memory: wait while the stream is full.
      if (pending.size >= PUBLISH_WINDOW) await Promise.race(pending);
    }
    await Promise.all(pending);
    if (failure !== undefined) {
      stream.cancel();
      progress.finish();
      io.err(`published ${published} before the failure\n`);
      throw failure;
    }
    await stream.end();
    progress.finish();
    const summary = { destination, published, duplicates, seconds: Number(progress.seconds().toFixed(3)) };
    if (options.json) printJson(io, summary);
    else {
      const dup = duplicates > 0 ? ` (${duplicates} duplicates)` : '';
      io.out(`published ${plural(published, 'message')} to ${destination}${dup} in ${summary.seconds}s\n`);
    }
  });
}

export function describePublish(destination: string, response: PublishResponse__Output): string {
  const partition = response.partition > 0 ? ` partition=${response.partition}` : '';
  const duplicate = response.duplicate ? ' (duplicate: stored once before)' : '';
  return `published to ${destination}: id=${response.messageId} seq=${response.sequence}${partition}${duplicate}\n`;
}
