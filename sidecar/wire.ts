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

/** What a process span needs of a delivery's message, read when tracing is on. */
export interface DeliveryTraceFacts {
  messageId: string;
  attempt: number;
  payloadBytes: number;
  /** The message's traceparent / tracestate headers, if it has them. */
  headers: Record<string, string>;
}

/** What the sidecar reads of a Delivery it passes on. */
export interface DeliveryHead {
  receipt: string;
  destination: string;
  subscription: string;
  /** Epoch ms; 0 when the delivery has no lease expiry. */
  leaseExpiresMs: number;
  /** Only when asked for (tracing). */
  trace: DeliveryTraceFacts | undefined;
}

/** A ConsumeResponse frame: `delivery`, `settled`, or neither (an empty or unknown frame). */
export type ConsumeResponseHead =
  | { readonly kind: 'delivery'; readonly delivery: DeliveryHead }
  | { readonly kind: 'settled'; readonly receipt: string; readonly outcome: number }
  | { readonly kind: 'other' };

const TRACEPARENT_KEY = Buffer.from('traceparent');
const TRACESTATE_KEY = Buffer.from('tracestate');

/**
 * One `map<string, string>` entry (the reader at its LEN field): its key and value when the key
 * is traceparent or tracestate (compared as bytes, so other keys are never decoded).
 */
export function readTraceEntry(r: WireReader): ['traceparent' | 'tracestate', string] | undefined {
  const entry = r.sub();
  let keyStart = -1;
  let keyLength = 0;
  let value = '';
  while (!entry.done) {
    const tag = entry.tag();
    if (tag === 0x0a) {
      keyLength = entry.length();
      keyStart = entry.pos;
      entry.pos += keyLength;
    } else if (tag === 0x12) value = entry.string();
    else entry.skip(wireTypeOf(tag));
  }
  const { buf } = r;
  const is = (key: Buffer) =>
    keyLength === key.length && buf.compare(key, 0, key.length, keyStart, keyStart + keyLength) === 0;
  if (keyStart < 0) return undefined;
  if (is(TRACEPARENT_KEY)) return ['traceparent', value];
  if (is(TRACESTATE_KEY)) return ['tracestate', value];
  return undefined;
}

/** Message id, payload size and trace headers of the Message at the reader (a LEN field). */
function readMessageTrace(r: WireReader, attempt: number): DeliveryTraceFacts {
  const m = r.sub();
  const facts: DeliveryTraceFacts = { messageId: '', attempt, payloadBytes: 0, headers: {} };
  while (!m.done) {
    const tag = m.tag();
    if (tag === 0x0a) facts.messageId = m.string();
    else if (tag === 0x12) {
      facts.payloadBytes = m.length();
      m.pos += facts.payloadBytes;
    } else if (tag === 0x1a) {
      const entry = readTraceEntry(m);
      if (entry !== undefined) facts.headers[entry[0]] = entry[1];
    } else m.skip(wireTypeOf(tag));
  }
  return facts;
}

function readDelivery(r: WireReader, trace: boolean): DeliveryHead {
  const inner = r.sub();
  const head: DeliveryHead = { receipt: '', destination: '', subscription: '', leaseExpiresMs: 0, trace: undefined };
  let attempt = 0;
  while (!inner.done) {
    const tag = inner.tag();
    switch (tag) {
      case 0x0a: // message = 1
        if (trace) head.trace = readMessageTrace(inner, 0);
        else inner.skip(LEN);
        break;
      case 0x12: // receipt = 2
        head.receipt = inner.string();
        break;
      case 0x18: // attempt = 3
        attempt = inner.varint();
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
  if (trace) {
    head.trace ??= { messageId: '', attempt: 0, payloadBytes: 0, headers: {} };
    head.trace.attempt = attempt;
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

/**
 * The head of a ConsumeResponse (oneof frame: delivery = 1, settled = 2; the last one wins);
 * `trace` also reads what a process span needs of a delivery.
 */
export function readConsumeResponse(buf: Buffer, trace = false): ConsumeResponseHead {
  const r = new WireReader(buf);
  let head: ConsumeResponseHead = { kind: 'other' };
  while (!r.done) {
    const tag = r.tag();
    if (tag === 0x0a) head = { kind: 'delivery', delivery: readDelivery(r, trace) };
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
