// Reading the few fields the sidecar needs straight from the protobuf wire format, so frames it
// only passes along (Consume deliveries and settle results, settle frames from the app) are
// forwarded as the bytes they arrived as instead of being decoded into objects and encoded again.
// Pure functions over Buffers; a malformed frame throws.

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** A cursor over one message's bytes (`end` exclusive). */
export class WireReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a Number (exact up to 2^53; protobuf int64 seconds fit). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new Error('varint too long');
  }

  /** The next tag as [field number, wire type]; call only when not done. */
  tag(): number {
    return this.varint();
  }

  /** Length of a LEN field; the reader is left at its first byte. */
  length(): number {
    const n = this.varint();
    if (this.pos + n > this.end) throw new Error('truncated field');
    return n;
  }

  /** A reader over the LEN field that starts here (an embedded message); this one moves past it. */
  sub(): WireReader {
    const n = this.length();
    const inner = new WireReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return inner;
  }

  string(): string {
    const n = this.length();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case I64:
        this.pos += 8;
        break;
      case LEN: {
        const n = this.length();
        this.pos += n;
        return;
      }
      case I32:
        this.pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

export const fieldOf = (tag: number): number => Math.floor(tag / 8);
export const wireTypeOf = (tag: number): number => tag & 7;

/** google.protobuf.Duration or Timestamp (seconds = 1, nanos = 2) in milliseconds. */
function readMillis(r: WireReader): number {
  const inner = r.sub();
  let seconds = 0;
  let nanos = 0;
  while (!inner.done) {
    const tag = inner.tag();
    if (tag === 0x08) seconds = inner.varint();
    else if (tag === 0x10) nanos = inner.varint();
    else inner.skip(wireTypeOf(tag));
  }
  if (nanos >= 1e9) throw new Error('nanos must be below 1e9');
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

/** What the sidecar reads of a Delivery it passes on without tracing. */
export interface DeliveryHead {
  receipt: string;
  destination: string;
  subscription: string;
  /** Epoch ms; 0 when the delivery has no lease expiry. */
  leaseExpiresMs: number;
}

/** A ConsumeResponse frame: `delivery`, `settled`, or neither (an empty or unknown frame). */
export type ConsumeResponseHead =
  | { readonly kind: 'delivery'; readonly delivery: DeliveryHead }
  | { readonly kind: 'settled'; readonly receipt: string; readonly outcome: number }
  | { readonly kind: 'other' };

function readDelivery(r: WireReader): DeliveryHead {
  const inner = r.sub();
  const head: DeliveryHead = { receipt: '', destination: '', subscription: '', leaseExpiresMs: 0 };
  while (!inner.done) {
    const tag = inner.tag();
    switch (tag) {
      case 0x12: // receipt = 2
        head.receipt = inner.string();
        break;
      case 0x22: // lease_expires = 4
        head.leaseExpiresMs = readMillis(inner);
        break;
      case 0x2a: // destination = 5
        head.destination = inner.string();
        break;
      case 0x32: // subscription = 6
        head.subscription = inner.string();
        break;
      default:
        inner.skip(wireTypeOf(tag));
    }
  }
  return head;
}

function readSettleResult(r: WireReader): { receipt: string; outcome: number } {
  const inner = r.sub();
  let receipt = '';
  let outcome = 0;
  while (!inner.done) {
    const tag = inner.tag();
    if (tag === 0x0a) receipt = inner.string();
    else if (tag === 0x10) outcome = inner.varint();
    else inner.skip(wireTypeOf(tag));
  }
  return { receipt, outcome };
}

/** The head of a ConsumeResponse (oneof frame: delivery = 1, settled = 2; the last one wins). */
export function readConsumeResponse(buf: Buffer): ConsumeResponseHead {
  const r = new WireReader(buf);
  let head: ConsumeResponseHead = { kind: 'other' };
  while (!r.done) {
    const tag = r.tag();
    if (tag === 0x0a) head = { kind: 'delivery', delivery: readDelivery(r) };
    else if (tag === 0x12) {
      const settled = readSettleResult(r);
      head = { kind: 'settled', receipt: settled.receipt, outcome: settled.outcome };
    } else r.skip(wireTypeOf(tag));
  }
  return head;
}

export type SettleKind = 'ack' | 'nack' | 'extend';

/** A ConsumeRequest frame by its oneof field; settles carry their receipts (and delay). */
export type ConsumeRequestHead =
  | { readonly kind: 'subscribe' }
  | {
      readonly kind: SettleKind;
      readonly receipts: string[];
      /** The Settle's delay in ms, when it has one (an extend's extension). */
      readonly delayMs: number | undefined;
    }
  | { readonly kind: 'other' };

const SETTLE_KINDS: readonly (SettleKind | undefined)[] = [undefined, undefined, 'ack', 'nack', 'extend'];

function readSettle(r: WireReader, kind: SettleKind): ConsumeRequestHead {
  const inner = r.sub();
  const receipts: string[] = [];
  let delayMs: number | undefined;
  while (!inner.done) {
    const tag = inner.tag();
    if (tag === 0x0a) receipts.push(inner.string());
    else if (tag === 0x12) delayMs = readMillis(inner);
    else inner.skip(wireTypeOf(tag));
  }
  return { kind, receipts, delayMs };
}

/** The head of a ConsumeRequest (oneof frame: subscribe = 1, ack = 2, nack = 3, extend = 4, credit = 5). */
export function readConsumeRequest(buf: Buffer): ConsumeRequestHead {
  const r = new WireReader(buf);
  let head: ConsumeRequestHead = { kind: 'other' };
  while (!r.done) {
    const tag = r.tag();
    const field = fieldOf(tag);
    const settle = SETTLE_KINDS[field];
    if (tag === 0x0a) {
      r.skip(LEN);
      head = { kind: 'subscribe' };
    } else if (settle !== undefined && wireTypeOf(tag) === LEN) {
      head = readSettle(r, settle);
    } else {
      r.skip(wireTypeOf(tag));
      if (field === 5) head = { kind: 'other' };
    }
  }
  return head;
}

// --- Encoding PublishBatchRequest ------------------------------------------------------------
// The upstream batch is the sidecar's hottest encode: one pass sizes it, one writes it, and each
// payload is copied once (protobufjs' fromObject + encode walk every message twice and queue an
// operation per field). Anything it does not expect (a string payload, negative or fractional
// numbers) returns undefined, and the caller uses the generated serializer instead.

interface DurationLike {
  readonly seconds?: unknown;
  readonly nanos?: unknown;
}

type Text = string | null | undefined;

export interface MessageLike {
  readonly id?: Text;
  readonly payload?: Uint8Array | string | null | undefined;
  readonly headers?: Readonly<Record<string, string>> | null | undefined;
  readonly key?: Text;
  readonly dedupId?: Text;
  readonly priority?: unknown;
  readonly delay?: DurationLike | null | undefined;
  readonly ttl?: DurationLike | null | undefined;
  readonly replyTo?: Text;
  readonly correlationId?: Text;
  readonly publishTime?: DurationLike | null | undefined;
  readonly sequence?: unknown;
  readonly partition?: unknown;
}

export interface PublishRequestLike {
  readonly destination?: Text;
  readonly message?: MessageLike | null | undefined;
  readonly requestId?: Text;
}

class Unencodable extends Error {}

const varintSize = (n: number): number => {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
};

const uint = (value: unknown): number => {
  if (value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'string') {
    throw new Unencodable();
  }
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) throw new Unencodable();
  return n;
};

/** Sizes, then writes, in two passes over the same field walk. */
class Sizer {
  size = 0;
  tag(_tag: number): void {
    this.size += 1;
  }
  varint(n: number): void {
    this.size += varintSize(n);
  }
  string(s: string): void {
    const n = Buffer.byteLength(s);
    this.size += varintSize(n) + n;
  }
  bytes(b: Uint8Array): void {
    this.size += varintSize(b.length) + b.length;
  }
  /** Opens an embedded message of `length` bytes. */
  open(length: number): void {
    this.size += varintSize(length);
  }
}

class Writer {
  readonly buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  tag(tag: number): void {
    this.buf[this.pos++] = tag;
  }
  varint(n: number): void {
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  string(s: string): void {
    const n = Buffer.byteLength(s);
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  open(length: number): void {
    this.varint(length);
  }
}

type Out = Sizer | Writer;

function str(out: Out, tag: number, s: string | null | undefined): void {
  if (s === undefined || s === null || s === '') return;
  out.tag(tag);
  out.string(s);
}

function num(out: Out, tag: number, value: unknown): void {
  const n = uint(value);
  if (n === 0) return;
  out.tag(tag);
  out.varint(n);
}

function durationSize(d: DurationLike): number {
  const seconds = uint(d.seconds);
  const nanos = uint(d.nanos);
  return (seconds === 0 ? 0 : 1 + varintSize(seconds)) + (nanos === 0 ? 0 : 1 + varintSize(nanos));
}

function duration(out: Out, tag: number, d: DurationLike | null | undefined): void {
  if (d === undefined || d === null) return;
  out.tag(tag);
  out.open(durationSize(d));
  num(out, 0x08, d.seconds);
  num(out, 0x10, d.nanos);
}

function messageFields(out: Out, m: MessageLike): void {
  str(out, 0x0a, m.id);
  const payload = m.payload;
  if (typeof payload === 'string') throw new Unencodable();
  if (payload !== undefined && payload !== null && payload.length > 0) {
    out.tag(0x12);
    out.bytes(payload);
  }
  if (m.headers !== undefined && m.headers !== null) {
    for (const key in m.headers) {
      const value = m.headers[key] ?? '';
      const entry = new Sizer();
      str(entry, 0x0a, key);
      str(entry, 0x12, value);
      out.tag(0x1a);
      out.open(entry.size);
      str(out, 0x0a, key);
      str(out, 0x12, value);
    }
  }
  str(out, 0x22, m.key);
  str(out, 0x2a, m.dedupId);
  num(out, 0x30, m.priority);
  duration(out, 0x3a, m.delay);
  duration(out, 0x42, m.ttl);
  str(out, 0x4a, m.replyTo);
  str(out, 0x52, m.correlationId);
  duration(out, 0x5a, m.publishTime);
  num(out, 0x60, m.sequence);
  num(out, 0x68, m.partition);
}

function requestFields(out: Out, r: PublishRequestLike, messageSize: number): void {
  str(out, 0x0a, r.destination);
  if (r.message !== undefined && r.message !== null) {
    out.tag(0x12);
    out.open(messageSize);
    if (out instanceof Sizer) out.size += messageSize;
    else messageFields(out, r.message);
  }
  str(out, 0x1a, r.requestId);
}

/** PublishBatchRequest { repeated PublishRequest requests = 1 } as bytes, or undefined if unusual. */
export function encodePublishBatch(requests: readonly PublishRequestLike[]): Buffer | undefined {
  try {
    const sizes: number[] = [];
    let total = 0;
    for (const r of requests) {
      const message = new Sizer();
      if (r.message !== undefined && r.message !== null) messageFields(message, r.message);
      const request = new Sizer();
      requestFields(request, r, message.size);
      sizes.push(message.size, request.size);
      total += 1 + varintSize(request.size) + request.size;
    }
    const out = new Writer(total);
    requests.forEach((r, i) => {
      out.tag(0x0a);
      out.open(sizes[2 * i + 1] as number);
      requestFields(out, r, sizes[2 * i] as number);
    });
    if (out.pos !== total) throw new Error(`encoded ${out.pos} bytes, sized ${total}`);
    return out.buf;
  } catch (error) {
    if (error instanceof Unencodable) return undefined;
    throw error;
  }
}
