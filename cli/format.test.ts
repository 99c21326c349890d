import { describe, expect, it } from 'vitest';
import { ageOf, formatAgeMs, isPrintableText, payloadText, plural } from './format.ts';

describe('formatAgeMs', () => {
  const cases: Array<[number, string]> = [
    [-5, '0s'],
    [0, '0s'],
    [999, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [200_000, '3m20s'],
    [17 * 60_000, '17m'],
    [179 * 60_000, '179m'],
    [3 * 3_600_000, '3h'],
    [5 * 3_600_000 + 10 * 60_000, '5h10m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h'],
    [2 * 86_400_000, '2d'],
    [12 * 86_400_000 + 5 * 3_600_000, '12d'],
  ];
  for (const [ms, text] of cases) it(`${ms}ms → ${text}`, () => expect(formatAgeMs(ms)).toBe(text));

  it('ageOf reads protobuf timestamps and prints - for unset ones', () => {
    expect(ageOf({ seconds: 100, nanos: 0 }, 160_000)).toBe('60s');
    expect(ageOf(null, 1)).toBe('-');
    expect(ageOf({ seconds: 0, nanos: 0 }, 1)).toBe('-');
  });
});

describe('payloads', () => {
  it('prints text as text and anything else as base64 with its size', () => {
    expect(payloadText(Buffer.from('héllo\tworld\n'))).toBe('héllo\tworld\n');
    expect(isPrintableText(Buffer.from([0xff, 0x00]))).toBe(false);
    expect(payloadText(Buffer.from([0xff, 0x00]))).toBe('<2 bytes, base64 /wA=>');
    expect(payloadText(Buffer.from('a\u0000b'))).toBe('<3 bytes, base64 YQBi>');
    expect(payloadText(Buffer.alloc(0))).toBe('');
  });

  it('plural', () => {
    expect(plural(1, 'message')).toBe('1 message');
    expect(plural(0, 'message')).toBe('0 messages');
  });
});
