// What a Raft snapshot of a replica carries: the membership, the engine's state, and where the
// log tail that live messages still refer to starts. Message bodies live in the log, not in the
// engine. A replica's own snapshot leaves that tail in its log (compaction keeps it), so taking
// one costs the engine's state and no more, however many messages wait. A snapshot sent to a
// follower, which never received those entries, carries the tail [tailStart, index]: the
// follower writes it into its own log below the snapshot index (where Raft never looks), so
// readMessages() works the same on every replica.
//
// Layout, little-endian: [magic u32][tail start f64][conf json bytes u32][conf json]
// [engine bytes u32][engine][tail count u32] then per entry [index f64][term f64][type u8]
// [data bytes u32][data]. The first format ("RSP1") had no tail start and always carried its tail.
import { assert } from '../../common/assert.ts';
import { CorruptLogError } from '../../common/errors.ts';
import type { ConfState } from '../raft/messages.ts';
import type { LogEntry } from '../storage/log-entry.ts';

const MAGIC_V1 = 0x31505352; // "RSP1"
const MAGIC = 0x32505352; // "RSP2"
const ENTRY_HEADER_BYTES = 8 + 8 + 1 + 4;

export interface SnapshotPayload {
  readonly conf: ConfState;
  readonly engine: Uint8Array;
  /**
   * The smallest log index a live message refers to (above the snapshot index when none does):
   * entries [tailStart, index] must be in the log of whoever restores this snapshot.
   */
  readonly tailStart: number;
  /** Empty (the tail is in the log), or exactly the entries [tailStart, index]. */
  readonly tail: readonly LogEntry[];
}

/** Whether the snapshot at `index` brings its own tail (none needed, or all of it carried). */
export function carriesTail(payload: SnapshotPayload, index: number): boolean {
  return payload.tailStart > index || payload.tail.length > 0;
}

export function encodeSnapshotPayload(payload: SnapshotPayload): Uint8Array {
  const conf = Buffer.from(JSON.stringify(payload.conf), 'utf8');
  let bytes = 4 + 8 + 4 + conf.length + 4 + payload.engine.length + 4;
  for (const entry of payload.tail) bytes += ENTRY_HEADER_BYTES + entry.data.length;
  const out = Buffer.allocUnsafe(bytes);
  let at = out.writeUInt32LE(MAGIC, 0);
  at = out.writeDoubleLE(payload.tailStart, at);
  at = out.writeUInt32LE(conf.length, at);
  at += conf.copy(out, at);
  at = out.writeUInt32LE(payload.engine.length, at);
  out.set(payload.engine, at);
  at += payload.engine.length;
  at = out.writeUInt32LE(payload.tail.length, at);
  assert(
    payload.tail.length === 0 || payload.tail[0]?.index === payload.tailStart,
    'a carried snapshot tail starts at tailStart',
  );
  let previous: number | undefined;
  for (const entry of payload.tail) {
    assert(previous === undefined || entry.index === previous + 1, 'snapshot tail must be consecutive');
    previous = entry.index;
    at = out.writeDoubleLE(entry.index, at);
    at = out.writeDoubleLE(entry.term, at);
    at = out.writeUInt8(entry.type, at);
    at = out.writeUInt32LE(entry.data.length, at);
    out.set(entry.data, at);
    at += entry.data.length;
  }
  assert(at === bytes, 'snapshot payload size');
  return out;
}

export function decodeSnapshotPayload(bytes: Uint8Array, source: string): SnapshotPayload {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (detail: string): CorruptLogError => new CorruptLogError(source, 0, detail);
  const need = (at: number, n: number): void => {
    if (at + n > buf.length) throw corrupt(`snapshot payload ends at ${buf.length}, needed ${at + n}`);
  };
  need(0, 8);
  const magic = buf.readUInt32LE(0);
  if (magic !== MAGIC && magic !== MAGIC_V1) throw corrupt('bad snapshot payload magic');
  let at = 4;
  let tailStart: number | undefined;
  if (magic === MAGIC) {
    need(at, 12);
    tailStart = buf.readDoubleLE(at);
    at += 8;
    if (!Number.isFinite(tailStart) || tailStart < 1) throw corrupt(`bad snapshot tail start ${tailStart}`);
  }
  const confBytes = buf.readUInt32LE(at);
  at += 4;
  need(at, confBytes + 4);
  const conf = JSON.parse(buf.toString('utf8', at, at + confBytes)) as ConfState;
  at += confBytes;
  const engineBytes = buf.readUInt32LE(at);
  at += 4;
  need(at, engineBytes + 4);
  const engine = buf.subarray(at, at + engineBytes);
  at += engineBytes;
  const count = buf.readUInt32LE(at);
  at += 4;
  const tail: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    need(at, ENTRY_HEADER_BYTES);
    const index = buf.readDoubleLE(at);
    const term = buf.readDoubleLE(at + 8);
    const type = buf.readUInt8(at + 16);
    const dataBytes = buf.readUInt32LE(at + 17);
    at += ENTRY_HEADER_BYTES;
    need(at, dataBytes);
    tail.push({ index, term, type, data: buf.subarray(at, at + dataBytes) });
    at += dataBytes;
  }
  if (at !== buf.length) throw corrupt('trailing bytes after the snapshot payload');
  // The first format always carried its whole tail; none at all means no live message.
  const start = tailStart ?? tail[0]?.index ?? Number.MAX_SAFE_INTEGER;
  if (tail.length > 0 && tail[0]?.index !== start) throw corrupt('the snapshot tail does not start at its tail start');
  return { conf, engine, tailStart: start, tail };
}
