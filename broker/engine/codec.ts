// Binary encoding of engine commands for the replicated log. Hot commands (publish, lease, settle,
// tick) are laid out field by field; rare admin commands embed their spec as JSON.
//
// Every command starts with [format version u8][type tag u8][nowMs f64]. A publish continues with
// [item count][destination table][u32 offset of each item][items...], so one item can be decoded
// from its slot without reading the others (delivery reads bodies from the log that way), and a
// batch to one destination names it once. Decoded payloads are subarrays of the input: no copy.

import { assert, unreachable } from '../../common/assert.ts';
import { CodecError, Reader, Writer } from './bytes.ts';
import type { Command, CommandType, PublishItem, QueueSpec, SettleOp, SubscriptionSpec, TopicSpec } from './types.ts';

const FORMAT_VERSION = 1;

const TAGS = {
  applyQueue: 1,
  deleteQueue: 2,
  applyTopic: 3,
  deleteTopic: 4,
  publish: 5,
  lease: 6,
  settle: 7,
  subscribe: 8,
  unsubscribe: 9,
  redrive: 10,
  tick: 11,
} as const satisfies Record<CommandType, number>;

const TYPE_OF_TAG: readonly (CommandType | undefined)[] = (() => {
  const out: (CommandType | undefined)[] = [];
  for (const [type, tag] of Object.entries(TAGS)) out[tag] = type as CommandType;
  return out;
})();

const SETTLE_OPS: readonly SettleOp[] = ['ack', 'nack', 'extend'];

export function encodeCommand(cmd: Command): Uint8Array {
  const w = new Writer(cmd.type === 'publish' ? publishSizeHint(cmd.items) : 64);
  w.u8(FORMAT_VERSION);
  w.u8(TAGS[cmd.type]);
  w.f64(cmd.nowMs);
  switch (cmd.type) {
    case 'applyQueue':
    case 'applyTopic':
      w.str(cmd.name);
      w.str(JSON.stringify(cmd.spec));
      break;
    case 'deleteQueue':
    case 'deleteTopic':
      w.str(cmd.name);
      break;
    case 'publish':
      writePublish(w, cmd.items);
      break;
    case 'lease':
      w.str(cmd.destination);
      w.str(cmd.subscription);
      w.zigzag(cmd.max);
      w.zigzag(cmd.ackDeadlineMs);
      break;
    case 'settle':
      w.u8(SETTLE_OPS.indexOf(cmd.op));
      w.varint(cmd.receipts.length);
      for (const receipt of cmd.receipts) w.str(receipt);
      w.zigzag(cmd.delayMs);
      w.bool(cmd.deadLetter);
      w.str(cmd.reason);
      break;
    case 'subscribe':
      w.str(cmd.destination);
      w.str(JSON.stringify(cmd.spec));
      break;
    case 'unsubscribe':
      w.str(cmd.destination);
      w.str(cmd.subscription);
      break;
    case 'redrive':
      w.str(cmd.deadLetterQueue);
      w.zigzag(cmd.max);
      break;
    case 'tick':
      break;
    default:
      unreachable(cmd);
  }
  return w.finish();
}

