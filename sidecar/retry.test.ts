import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { BACKOFF_MS_MAX, backoffDelayMs, batchFailureIndex, isRetryablePublish, leaderHint } from './retry.ts';

describe('retry rules', () => {
  it('retries publishes only where the dedup id makes it safe and useful', () => {
    expect(isRetryablePublish(status.UNAVAILABLE)).toBe(true);
    expect(isRetryablePublish(status.CANCELLED)).toBe(true);
    for (const code of [status.INVALID_ARGUMENT, status.NOT_FOUND, status.RESOURCE_EXHAUSTED, status.INTERNAL]) {
      expect(isRetryablePublish(code)).toBe(false);
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelayMs(0, 0)).toBe(13);
    expect(backoffDelayMs(0, 1)).toBe(25);
    expect(backoffDelayMs(3, 0.5)).toBe(150);
    expect(backoffDelayMs(40, 1)).toBe(BACKOFF_MS_MAX);
  });

  it('finds the leader in a trailer or in the message', () => {
    expect(leaderHint('whatever', 'wharf-2.wharf:7400')).toBe('wharf-2.wharf:7400');
    expect(leaderHint('not the leader of shop/orders; leader is wharf-1 at 10.0.0.7:7400', undefined)).toBe(
      '10.0.0.7:7400',
    );
    expect(leaderHint('not the leader; leader: 127.0.0.1:7401', undefined)).toBe('127.0.0.1:7401');
    expect(leaderHint('no quorum', undefined)).toBe(undefined);
  });

  it('reads which request of a batch failed', () => {
    expect(batchFailureIndex('requests[3]: no such destination shop/x')).toEqual({
      index: 3,
      message: 'no such destination shop/x',
    });
    expect(
      batchFailureIndex('requests[1]: shop/q is full (1 of 2 messages were stored; retry with the same dedup_id)'),
    ).toEqual({ index: 1, message: 'shop/q is full' });
    expect(batchFailureIndex('no quorum')).toBe(undefined);
  });
});
