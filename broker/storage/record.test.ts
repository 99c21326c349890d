import { describe, expect, it } from 'vitest';
import type { LogEntry } from './log-entry.ts';
import { decodeRecord, encodeRecord, RECORD_HEADER_BYTES } from './record.ts';

const entry: LogEntry = { index: 2 ** 40 + 3, term: 2 ** 33 + 1, type: 200, data: Uint8Array.from([1, 2, 3, 4, 5]) };

describe('record codec', () => {
  it('round-trips an entry, including u64 fields above 2^32', () => {
    const bytes = encodeRecord(entry);
    expect(bytes.length).toBe(RECORD_HEADER_BYTES + 5);
    expect(bytes.readUInt32LE(0)).toBe(bytes.length - 8);
    const result = decodeRecord(bytes, 0);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.bytes).toBe(bytes.length);
    expect(result.entry).toEqual({ ...entry, data: Buffer.from(entry.data) });
  });

  it('round-trips an empty payload', () => {
    const result = decodeRecord(encodeRecord({ index: 1, term: 0, type: 0, data: new Uint8Array(0) }), 0);
    expect(result.ok && result.entry.data.length === 0).toBe(true);
  });

  it('decodes a record in the middle of a buffer', () => {
    const first = encodeRecord({ ...entry, index: 1 });
    const second = encodeRecord({ ...entry, index: 2 });
    const result = decodeRecord(Buffer.concat([first, second]), first.length);
    expect(result.ok && result.entry.index).toBe(2);
  });

  it('detects any flipped bit', () => {
    const bytes = encodeRecord(entry);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const damaged = Buffer.from(bytes);
      damaged[bit >> 3] = (damaged[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(decodeRecord(damaged, 0).ok).toBe(false);
    }
  });

  it('reports incomplete headers and lengths past the end as incomplete', () => {
    const bytes = encodeRecord(entry);
    const header = decodeRecord(bytes.subarray(0, 10), 0);
    expect(header).toMatchObject({ ok: false, incomplete: true });
    const body = decodeRecord(bytes.subarray(0, bytes.length - 1), 0);
    expect(body).toMatchObject({ ok: false, incomplete: true });
    expect(decodeRecord(Buffer.alloc(40), 0)).toMatchObject({ ok: false, incomplete: false });
  });
});
