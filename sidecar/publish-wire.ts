// Publishes as bytes: the sidecar reads the few fields of a PublishRequest it acts on (destination,
// the message's dedup_id, reply_to, payload size, trace headers) straight from the wire, and sends
// the request on with its changes appended instead of decoding and encoding the whole message.
// protobufjs, which the broker decodes with, keeps the last value of a repeated scalar field and
// of a map key, so a qualified destination, a dedup_id, a qualified reply_to and the trace
// headers written after the app's own fields replace them. An embedded message written twice is
// NOT merged by protobufjs (the last one replaces the first), so the message is re-framed with
// its new length: its bytes are copied once, into the upstream request. Responses are split into
// per-request slices without copying. Pure functions over Buffers.
import { fieldOf, readTraceEntry, WireReader, wireTypeOf } from './wire.ts';

const LEN = 2;
const VARINT = 0;

/** What the sidecar reads of one PublishRequest (the bytes from `start` to `end`). */
export interface PublishHead {
  /** The destination as written (the last one, as protobufjs reads it). */
  readonly destination: string;
  readonly requestId: string;
  /** Bounds of the message field's content (its last occurrence); start -1 when there is none. */
  readonly messageStart: number;
  readonly messageEnd: number;
  readonly hasDedupId: boolean;
  readonly replyTo: string;
  readonly correlationId: string;
  readonly payloadBytes: number;
  /** Trace headers, read only when asked for. */
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  /** A known field with an unexpected wire type: the caller decodes the request the slow way. */
  readonly unusual: boolean;
}

/** Reads one PublishRequest's head; `trace` also reads its traceparent/tracestate headers. */
export function readPublishRequest(buf: Buffer, start: number, end: number, trace: boolean): PublishHead {
  const r = new WireReader(buf, start, end);
  let destination = '';
  let requestId = '';
  let messageStart = -1;
  let messageEnd = -1;
  let unusual = false;
  while (!r.done) {
    const tag = r.tag();
    const field = fieldOf(tag);
    if (field >= 1 && field <= 3 && wireTypeOf(tag) !== LEN) {
      unusual = true;
      r.skip(wireTypeOf(tag));
    } else if (field === 1) destination = r.string();
    else if (field === 2) {
      const n = r.length();
      messageStart = r.pos;
      messageEnd = r.pos + n;
      r.pos += n;
    } else if (field === 3) requestId = r.string();
    else r.skip(wireTypeOf(tag));
  }
  let hasDedupId = false;
  let replyTo = '';
  let correlationId = '';
  let payloadBytes = 0;
  let traceparent: string | undefined;
  let tracestate: string | undefined;
  if (messageStart >= 0) {
    const m = new WireReader(buf, messageStart, messageEnd);
    while (!m.done) {
      const tag = m.tag();
      const field = fieldOf(tag);
      const wireType = wireTypeOf(tag);
      const expected = field === 6 || field === 12 || field === 13 ? VARINT : LEN;
      if (field >= 1 && field <= 13 && wireType !== expected) {
        unusual = true;
        m.skip(wireType);
        continue;
      }
      switch (field) {
        case 2:
          payloadBytes = m.length();
          m.pos += payloadBytes;
          break;
        case 3:
          if (trace) {
            const entry = readTraceEntry(m);
            if (entry?.[0] === 'traceparent') traceparent = entry[1];
            else if (entry?.[0] === 'tracestate') tracestate = entry[1];
          } else m.skip(LEN);
          break;
        case 5: {
          const n = m.length();
          hasDedupId = n > 0;
          m.pos += n;
          break;
        }
        case 9:
          replyTo = m.string();
          break;
        case 10:
          if (trace) correlationId = m.string();
          else m.skip(LEN);
          break;
        default:
          m.skip(wireType);
      }
    }
  }
  return {
    destination,
    requestId,
    messageStart,
    messageEnd,
    hasDedupId,
    replyTo,
    correlationId,
    payloadBytes,
    traceparent,
    tracestate,
    unusual,
  };
}

