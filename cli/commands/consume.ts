// wharf consume DEST: prints deliveries and settles them (ack by default, --nack, or --no-ack to
// leave them to their lease). Without --follow it long-polls with Receive until nothing more comes
// or --max is reached; with --follow it holds a Consume stream until --max or Ctrl-C.
import type { WharfClient } from '../../client/client.ts';
import { msToProtoDuration } from '../../common/duration.ts';
import type { Delivery__Output } from '../../proto/gen/wharf/v1/Delivery.ts';
import { isPrintableText, payloadText, plural, timestampMs } from '../format.ts';
import { type Io, stopRequested, UsageError } from '../io.ts';
import { type CommonOptions, countArg, destinationArg, durationArg, withClient } from './common.ts';

export interface ConsumeCommandOptions extends CommonOptions {
  readonly subscription?: string;
  readonly max?: string;
  readonly wait: string;
  /** false with --no-ack. */
  readonly ack: boolean;
  readonly nack?: boolean;
  readonly follow?: boolean;
}

const RECEIVE_BATCH = 100;
const DEFAULT_MAX = 100;

type Settlement = 'ack' | 'nack' | 'none';

/** One delivery as a JSON line: payload as text when it is text, base64 otherwise. */
export function deliveryJson(delivery: Delivery__Output): Record<string, unknown> {
  const message = delivery.message;
  const payload = message?.payload ?? Buffer.alloc(0);
  const text = isPrintableText(payload);
  const published = timestampMs(message?.publishTime);
  return {
    destination: delivery.destination,
    ...(delivery.subscription === '' ? {} : { subscription: delivery.subscription }),
    id: message?.id ?? '',
    sequence: message?.sequence ?? 0,
    partition: message?.partition ?? 0,
    attempt: delivery.attempt,
    receipt: delivery.receipt,
    key: message?.key ?? '',
    headers: message?.headers ?? {},
    ...(published === undefined ? {} : { publishTime: new Date(published).toISOString() }),
    ...(message?.replyTo ? { replyTo: message.replyTo, correlationId: message.correlationId } : {}),
    payload: text ? payload.toString('utf8') : payload.toString('base64'),
    payloadEncoding: text ? 'utf8' : 'base64',
  };
}

/** One delivery for a person: "#12 key=k1 attempt=2 type=invoice: <payload>". */
export function deliveryLine(delivery: Delivery__Output): string {
  const message = delivery.message;
  const parts = [`#${message?.sequence ?? 0}`];
  if (message?.key) parts.push(`key=${message.key}`);
  if (delivery.attempt > 1) parts.push(`attempt=${delivery.attempt}`);
  for (const [name, value] of Object.entries(message?.headers ?? {})) parts.push(`${name}=${value}`);
  return `${parts.join(' ')}: ${payloadText(message?.payload ?? Buffer.alloc(0))}\n`;
}

function settlementOf(options: ConsumeCommandOptions): Settlement {
  if (options.nack && !options.ack) throw new UsageError('--nack and --no-ack exclude each other');
  return options.nack ? 'nack' : options.ack ? 'ack' : 'none';
}

async function settleBatch(client: WharfClient, settlement: Settlement, receipts: string[]): Promise<void> {
  if (receipts.length === 0 || settlement === 'none') return;
  if (settlement === 'ack') await client.ack(receipts);
  else await client.nack(receipts, { reason: 'wharf consume --nack' });
}

export async function consumeCommand(destinationRaw: string, options: ConsumeCommandOptions, io: Io): Promise<void> {
  const destination = destinationArg(destinationRaw);
  const settlement = settlementOf(options);
  const max = options.max === undefined ? undefined : countArg(options.max, '--max', 1);
  const waitMs = durationArg(options.wait, '--wait');
  const print = (delivery: Delivery__Output): void => {
    io.out(options.json ? `${JSON.stringify(deliveryJson(delivery))}\n` : deliveryLine(delivery));
  };

  const received = await withClient(options, (client) =>
    options.follow
      ? follow(client, destination, options, settlement, max, print, io)
      : poll(client, destination, options.subscription ?? '', settlement, max ?? DEFAULT_MAX, waitMs, print),
  );
  if (!options.json) {
    const what = settlement === 'ack' ? 'acked' : settlement === 'nack' ? 'nacked' : 'left unsettled';
    io.err(`received ${plural(received, 'message')} from ${destination} (${what})\n`);
  }
}

async function poll(
  client: WharfClient,
  destination: string,
  subscription: string,
  settlement: Settlement,
  max: number,
  waitMs: number,
  print: (delivery: Delivery__Output) => void,
): Promise<number> {
  let received = 0;
  while (received < max) {
    // Wait for the first message; after that take only what is ready.
    const wait = msToProtoDuration(received === 0 ? waitMs : 0);
    const batch = Math.min(RECEIVE_BATCH, max - received);
    const { deliveries } = await client.receive({ destination, subscription, maxMessages: batch, wait });
    if (deliveries.length === 0) break;
    for (const delivery of deliveries) print(delivery);
    received += deliveries.length;
    await settleBatch(
      client,
      settlement,
      deliveries.map((d) => d.receipt),
    );
  }
  return received;
}

async function follow(
  client: WharfClient,
  destination: string,
  options: ConsumeCommandOptions,
  settlement: Settlement,
  max: number | undefined,
  print: (delivery: Delivery__Output) => void,
  io: Io,
): Promise<number> {
  const consumer = client.consume({
    destination,
    subscription: options.subscription ?? '',
    maxInFlight: Math.min(max ?? RECEIVE_BATCH, RECEIVE_BATCH),
  });
  const stop = stopRequested(io);
  void stop.promise.then(() => consumer.close());
  let received = 0;
  try {
    for await (const delivery of consumer) {
      print(delivery);
      received++;
      if (settlement === 'ack') await consumer.ack([delivery.receipt]);
      else if (settlement === 'nack') await consumer.nack([delivery.receipt], { reason: 'wharf consume --nack' });
      if (max !== undefined && received >= max) break;
    }
  } finally {
    stop.dispose();
    await consumer.close();
  }
  return received;
}
