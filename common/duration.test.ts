import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from './duration.ts';

describe('parseDurationMs', () => {
  it.each([
    ['0', 0],
    ['250ms', 250],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['168h', 604_800_000],
    [' 5m ', 300_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('refuses days, as Kubernetes does, and says what to write', () => {
    expect(() => parseDurationMs('7d', 'retention.maxAge')).toThrow(
      'retention.maxAge: "7d" uses days, which Go durations (and so Kubernetes) do not have; write hours (7d is 168h)',
    );
    expect(() => parseDurationMs('1h2d')).toThrow('(2d is 48h)');
  });

  it.each(['', '5', '5 m', '-1s', '1x', 'm'])('refuses %j naming the field', (text) => {
    expect(() => parseDurationMs(text, 'ackDeadline')).toThrow(/^ackDeadline: /);
  });

  it('reads back what formatDurationMs writes', () => {
    for (const ms of [0, 1, 999, 1000, 61_000, 3_600_000, 90_061_001]) {
      expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
    }
  });
});
