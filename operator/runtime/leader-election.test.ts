import { describe, expect, it } from 'vitest';
import { KubeApiError } from './kube-client.ts';
import { LeaderElector, type Lease, type LeaseApi } from './leader-election.ts';
import { ManualTimers } from './timers.ts';

/** One Lease in memory with the API server's optimistic concurrency (resourceVersion). */
class FakeLeaseStore {
  lease: Lease | undefined;
  #version = 0;
  failing = false;

  api(): LeaseApi {
    const check = () => {
      if (this.failing) throw new Error('connection refused');
    };
    return {
      get: async () => {
        check();
        return this.lease === undefined ? undefined : structuredClone(this.lease);
      },
      create: async (lease) => {
        check();
        if (this.lease !== undefined) throw new KubeApiError('POST', 'lease', 409, 'AlreadyExists', '');
        this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.#version) } };
        return structuredClone(this.lease);
      },
      replace: async (lease) => {
        check();
        if (lease.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
          throw new KubeApiError('PUT', 'lease', 409, 'Conflict', 'the object has been modified');
        }
        this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.#version) } };
        return structuredClone(this.lease);
      },
    };
  }
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function elector(store: FakeLeaseStore, identity: string, timers: ManualTimers, errors: unknown[] = []): LeaderElector {
  return new LeaderElector({
    api: store.api(),
    name: 'wharf-operator',
    namespace: 'wharf-system',
    identity,
    timers,
    ...timing,
    onError: (error) => errors.push(error),
  });
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** Advances time in steps, letting promise callbacks run between them. */
async function advance(timers: ManualTimers, ms: number, stepMs = 500): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    timers.advance(Math.min(stepMs, ms - t));
    await settle();
  }
}

describe('LeaderElector', () => {
  it('creates the Lease with MicroTime times and renews it', async () => {
    const store = new FakeLeaseStore();
    const timers = new ManualTimers();
    const a = elector(store, 'a', timers);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    const spec = store.lease?.spec;
    expect(spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    timers.advance(2_000);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec?.acquireTime).toBe(spec?.acquireTime);
    expect(store.lease?.spec?.renewTime).not.toBe(spec?.renewTime);
  });

  it('lets another candidate take over only after the holder stopped renewing for a lease duration', async () => {
    const store = new FakeLeaseStore();
    const timers = new ManualTimers();
    const a = elector(store, 'a', timers);
    const b = elector(store, 'b', timers);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    for (let i = 0; i < 10; i++) {
      timers.advance(2_000);
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false); // each renewal restarts b's count
    }
    timers.advance(14_999);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    timers.advance(1);
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(await a.tryAcquireOrRenew()).toBe(false);
  });

  it('hands over at once when the holder releases', async () => {
    const store = new FakeLeaseStore();
    const timers = new ManualTimers();
    const a = elector(store, 'a', timers);
    const b = elector(store, 'b', timers);
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    await a.release();
    expect(await b.tryAcquireOrRenew()).toBe(true);
  });

  it('never lets two candidates win the same record (resourceVersion conflict)', async () => {
    const store = new FakeLeaseStore();
    const timers = new ManualTimers();
    const errors: unknown[] = [];
    await elector(store, 'old', timers).tryAcquireOrRenew();
    const a = elector(store, 'a', timers, errors);
    const b = elector(store, 'b', timers, errors);
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();
    timers.advance(15_000);
    const results = await Promise.allSettled([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    const winners = results.filter((r) => r.status === 'fulfilled' && r.value === true);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('run(): leads, steps down when renewals fail past the renew deadline, and reports the loss', async () => {
    const store = new FakeLeaseStore();
    const timers = new ManualTimers();
    const errors: unknown[] = [];
    const a = elector(store, 'a', timers, errors);
    let leading = false;
    let abortedAtMs = -1;
    const stop = new AbortController();
    const done = a.run(stop.signal, async (lost) => {
      leading = true;
      await new Promise<void>((resolve) => lost.addEventListener('abort', () => resolve(), { once: true }));
      abortedAtMs = timers.nowMs();
      leading = false;
    });
    await settle();
    expect(leading).toBe(true);
    await advance(timers, 20_000);
    expect(leading).toBe(true); // renewals succeed
    store.failing = true;
    const failedAtMs = timers.nowMs();
    await advance(timers, 12_000);
    expect(leading).toBe(false);
    expect(abortedAtMs - failedAtMs).toBeGreaterThanOrEqual(10_000);
    expect(abortedAtMs - failedAtMs).toBeLessThanOrEqual(12_000);
    expect(await done).toEqual({ lost: true });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('run(): waits while another holds the Lease, and releases it when stopped', async () => {
    const store = new FakeLeaseStore();
    const timers = new ManualTimers();
    await elector(store, 'other', timers).tryAcquireOrRenew();
    const a = elector(store, 'a', timers);
    let leading = false;
    const stop = new AbortController();
    const done = a.run(stop.signal, async (lost) => {
      leading = true;
      await new Promise<void>((resolve) => lost.addEventListener('abort', () => resolve(), { once: true }));
    });
    await advance(timers, 10_000);
    expect(leading).toBe(false);
    await advance(timers, 8_000); // "other" never renewed: expired on a's clock
    expect(leading).toBe(true);
    stop.abort();
    expect(await done).toEqual({ lost: false });
    expect(store.lease?.spec?.holderIdentity).toBe('');
  });
});