/** The LEN field content bounds of each `requests = 1` entry of a PublishBatchRequest. */
export function splitRepeated(buf: Buffer, field: number): { start: number; end: number }[] {
  const r = new WireReader(buf);
  const out: { start: number; end: number }[] = [];
  const wanted = field * 8 + LEN;
  while (!r.done) {
    const tag = r.tag();
    if (tag === wanted) {
      const n = r.length();
      out.push({ start: r.pos, end: r.pos + n });
      r.pos += n;
    } else if (fieldOf(tag) === field) {
      throw new Error(`field ${field} has wire type ${wireTypeOf(tag)}`);
    } else r.skip(wireTypeOf(tag));
  }
  return out;
}

// --- Writing ---------------------------------------------------------------------------------

export const varintSize = (n: number): number => {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
};

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Bytes of a LEN field of `tag` holding `length` bytes. */
const lenFieldSize = (length: number): number => 1 + varintSize(length) + length;

function writeString(buf: Buffer, pos: number, tag: number, s: string, bytes: number): number {
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, bytes);
  return pos + buf.write(s, pos, 'utf8');
}

/** What to append to the message, and the destination to write. */
export interface PublishChanges {
  readonly destination: string;
  /** Set when the message has none. */
  readonly dedupId: string | undefined;
  /** Set when the namespace was filled in. */
  readonly replyTo: string | undefined;
  /** traceparent (and tracestate) of the send span. */
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/**
 * A PublishRequest ready to be written into an upstream batch: bytes `start`..`end` of the app's
 * request as they are, or, with `changes`, the app's request fields other than destination and
 * message as they were, then the destination, then the message re-framed with the new fields
 * appended. Sized on construction; written straight into the batch buffer (one copy of the
 * payload between the app's request and the upstream one).
 */
export class PublishEncoding {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  readonly changes: PublishChanges | undefined;
  /** Bytes the encoded PublishRequest takes. */
  readonly size: number;
  readonly #kept: number[] = [];
  #messageStart = -1;
  #messageEnd = -1;
  #messageBytes = 0;
  #destinationBytes = 0;
  readonly #appended: [tag: number, value: string, bytes: number][] = [];
  readonly #entries: [key: string, keyBytes: number, value: string, valueBytes: number, size: number][] = [];

