import { describe, expect, it } from 'vitest';
import {
  batchSize,
  type CoalescerLimits,
  hasRoom,
  type Outcome,
  PublishCoalescer,
  shouldSend,
} from './publish-coalescer.ts';

const limits: CoalescerLimits = {
  batchRequestsMax: 4,
  pipelineRequestsMin: 4,
  queuedRequestsMax: 6,
  queuedBytesMax: 100,
  inFlightBatchesMax: 2,
  waitingMax: 2,
};

/** A send function the test completes by hand, recording each batch. */
function manualSend() {
  const batches: { requests: readonly string[]; finish: (outcomes?: readonly Outcome<string>[]) => void }[] = [];
  const send = (requests: readonly string[]) =>
    new Promise<readonly Outcome<string>[]>((resolve) => {
      batches.push({
        requests,
        finish: (outcomes) => resolve(outcomes ?? requests.map((r) => ({ ok: true, value: `ok:${r}` }))),
      });
    });
  return { batches, send };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescing decisions', () => {
  it('sends at once when idle, waits while a batch is in flight unless a full batch is ready', () => {
    expect(shouldSend({ queuedRequests: 1, queuedBytes: 1, inFlightBatches: 0 }, limits)).toBe(true);
    expect(shouldSend({ queuedRequests: 3, queuedBytes: 1, inFlightBatches: 1 }, limits)).toBe(false);
    expect(shouldSend({ queuedRequests: 4, queuedBytes: 1, inFlightBatches: 1 }, limits)).toBe(true);
    expect(shouldSend({ queuedRequests: 4, queuedBytes: 1, inFlightBatches: 2 }, limits)).toBe(false);
    expect(shouldSend({ queuedRequests: 0, queuedBytes: 0, inFlightBatches: 0 }, limits)).toBe(false);
    // A smaller batch pipelines once enough wait, within the in-flight limit.
    const pipelining = { ...limits, pipelineRequestsMin: 2 };
    expect(shouldSend({ queuedRequests: 1, queuedBytes: 1, inFlightBatches: 1 }, pipelining)).toBe(false);
    expect(shouldSend({ queuedRequests: 2, queuedBytes: 1, inFlightBatches: 1 }, pipelining)).toBe(true);
    expect(shouldSend({ queuedRequests: 2, queuedBytes: 1, inFlightBatches: 2 }, pipelining)).toBe(false);
  });

  it('bounds the queue by requests and bytes, but never refuses a lone request', () => {
    expect(hasRoom({ queuedRequests: 0, queuedBytes: 0, inFlightBatches: 2 }, 1_000, limits)).toBe(true);
    expect(hasRoom({ queuedRequests: 5, queuedBytes: 10, inFlightBatches: 0 }, 10, limits)).toBe(true);
    expect(hasRoom({ queuedRequests: 6, queuedBytes: 10, inFlightBatches: 0 }, 10, limits)).toBe(false);
    expect(hasRoom({ queuedRequests: 1, queuedBytes: 95, inFlightBatches: 0 }, 10, limits)).toBe(false);
    expect(batchSize([10, 10, 10, 10, 10], limits)).toBe(4);
    expect(batchSize([60, 30, 20], limits)).toBe(2);
    expect(batchSize([500, 1], limits)).toBe(1);
  });
});

describe('PublishCoalescer', () => {
  it('forms batches under concurrency and answers each request in order', async () => {
    const { batches, send } = manualSend();
    const c = new PublishCoalescer(send, limits);
    const answers = ['a', 'b', 'c', 'd'].map((r) => c.submit(r, 1));
    await flush();
    // 'a' left alone at once; b, c, d wait for it.
    expect(batches.map((b) => b.requests)).toEqual([['a']]);
    batches[0]?.finish();
    await flush();
    expect(batches.map((b) => b.requests)).toEqual([['a'], ['b', 'c', 'd']]);
    batches[1]?.finish();
    expect(await Promise.all(answers)).toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d']);
    expect(c.busy).toBe(false);
  });

  it('sends a full batch while another is in flight, up to the in-flight limit', async () => {
    const { batches, send } = manualSend();
    const c = new PublishCoalescer(send, { ...limits, queuedRequestsMax: 20, waitingMax: 20 });
    const answers = Array.from({ length: 13 }, (_, i) => c.submit(`m${i}`, 1));
    await flush();
    expect(batches.map((b) => b.requests.length)).toEqual([1, 4]);
    for (const b of [...batches]) b.finish();
    await flush();
    expect(batches.map((b) => b.requests.length)).toEqual([1, 4, 4, 4]);
    for (const b of batches.slice(2)) b.finish();
    await Promise.all(answers);
    expect(batches.flatMap((b) => b.requests)).toEqual(Array.from({ length: 13 }, (_, i) => `m${i}`));
  });

  it('maps errors to the request they belong to', async () => {
    const { batches, send } = manualSend();
    const c = new PublishCoalescer(send, limits);
    const first = c.submit('first', 1);
    const rest = ['x', 'bad', 'y'].map((r) =>
      c.submit(r, 1).then(
        (v) => v,
        (e: Error) => `error:${e.message}`,
      ),
    );
    await flush();
    batches[0]?.finish();
    await flush();
    batches[1]?.finish([
      { ok: true, value: 'ok:x' },
      { ok: false, error: new Error('too large') },
      { ok: true, value: 'ok:y' },
    ]);
    expect(await first).toBe('ok:first');
    expect(await Promise.all(rest)).toEqual(['ok:x', 'error:too large', 'ok:y']);
  });

  it('fails the whole batch when send throws', async () => {
    const c = new PublishCoalescer<string, string>(() => Promise.reject(new Error('broker gone')), limits);
    await expect(c.submit('a', 1)).rejects.toThrow('broker gone');
  });

  it('applies back-pressure: publishers wait for room, then are refused', async () => {
    const { batches, send } = manualSend();
    const c = new PublishCoalescer(send, { ...limits, inFlightBatchesMax: 1 });
    const settled: string[] = [];
    const track = (p: Promise<string>) =>
      p.then(
        (v) => settled.push(v),
        (e: Error) => settled.push(e.message),
      );
    // 1 in flight, 6 queued (the limit), 2 waiting, the 10th refused.
    const all = Array.from({ length: 10 }, (_, i) => track(c.submit(`m${i}`, 1)));
    await flush();
    expect(c.state).toEqual({ queuedRequests: 6, queuedBytes: 6, inFlightBatches: 1 });
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatch(/queue is full/);
    // The in-flight batch returns: a batch of 4 leaves and the 2 waiting join the queue.
    batches[0]?.finish();
    await flush();
    expect(c.state).toEqual({ queuedRequests: 4, queuedBytes: 4, inFlightBatches: 1 });
    for (let i = 1; i < 4; i++) {
      batches[i]?.finish();
      await flush();
    }
    await Promise.all(all);
    expect(settled).toHaveLength(10);
    expect(c.busy).toBe(false);
  });

  it('withdraws a cancelled request that has not left, and tells whenIdle', async () => {
    const { batches, send } = manualSend();
    const c = new PublishCoalescer(send, limits);
    let withdraw = (): void => {};
    const first = c.submit('a', 1);
    const cancelled = c.submit('b', 1, (w) => {
      withdraw = w;
    });
    const kept = c.submit('c', 1);
    withdraw();
    await expect(cancelled).rejects.toThrow(/cancelled/);
    const idle = c.whenIdle();
    batches[0]?.finish();
    await flush();
    expect(batches[1]?.requests).toEqual(['c']);
    batches[1]?.finish();
    await Promise.all([first, kept, idle]);
  });
});
