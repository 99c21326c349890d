// The compact binary form of Raft messages on the peer port: a batch is a run of frames, each
// `varint length | varint group | u8 type | fields`, numbers as unsigned LEB128 varints, strings
// and byte fields as `varint length | bytes`. Entries are `term, index, type, data` with the data
// copied in as raw bytes (no per-entry protobuf), and decoded as slices of the received buffer.
// The length prefix lets a reader skip a frame it cannot parse without losing the rest.
import type { ConfState, Entry, EntryType, MemberId, RaftMessage } from '../raft/messages.ts';

/** One Raft message and the group it belongs to (0 while there is one group). */
export interface GroupMessage {
  readonly group: number;
  readonly message: RaftMessage;
}

const TYPES = [
  'MsgApp',
  'MsgAppResp',
  'MsgVote',
  'MsgPreVote',
  'MsgVoteResp',
  'MsgPreVoteResp',
  'MsgHeartbeat',
  'MsgHeartbeatResp',
  'MsgSnap',
  'MsgTimeoutNow',
  'MsgReadIndex',
  'MsgReadIndexResp',
] as const satisfies readonly RaftMessage['type'][];
const TYPE_CODE = new Map<RaftMessage['type'], number>(TYPES.map((t, i) => [t, i]));

const ENTRY_TYPES: readonly EntryType[] = ['normal', 'confChange'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class CodecError extends Error {
  override name = 'CodecError';
}

/** Bytes of a frame's length prefix: a varint padded to this size, patched once the frame is written. */
const FRAME_LENGTH_BYTES = 5;

class Writer {
  // allocUnsafe: every byte handed out is written first; zero-filling batches of entries is waste.
  #buf: Uint8Array;
  #view: DataView;
  length = 0;

  constructor(initialBytes = 256) {
    this.#buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  }

  #reserve(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Leaves room for a frame length and returns where it goes. */
  beginFrame(): number {
    const at = this.length;
    this.#reserve(FRAME_LENGTH_BYTES);
    this.length += FRAME_LENGTH_BYTES;
    return at;
  }

  /** Writes the length of the frame begun at `at` as a varint padded to FRAME_LENGTH_BYTES. */
  endFrame(at: number): void {
    let v = this.length - at - FRAME_LENGTH_BYTES;
    if (v >= 2 ** (7 * FRAME_LENGTH_BYTES)) throw new CodecError(`frame of ${v} bytes is too large`);
    for (let i = 0; i < FRAME_LENGTH_BYTES - 1; i++) {
      this.#buf[at + i] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[at + FRAME_LENGTH_BYTES - 1] = v;
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#view.setUint8(this.length++, value);
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new CodecError(`not an unsigned safe integer: ${value}`);
    this.#reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.length++] = v;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.#reserve(value.length);
    this.#buf.set(value, this.length);
    this.length += value.length;
  }

  string(value: string): void {
    this.bytes(encoder.encode(value));
  }

  truncate(start: number): void {
    this.length = start;
  }

  /** The bytes written, as a plain Uint8Array view (not a Buffer) over the same memory. */
  finish(): Uint8Array {
    return new Uint8Array(this.#buf.buffer, this.#buf.byteOffset, this.length);
  }
}

class Reader {
  readonly #buf: Uint8Array;
  pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start: number, end: number) {
    this.#buf = buf;
    this.pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.pos >= this.#end;
  }

  u8(): number {
    if (this.pos >= this.#end) throw new CodecError('truncated frame');
    return this.#buf[this.pos++] as number;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) throw new CodecError('varint out of range');
        return value;
      }
      scale *= 0x80;
    }
    throw new CodecError('varint too long');
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.#end) throw new CodecError('truncated bytes');
    const out = this.#buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return decoder.decode(this.bytes());
  }

  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new CodecError(`bad boolean ${b}`);
    return b === 1;
  }
}

function writeMembers(w: Writer, members: readonly MemberId[]): void {
  w.varint(members.length);
  for (const m of members) w.string(m);
}

function readMembers(r: Reader): MemberId[] {
  const n = r.varint();
  const out: MemberId[] = [];
  for (let i = 0; i < n; i++) out.push(r.string());
  return out;
}

function writeContext(w: Writer, context: Uint8Array | undefined): void {
  if (context === undefined) {
    w.u8(0);
    return;
  }
  w.u8(1);
  w.bytes(context);
}

function readContext(r: Reader): Uint8Array | undefined {
  return r.bool() ? r.bytes() : undefined;
}

function writeEntries(w: Writer, entries: readonly Entry[]): void {
  w.varint(entries.length);
  for (const e of entries) {
    w.varint(e.term);
    w.varint(e.index);
    w.u8(ENTRY_TYPES.indexOf(e.type));
    w.bytes(e.data);
  }
}

function readEntries(r: Reader): Entry[] {
  const n = r.varint();
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const term = r.varint();
    const index = r.varint();
    const type = ENTRY_TYPES[r.u8()];
    if (type === undefined) throw new CodecError('bad entry type');
    out.push({ term, index, type, data: r.bytes() });
  }
  return out;
}

