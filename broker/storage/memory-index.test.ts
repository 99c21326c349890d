import { describe, expect, it } from 'vitest';
import { OffsetArray } from './offset-array.ts';
import { ReadCache } from './read-cache.ts';
import { TermRuns } from './term-runs.ts';
import { UnwrittenTail } from './unwritten-tail.ts';

describe('TermRuns', () => {
  it('answers terms, truncates and drops prefixes', () => {
    const runs = new TermRuns();
    const terms = [1, 1, 1, 2, 2, 5, 5, 5, 5, 6];
    for (const [i, term] of terms.entries()) runs.append(10 + i, term);
    expect(runs.runs).toBe(4);
    for (const [i, term] of terms.entries()) expect(runs.termAt(10 + i)).toBe(term);
    runs.truncateFrom(16);
    expect(runs.termAt(15)).toBe(5);
    runs.append(16, 7);
    expect(runs.termAt(16)).toBe(7);
    runs.dropBefore(14);
    expect(runs.termAt(14)).toBe(2);
    expect(runs.termAt(15)).toBe(5);
    expect(() => runs.termAt(13)).toThrow();
    runs.truncateFrom(14);
    expect(runs.runs).toBe(0);
    runs.append(14, 9);
    expect(runs.termAt(14)).toBe(9);
  });
});

describe('OffsetArray', () => {
  it('grows, truncates and trims', () => {
    const offsets = new OffsetArray();
    for (let i = 0; i < 10_000; i++) offsets.push(i * 3);
    expect(offsets.length).toBe(10_000);
    expect(offsets.at(9_999)).toBe(29_997);
    offsets.truncate(5);
    offsets.trim();
    expect(offsets.length).toBe(5);
    expect(() => offsets.at(5)).toThrow();
    offsets.push(1);
    expect(offsets.at(5)).toBe(1);
  });
});

describe('ReadCache', () => {
  const entry = (index: number, bytes: number) => ({ index, term: 1, type: 0, data: new Uint8Array(bytes) });

  it('evicts the least recently used entries past its byte bound', () => {
    const cache = new ReadCache(1000);
    cache.put(entry(1, 300));
    cache.put(entry(2, 300));
    expect(cache.get(1)?.index).toBe(1); // 1 is now more recent than 2
    cache.put(entry(3, 300));
    expect(cache.get(2)).toBeUndefined();
    expect(cache.get(1)?.index).toBe(1);
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    cache.put(entry(4, 5000)); // larger than the whole cache: not kept
    expect(cache.get(4)).toBeUndefined();
    cache.dropFrom(3);
    expect(cache.get(3)).toBeUndefined();
    cache.dropBefore(2);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});

describe('UnwrittenTail', () => {
  it('hands entries over to disk only while they are still the log', () => {
    const tail = new UnwrittenTail(1);
    const e = (index: number) => ({ index, term: 1, type: 0, data: new Uint8Array(0) });
    const s1 = tail.push(e(1));
    const s2 = tail.push(e(2));
    const s3 = tail.push(e(3));
    tail.truncateFrom(2);
    const s2b = tail.push(e(2));
    expect(tail.shiftIf(s1)).toBe(true);
    expect(tail.shiftIf(s2)).toBe(false);
    expect(tail.shiftIf(s3)).toBe(false);
    expect(tail.firstIndex).toBe(2);
    expect(tail.get(1)).toBeUndefined();
    expect(tail.get(2)).toBe(s2b.entry);
    tail.truncateFrom(1);
    expect(tail.length).toBe(0);
    expect(tail.firstIndex).toBe(1);
  });
});