  constructor(buf: Buffer, start: number, end: number, changes?: PublishChanges) {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.changes = changes;
    if (changes === undefined) {
      this.size = end - start;
      return;
    }
    if (changes.dedupId !== undefined) {
      this.#appended.push([0x2a, changes.dedupId, Buffer.byteLength(changes.dedupId)]);
    }
    if (changes.replyTo !== undefined) {
      this.#appended.push([0x4a, changes.replyTo, Buffer.byteLength(changes.replyTo)]);
    }
    for (const key in changes.headers) {
      const value = changes.headers[key] ?? '';
      const keyBytes = Buffer.byteLength(key);
      const valueBytes = Buffer.byteLength(value);
      this.#entries.push([key, keyBytes, value, valueBytes, lenFieldSize(keyBytes) + lenFieldSize(valueBytes)]);
    }
    // The request's other fields, and the message's own content, are found in one pass.
    const r = new WireReader(buf, start, end);
    let keptBytes = 0;
    while (!r.done) {
      const fieldStart = r.pos;
      const tag = r.tag();
      const field = fieldOf(tag);
      if (field === 2 && wireTypeOf(tag) === LEN) {
        const n = r.length();
        this.#messageStart = r.pos;
        this.#messageEnd = r.pos + n;
        r.pos += n;
        continue;
      }
      r.skip(wireTypeOf(tag));
      if (field === 1) continue;
      this.#kept.push(fieldStart, r.pos);
      keptBytes += r.pos - fieldStart;
    }
    let messageBytes = this.#messageStart < 0 ? 0 : this.#messageEnd - this.#messageStart;
    for (const [, , bytes] of this.#appended) messageBytes += lenFieldSize(bytes);
    for (const [, , , , size] of this.#entries) messageBytes += lenFieldSize(size);
    this.#messageBytes = messageBytes;
    this.#destinationBytes = Buffer.byteLength(changes.destination);
    this.size = keptBytes + lenFieldSize(this.#destinationBytes) + lenFieldSize(messageBytes);
  }

  /** Writes the request at `pos` of `out`; returns the position after it. */
  writeTo(out: Buffer, pos: number): number {
    const { buf, changes } = this;
    const begin = pos;
    if (changes === undefined) return pos + buf.copy(out, pos, this.start, this.end);
    const kept = this.#kept;
    for (let i = 0; i < kept.length; i += 2) pos += buf.copy(out, pos, kept[i], kept[i + 1]);
    pos = writeString(out, pos, 0x0a, changes.destination, this.#destinationBytes);
    out[pos++] = 0x12;
    pos = writeVarint(out, pos, this.#messageBytes);
    if (this.#messageStart >= 0) pos += buf.copy(out, pos, this.#messageStart, this.#messageEnd);
    for (const [tag, value, bytes] of this.#appended) pos = writeString(out, pos, tag, value, bytes);
    for (const [key, keyBytes, value, valueBytes, size] of this.#entries) {
      out[pos++] = 0x1a;
      pos = writeVarint(out, pos, size);
      pos = writeString(out, pos, 0x0a, key, keyBytes);
      pos = writeString(out, pos, 0x12, value, valueBytes);
    }
    if (pos - begin !== this.size) throw new Error(`wrote ${pos - begin} bytes, sized ${this.size}`);
    return pos;
  }

  /** The request as a buffer of its own. */
  toBuffer(): Buffer {
    if (this.changes === undefined) return this.buf.subarray(this.start, this.end);
    const out = Buffer.allocUnsafe(this.size);
    this.writeTo(out, 0);
    return out;
  }
}

/** The PublishRequest with `changes` applied, as a buffer of its own (see PublishEncoding). */
export function rewritePublish(buf: Buffer, start: number, end: number, changes: PublishChanges): Buffer {
  return new PublishEncoding(buf, start, end, changes).toBuffer();
}

/** Something that writes one encoded message of known size. */
export interface Encoded {
  readonly size: number;
  writeTo(out: Buffer, pos: number): number;
}

/** `repeated <message> field = 1` of these messages (a PublishBatchRequest), in one buffer. */
export function frameEncoded(items: readonly Encoded[]): Buffer {
  let total = 0;
  for (const item of items) total += lenFieldSize(item.size);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const item of items) {
    out[pos++] = 0x0a;
    pos = writeVarint(out, pos, item.size);
    pos = item.writeTo(out, pos);
  }
  if (pos !== total) throw new Error(`framed ${pos} bytes, sized ${total}`);
  return out;
}

/** `repeated <message> field = 1` of these encoded messages: a PublishBatchRequest or -Response. */
export function frameRepeated(items: readonly Buffer[]): Buffer {
  let total = 0;
  for (const item of items) total += lenFieldSize(item.length);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const item of items) {
    out[pos++] = 0x0a;
    pos = writeVarint(out, pos, item.length);
    pos += item.copy(out, pos);
  }
  return out;
}

/** What the sidecar reads of a PublishResponse: message_id = 2, duplicate = 5. */
export function readPublishResponse(buf: Buffer): { messageId: string; duplicate: boolean } {
  const r = new WireReader(buf);
  let messageId = '';
  let duplicate = false;
  while (!r.done) {
    const tag = r.tag();
    if (tag === 0x12) messageId = r.string();
    else if (tag === 0x28) duplicate = r.varint() !== 0;
    else r.skip(wireTypeOf(tag));
  }
  return { messageId, duplicate };
}

/** Whether a PublishResponse says duplicate (field 5), without decoding its strings. */
export function isDuplicate(buf: Buffer): boolean {
  const r = new WireReader(buf);
  let duplicate = false;
  while (!r.done) {
    const tag = r.tag();
    if (tag === 0x28) duplicate = r.varint() !== 0;
    else r.skip(wireTypeOf(tag));
  }
  return duplicate;
}

/** The PublishResponse without its duplicate flag (the sidecar's own retry was the "original"). */
export function clearDuplicate(buf: Buffer): Buffer {
  const r = new WireReader(buf);
  const parts: Buffer[] = [];
  while (!r.done) {
    const from = r.pos;
    const tag = r.tag();
    r.skip(wireTypeOf(tag));
    if (tag !== 0x28) parts.push(buf.subarray(from, r.pos));
  }
  return Buffer.concat(parts);
}