function writeMessage(w: Writer, m: RaftMessage): void {
  w.u8(TYPE_CODE.get(m.type) as number);
  w.string(m.from);
  w.string(m.to);
  w.varint(m.term);
  switch (m.type) {
    case 'MsgApp':
      w.varint(m.logTerm);
      w.varint(m.index);
      w.varint(m.commit);
      writeEntries(w, m.entries);
      return;
    case 'MsgAppResp':
      w.varint(m.index);
      w.u8(m.reject ? 1 : 0);
      w.varint(m.rejectHint);
      w.varint(m.logTerm);
      return;
    case 'MsgVote':
    case 'MsgPreVote':
      w.varint(m.logTerm);
      w.varint(m.index);
      w.u8(m.transfer ? 1 : 0);
      return;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      w.u8(m.reject ? 1 : 0);
      return;
    case 'MsgHeartbeat':
      w.varint(m.commit);
      writeContext(w, m.context);
      return;
    case 'MsgHeartbeatResp':
      writeContext(w, m.context);
      return;
    case 'MsgSnap': {
      const meta = m.snapshot.meta;
      w.varint(meta.index);
      w.varint(meta.term);
      writeMembers(w, meta.conf.voters);
      writeMembers(w, meta.conf.learners);
      w.bytes(m.snapshot.data);
      return;
    }
    case 'MsgTimeoutNow':
      return;
    case 'MsgReadIndex':
      w.bytes(m.context);
      return;
    case 'MsgReadIndexResp':
      w.varint(m.index);
      w.bytes(m.context);
      return;
  }
}

function readMessage(r: Reader): RaftMessage {
  const type = TYPES[r.u8()];
  if (type === undefined) throw new CodecError('unknown message type');
  const from = r.string();
  const to = r.string();
  const term = r.varint();
  switch (type) {
    case 'MsgApp': {
      const logTerm = r.varint();
      const index = r.varint();
      const commit = r.varint();
      return { type, from, to, term, logTerm, index, commit, entries: readEntries(r) };
    }
    case 'MsgAppResp': {
      const index = r.varint();
      const reject = r.bool();
      const rejectHint = r.varint();
      return { type, from, to, term, index, reject, rejectHint, logTerm: r.varint() };
    }
    case 'MsgVote':
    case 'MsgPreVote': {
      const logTerm = r.varint();
      const index = r.varint();
      return { type, from, to, term, logTerm, index, transfer: r.bool() };
    }
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return { type, from, to, term, reject: r.bool() };
    case 'MsgHeartbeat': {
      const commit = r.varint();
      return { type, from, to, term, commit, context: readContext(r) };
    }
    case 'MsgHeartbeatResp':
      return { type, from, to, term, context: readContext(r) };
    case 'MsgSnap': {
      const index = r.varint();
      const snapTerm = r.varint();
      const conf: ConfState = { voters: readMembers(r), learners: readMembers(r) };
      return { type, from, to, term, snapshot: { meta: { index, term: snapTerm, conf }, data: r.bytes() } };
    }
    case 'MsgTimeoutNow':
      return { type, from, to, term };
    case 'MsgReadIndex':
      return { type, from, to, term, context: r.bytes() };
    case 'MsgReadIndexResp': {
      const index = r.varint();
      return { type, from, to, term, index, context: r.bytes() };
    }
  }
}

/** A batch of frames, one per message, in order. */
export function encodeBatch(messages: readonly GroupMessage[]): Uint8Array {
  let estimateBytes = 0;
  for (const { message } of messages) estimateBytes += approximateBytes(message) + FRAME_LENGTH_BYTES + 16;
  // Sized up front and written in place: each entry's data is copied once, into the batch.
  const w = new Writer(estimateBytes);
  for (const { group, message } of messages) {
    const at = w.beginFrame();
    w.varint(group);
    writeMessage(w, message);
    w.endFrame(at);
  }
  return w.finish();
}

/**
 * The messages of a batch. Entry data and contexts are views into `batch` (not copies): keep the
 * buffer alive as long as they are. A malformed frame throws CodecError.
 */
export function decodeBatch(batch: Uint8Array): GroupMessage[] {
  const out: GroupMessage[] = [];
  const outer = new Reader(batch, 0, batch.length);
  while (!outer.done) {
    const length = outer.varint();
    const start = outer.pos;
    if (start + length > batch.length) throw new CodecError('truncated batch');
    const r = new Reader(batch, start, start + length);
    const group = r.varint();
    const message = readMessage(r);
    if (!r.done) throw new CodecError(`${length - (r.pos - start)} stray bytes after a ${message.type}`);
    out.push({ group, message });
    outer.pos = start + length;
  }
  return out;
}

/** Bytes a message takes on the wire (close enough for queue limits, without encoding it). */
export function approximateBytes(message: RaftMessage): number {
  let n = 32 + message.from.length + message.to.length;
  if (message.type === 'MsgApp') for (const e of message.entries) n += e.data.length + 12;
  else if (message.type === 'MsgSnap') n += message.snapshot.data.length;
  return n;
}