export function decodeCommand(bytes: Uint8Array): Command {
  const r = new Reader(bytes);
  const type = readHeader(r);
  const nowMs = r.f64();
  let cmd: Command;
  switch (type) {
    case 'applyQueue':
      cmd = { type, nowMs, name: r.str(), spec: parseJson(r.str()) as QueueSpec };
      break;
    case 'applyTopic':
      cmd = { type, nowMs, name: r.str(), spec: parseJson(r.str()) as TopicSpec };
      break;
    case 'deleteQueue':
    case 'deleteTopic':
      cmd = { type, nowMs, name: r.str() };
      break;
    case 'publish':
      cmd = { type, nowMs, items: readPublish(r, bytes) };
      break;
    case 'lease':
      cmd = { type, nowMs, destination: r.str(), subscription: r.str(), max: r.zigzag(), ackDeadlineMs: r.zigzag() };
      break;
    case 'settle': {
      const op = SETTLE_OPS[r.u8()];
      if (op === undefined) throw new CodecError('bad settle op');
      const count = r.varint();
      checkCount(count, r);
      const receipts: string[] = [];
      for (let i = 0; i < count; i++) receipts.push(r.str());
      cmd = { type, nowMs, op, receipts, delayMs: r.zigzag(), deadLetter: r.bool(), reason: r.str() };
      break;
    }
    case 'subscribe':
      cmd = { type, nowMs, destination: r.str(), spec: parseJson(r.str()) as SubscriptionSpec };
      break;
    case 'unsubscribe':
      cmd = { type, nowMs, destination: r.str(), subscription: r.str() };
      break;
    case 'redrive':
      cmd = { type, nowMs, deadLetterQueue: r.str(), max: r.zigzag() };
      break;
    case 'tick':
      cmd = { type, nowMs };
      break;
    default:
      unreachable(type);
  }
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} trailing bytes after ${type}`);
  return cmd;
}

/** The command type of an encoded command, without decoding the rest. */
export function peekCommandType(bytes: Uint8Array): CommandType {
  return readHeader(new Reader(bytes));
}

/** The number of items of an encoded publish command. */
export function publishItemCount(bytes: Uint8Array): number {
  const r = new Reader(bytes);
  const type = readHeader(r);
  if (type !== 'publish') throw new CodecError(`not a publish command: ${type}`);
  r.f64();
  return r.varint();
}

/** Decodes item `slot` of an encoded publish command, reading only that item. */
export function decodePublishItem(bytes: Uint8Array, slot: number): PublishItem {
  const r = new Reader(bytes);
  const type = readHeader(r);
  if (type !== 'publish') throw new CodecError(`not a publish command: ${type}`);
  r.f64();
  const count = r.varint();
  if (!Number.isInteger(slot) || slot < 0 || slot >= count) {
    throw new CodecError(`slot ${slot} out of range (publish has ${count} items)`);
  }
  const destinations = readDestinationTable(r);
  r.offset = r.u32At(r.offset + slot * 4);
  return readItem(r, destinations);
}

function readHeader(r: Reader): CommandType {
  const version = r.u8();
  if (version !== FORMAT_VERSION) throw new CodecError(`unknown command format version ${version}`);
  const tag = r.u8();
  const type = TYPE_OF_TAG[tag];
  if (type === undefined) throw new CodecError(`unknown command tag ${tag}`);
  return type;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CodecError(`bad JSON in admin command: ${String(error)}`);
  }
}

/** A count can never exceed the bytes left (every element takes at least one byte). */
function checkCount(count: number, r: Reader): void {
  if (count > r.remaining) throw new CodecError(`count ${count} exceeds the ${r.remaining} bytes left`);
}

function publishSizeHint(items: readonly PublishItem[]): number {
  let bytes = 64;
  for (const item of items) bytes += item.payload.length + 64;
  return bytes;
}

function writePublish(w: Writer, items: readonly PublishItem[]): void {
  w.varint(items.length);
  const destinationIndex = new Map<string, number>();
  for (const item of items) {
    if (!destinationIndex.has(item.destination)) destinationIndex.set(item.destination, destinationIndex.size);
  }
  w.varint(destinationIndex.size);
  for (const destination of destinationIndex.keys()) w.str(destination);
  const table = w.length;
  for (let i = 0; i < items.length; i++) w.u32(0);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PublishItem;
    w.u32At(table + i * 4, w.length);
    w.varint(destinationIndex.get(item.destination) ?? 0);
    w.str(item.id);
    w.bytes(item.payload);
    const headerNames = Object.keys(item.headers);
    w.varint(headerNames.length);
    for (const name of headerNames) {
      w.str(name);
      w.str(item.headers[name] ?? '');
    }
    w.str(item.key);
    w.str(item.dedupId);
    w.zigzag(item.priority);
    w.zigzag(item.delayMs);
    w.zigzag(item.ttlMs);
    w.str(item.replyTo);
    w.str(item.correlationId);
  }
}

function readDestinationTable(r: Reader): string[] {
  const count = r.varint();
  checkCount(count, r);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(r.str());
  return out;
}

function readPublish(r: Reader, bytes: Uint8Array): PublishItem[] {
  const count = r.varint();
  checkCount(count, r);
  const destinations = readDestinationTable(r);
  const table = r.offset;
  r.offset = table + count * 4;
  const items: PublishItem[] = [];
  for (let i = 0; i < count; i++) {
    if (r.u32At(table + i * 4) !== r.offset) throw new CodecError(`publish item ${i} is not where the table says`);
    items.push(readItem(r, destinations));
  }
  assert(r.offset <= bytes.length);
  return items;
}

function readItem(r: Reader, destinations: readonly string[]): PublishItem {
  const destination = destinations[r.varint()];
  if (destination === undefined) throw new CodecError('publish item names no destination');
  const id = r.str();
  const payload = r.bytes();
  const headerCount = r.varint();
  checkCount(headerCount, r);
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < headerCount; i++) {
    const name = r.str();
    headers[name] = r.str();
  }
  return {
    destination,
    id,
    payload,
    headers,
    key: r.str(),
    dedupId: r.str(),
    priority: r.zigzag(),
    delayMs: r.zigzag(),
    ttlMs: r.zigzag(),
    replyTo: r.str(),
    correlationId: r.str(),
  };
}
