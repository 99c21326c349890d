import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { type CachedInformer, ResilientInformer } from './informer.ts';
import { ManualTimers } from './timers.ts';

type Verb = 'add' | 'update' | 'delete' | 'change' | 'connect' | 'error';

/** An informer that does what the test says: emit events, fail, or go silent. */
class FakeInformer {
  readonly handlers = new Map<Verb, Array<(arg: unknown) => void>>();
  starts = 0;
  stops = 0;
  on(verb: Verb, cb: (arg: unknown) => void): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  off(): void {}
  async start(): Promise<void> {
    this.starts++;
    this.emit('connect', undefined);
  }
  async stop(): Promise<void> {
    this.stops++;
  }
  emit(verb: Verb, arg: unknown): void {
    for (const cb of this.handlers.get(verb) ?? []) cb(arg);
  }
  get(): undefined {
    return undefined;
  }
  list(): KubernetesObject[] {
    return [];
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(staleAfterMs = 60_000) {
  const timers = new ManualTimers();
  const fake = new FakeInformer();
  const changes: string[] = [];
  const informer = new ResilientInformer<KubernetesObject>({
    path: '/apis/wharf.dev/v1alpha1/queues',
    list: async () => ({ items: [], metadata: {} }),
    timers,
    logger: silentLogger(),
    onChange: (type, object) => changes.push(`${type} ${object.metadata?.name}`),
    restartBaseMs: 100,
    restartMaxMs: 1_000,
    staleAfterMs,
    make: () => fake as unknown as CachedInformer<KubernetesObject>,
  });
  return { timers, fake, changes, informer };
}

describe('ResilientInformer', () => {
  it('passes changes through', async () => {
    const { fake, changes, informer } = setup();
    await informer.start();
    fake.emit('add', { metadata: { name: 'a' } });
    fake.emit('delete', { metadata: { name: 'a' } });
    expect(changes).toEqual(['add a', 'delete a']);
    await informer.stop();
  });

  it('restarts after an error with growing backoff, reset by a healthy event', async () => {
    const { timers, fake, informer } = setup();
    await informer.start();
    expect(fake.starts).toBe(1);
    fake.emit('error', new Error('500 Internal Server Error'));
    timers.advance(99);
    expect(fake.starts).toBe(1);
    timers.advance(1);
    await settle();
    expect(fake.starts).toBe(2);
    fake.emit('error', new Error('again'));
    timers.advance(199);
    expect(fake.starts).toBe(2);
    timers.advance(1);
    await settle();
    expect(fake.starts).toBe(3);
    fake.emit('update', { metadata: { name: 'a' } });
    fake.emit('error', new Error('later'));
    timers.advance(100);
    await settle();
    expect(fake.starts).toBe(4);
    expect(informer.restarts).toBe(3);
    await informer.stop();
  });

  it('restarts a watch that went silent', async () => {
    const { timers, fake, informer } = setup(60_000);
    await informer.start();
    for (let i = 0; i < 10; i++) {
      timers.advance(10_000);
      fake.emit('connect', undefined); // the watch reconnects: alive
    }
    expect(fake.starts).toBe(1);
    timers.advance(59_000);
    await settle();
    expect(fake.stops).toBe(0);
    timers.advance(16_000); // the next watchdog check after 60 s of silence
    await settle();
    timers.advance(0);
    await settle();
    expect(fake.stops).toBe(1);
    expect(fake.starts).toBe(2);
    await informer.stop();
  });

  it('does not restart once stopped', async () => {
    const { timers, fake, informer } = setup();
    await informer.start();
    await informer.stop();
    fake.emit('error', new Error('late'));
    timers.advance(10_000);
    await settle();
    expect(fake.starts).toBe(1);
  });
});
