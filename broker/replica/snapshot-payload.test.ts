import { describe, expect, it } from 'vitest';
import type { ConfState } from '../raft/messages.ts';
import { carriesTail, decodeSnapshotPayload, encodeSnapshotPayload } from './snapshot-payload.ts';

const conf: ConfState = { voters: ['a', 'b', 'c'], learners: [] };
const entry = (index: number) => ({ index, term: 2, type: 0, data: new Uint8Array([index]) });

/** The first format: no tail start, the tail always carried. */
function encodeV1(tail: readonly ReturnType<typeof entry>[]): Uint8Array {
  const confBytes = Buffer.from(JSON.stringify(conf));
  const parts = [Buffer.alloc(8)];
  parts[0]?.writeUInt32LE(0x31505352, 0);
  parts[0]?.writeUInt32LE(confBytes.length, 4);
  parts.push(confBytes, Buffer.from([3, 0, 0, 0, 7, 8, 9]), Buffer.from([tail.length, 0, 0, 0]));
  for (const e of tail) {
    const header = Buffer.alloc(21);
    header.writeDoubleLE(e.index, 0);
    header.writeDoubleLE(e.term, 8);
    header.writeUInt8(e.type, 16);
    header.writeUInt32LE(e.data.length, 17);
    parts.push(header, Buffer.from(e.data));
  }
  return Buffer.concat(parts);
}

describe('snapshot payload', () => {
  it("leaves the tail in the log for a replica's own snapshot, and carries it for a follower", () => {
    const own = decodeSnapshotPayload(
      encodeSnapshotPayload({ conf, engine: new Uint8Array([1]), tailStart: 5, tail: [] }),
      'test',
    );
    expect(own.tailStart).toBe(5);
    expect(carriesTail(own, 6)).toBe(false);
    const sent = decodeSnapshotPayload(encodeSnapshotPayload({ ...own, tail: [entry(5), entry(6)] }), 'test');
    expect(carriesTail(sent, 6)).toBe(true);
    expect(sent.tail.map((e) => e.index)).toEqual([5, 6]);
    // No live message: nothing to carry.
    expect(carriesTail({ ...own, tailStart: 7 }, 6)).toBe(true);
  });

  it('reads the first format, whose tail was always carried', () => {
    const withTail = decodeSnapshotPayload(encodeV1([entry(4), entry(5)]), 'v1');
    expect(withTail.tailStart).toBe(4);
    expect(carriesTail(withTail, 5)).toBe(true);
    expect([...withTail.engine]).toEqual([7, 8, 9]);
    const none = decodeSnapshotPayload(encodeV1([]), 'v1');
    expect(carriesTail(none, 5)).toBe(true);
  });

  it('refuses a carried tail that does not start at the tail start', () => {
    const bytes = Buffer.from(
      encodeSnapshotPayload({ conf, engine: new Uint8Array(), tailStart: 5, tail: [entry(5)] }),
    );
    bytes.writeDoubleLE(4, 4);
    expect(() => decodeSnapshotPayload(bytes, 'test')).toThrow('does not start at its tail start');
  });
});
