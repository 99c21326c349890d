import { describe, expect, it } from 'vitest';
import { ItemBackoff } from './rate-limiter.ts';
import { ManualTimers } from './timers.ts';
import { runWorkers, WorkQueue } from './work-queue.ts';

const backoff = { baseDelayMs: 10, maxDelayMs: 1_000, keysMax: 100 };

/** Lets queued promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('WorkQueue', () => {
  it('stores a key added while queued once', async () => {
    const queue = new WorkQueue({ timers: new ManualTimers() });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
  });

  it('holds a key added while processing until done, then queues it once', async () => {
    const queue = new WorkQueue({ timers: new ManualTimers() });
    queue.add('a');
    const key = await queue.get();
    expect(key).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(0); // not handed to a second worker while the first holds it
    queue.done('a');
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    expect(queue.length).toBe(0);
  });

  it('wakes a blocked get() on add and ends it on shutDown', async () => {
    const queue = new WorkQueue({ timers: new ManualTimers() });
    const first = queue.get();
    const second = queue.get();
    queue.add('x');
    expect(await first).toBe('x');
    queue.shutDown();
    expect(await second).toBeUndefined();
    expect(queue.add('y')).toBe(false);
  });

  it('delays addAfter keys; the earliest pending time wins', async () => {
    const timers = new ManualTimers();
    const queue = new WorkQueue({ timers });
    queue.addAfter('a', 100);
    queue.addAfter('a', 50);
    queue.addAfter('a', 200);
    expect(queue.waitingCount).toBe(1);
    timers.advance(49);
    expect(queue.length).toBe(0);
    timers.advance(1);
    expect(queue.length).toBe(1);
    timers.advance(500);
    expect(queue.length).toBe(1);
  });

  it('backs off per key exponentially on addRateLimited and resets on forget', () => {
    const timers = new ManualTimers();
    const queue = new WorkQueue({ timers, backoff });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = timers.nowMs();
      queue.addRateLimited('a');
      while (queue.length === 0) timers.advance(1);
      delays.push(timers.nowMs() - start);
      void queue.get();
      queue.done('a');
    }
    expect(delays).toEqual([10, 20, 40, 80]);
    expect(queue.retries('a')).toBe(4);
    queue.forget('a');
    expect(queue.retries('a')).toBe(0);
  });

  it('refuses keys beyond itemsMax and counts them', () => {
    const queue = new WorkQueue({ timers: new ManualTimers(), itemsMax: 2 });
    expect([queue.add('a'), queue.add('b'), queue.add('c'), queue.add('a')]).toEqual([true, true, false, true]);
    expect(queue.refusedCount).toBe(1);
  });
});

describe('ItemBackoff', () => {
  it('caps at maxDelayMs and keeps keys apart', () => {
    const limiter = new ItemBackoff(backoff);
    const a = Array.from({ length: 10 }, () => limiter.when('a'));
    expect(a).toEqual([10, 20, 40, 80, 160, 320, 640, 1_000, 1_000, 1_000]);
    expect(limiter.when('b')).toBe(10);
  });

  it('forgets the least recently failed key when full', () => {
    const limiter = new ItemBackoff({ ...backoff, keysMax: 2 });
    limiter.when('a');
    limiter.when('b');
    limiter.when('a');
    limiter.when('c');
    expect([limiter.retries('a'), limiter.retries('b'), limiter.retries('c')]).toEqual([2, 0, 1]);
  });
});

describe('runWorkers', () => {
  it('never runs one key twice at once, and runs the events that arrived meanwhile once', async () => {
    const timers = new ManualTimers();
    const queue = new WorkQueue({ timers, backoff });
    const running = new Set<string>();
    const calls: string[] = [];
    let overlaps = 0;
    const releases: Array<() => void> = [];
    const done = runWorkers(
      queue,
      4,
      async (key) => {
        if (running.has(key)) overlaps++;
        running.add(key);
        calls.push(key);
        await new Promise<void>((resolve) => releases.push(resolve));
        running.delete(key);
        return {};
      },
      () => {},
    );
    queue.add('a');
    await settle();
    for (let i = 0; i < 5; i++) queue.add('a');
    queue.add('b');
    await settle();
    expect(calls).toEqual(['a', 'b']);
    for (const release of releases.splice(0)) release();
    await settle();
    expect(calls).toEqual(['a', 'b', 'a']);
    for (const release of releases.splice(0)) release();
    await settle();
    queue.shutDown();
    await done;
    expect(overlaps).toBe(0);
  });

  it('requeues a failing key with backoff and forgets it on success; honours requeueAfterMs', async () => {
    const timers = new ManualTimers();
    const queue = new WorkQueue({ timers, backoff });
    const attempts: number[] = [];
    const errors: string[] = [];
    let failuresLeft = 3;
    const done = runWorkers(
      queue,
      1,
      async () => {
        attempts.push(timers.nowMs());
        if (failuresLeft-- > 0) throw new Error('boom');
        return { requeueAfterMs: 5_000 };
      },
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    queue.add('k');
    for (let i = 0; i < 200; i++) {
      await settle();
      timers.advance(1);
    }
    expect(attempts).toEqual([0, 10, 30, 70]); // gaps 10, 20, 40 ms
    expect(errors).toHaveLength(3);
    expect(queue.retries('k')).toBe(0);
    expect(queue.waitingCount).toBe(1); // the requested requeue
    timers.advance(5_000);
    await settle();
    expect(attempts).toHaveLength(5);
    queue.shutDown();
    await done;
  });
});
