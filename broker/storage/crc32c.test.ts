import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/random.ts';
import { crc32c } from './crc32c.ts';

/** Bit-at-a-time reference implementation. */
function crc32cSlow(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('matches the published check values (RFC 3720 B.4)', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bitwise reference at every length and alignment', () => {
    const random = seededRandom(7);
    const backing = Uint8Array.from({ length: 300 }, () => random.int(256));
    for (let start = 0; start < 9; start++) {
      for (let length = 0; length < 200; length += 1 + (length >> 4)) {
        const view = backing.subarray(start, start + length);
        expect(crc32c(view)).toBe(crc32cSlow(view));
      }
    }
  });

  it('chains: crc of a then b equals crc of a followed by b', () => {
    const random = seededRandom(11);
    const data = Uint8Array.from({ length: 1000 }, () => random.int(256));
    for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(crc32c(data));
    }
  });
});
