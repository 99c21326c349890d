import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { WharfClient } from '../../client/client.ts';
import { serviceError } from '../../client/unary.ts';
import { silentLogger } from '../../common/logger.ts';
import { API_VERSION, type Queue, type WharfCluster } from '../../crds/types.ts';
import type { Queue as ProtoQueue } from '../../proto/gen/wharf/v1/Queue.ts';
import { DEFAULT_SETTINGS } from '../model/cluster-spec.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import { ManualTimers } from '../runtime/timers.ts';
import type { Brokers, Cache, ReconcileDeps } from './deps.ts';
import { FINALIZER, reconcileDestination } from './destination-reconciler.ts';
import type { EventRecorder } from './events.ts';

interface BrokerQueue {
  spec: ProtoQueue['spec'];
  depth: number;
  draining: boolean;
}

/** The Admin calls the reconciler makes, over an in-memory broker. */
class FakeBroker {
  readonly queues = new Map<string, BrokerQueue>();
  down = false;
  readonly calls: string[] = [];

  client(): WharfClient {
    const check = (what: string) => {
      this.calls.push(what);
      if (this.down) throw serviceError(grpc.status.UNAVAILABLE, 'connect ECONNREFUSED');
    };
    const view = (name: string) => {
      const q = this.queues.get(name);
      if (q === undefined) throw serviceError(grpc.status.NOT_FOUND, `no queue named ${name}`);
      return {
        name,
        spec: q.spec,
        status: { leader: 'wharf-0', depth: q.depth, inFlight: 0, consumers: 0, deadLettered: 0, bytes: 0 },
      };
    };
    return {
      getQueue: async (name: string) => {
        check(`get ${name}`);
        return view(name);
      },
      applyQueue: async (queue: ProtoQueue) => {
        check(`apply ${queue.name}`);
        const name = queue.name ?? '';
        this.queues.set(name, { spec: queue.spec, depth: this.queues.get(name)?.depth ?? 0, draining: false });
        return view(name);
      },
      deleteQueue: async (name: string) => {
        check(`delete ${name}`);
        const q = this.queues.get(name);
        if (q === undefined) throw serviceError(grpc.status.NOT_FOUND, `no queue named ${name}`);
        if (q.spec?.deletionPolicy === 'DELETION_POLICY_DRAIN' && q.depth > 0) q.draining = true;
        else this.queues.delete(name);
      },
    } as unknown as WharfClient;
  }
}

class FakeKube {
  readonly writes: { verb: string; path: string; body: unknown }[] = [];
  kube(): KubeClient {
    const record = (verb: string) => async (path: string, body: unknown) => {
      this.writes.push({ verb, path, body });
      return body;
    };
    return {
      get: async () => undefined,
      list: async () => ({ items: [], metadata: {} }),
      create: record('create'),
      replace: record('replace'),
      apply: record('apply'),
      mergePatch: record('mergePatch'),
      delete: async () => {},
      raw: async () => ({}),
    } as unknown as KubeClient;
  }
}

const cache = <T extends { metadata: { name?: string; namespace?: string } }>(items: T[]): Cache<T> => ({
  get: (name, namespace) => items.find((i) => i.metadata.name === name && i.metadata.namespace === namespace),
  list: () => items,
});

const cluster: WharfCluster = {
  apiVersion: API_VERSION,
  kind: 'WharfCluster',
  metadata: { name: 'wharf', namespace: 'messaging', uid: 'c1' },
  spec: {},
};

function queue(spec: Queue['spec'], meta: Partial<Queue['metadata']> = {}, status?: Queue['status']): Queue {
  return {
    apiVersion: API_VERSION,
    kind: 'Queue',
    metadata: { name: 'orders', namespace: 'shop', uid: 'q1', generation: 1, resourceVersion: '7', ...meta },
    spec: { clusterRef: { name: 'wharf', namespace: 'messaging' }, ...spec },
    ...(status === undefined ? {} : { status }),
  };
}

function setup(objects: { queues: Queue[]; clusters?: WharfCluster[] }) {
  const broker = new FakeBroker();
  const kube = new FakeKube();
  const events: string[] = [];
  const recorder: EventRecorder = {
    record: async (_target, type, reason) => {
      events.push(`${type} ${reason}`);
    },
  };
  const brokers = { admin: () => broker.client(), prepare: async () => {} } as unknown as Brokers;
  const deps: ReconcileDeps = {
    kube: kube.kube(),
    brokers,
    events: recorder,
    timers: new ManualTimers(),
    logger: silentLogger(),
    settings: DEFAULT_SETTINGS,
    clusters: cache(objects.clusters ?? [cluster]),
    queues: cache(objects.queues),
    topics: cache([]),
    refreshMs: 10_000,
    changingRequeueMs: 2_000,
  };
  const run = () => reconcileDestination(deps, 'Queue', { namespace: 'shop', name: 'orders' });
  return { broker, kube, events, run };
}

const withFinalizer = { finalizers: [FINALIZER] };
const deleting = { finalizers: [FINALIZER, 'other/keep'], deletionTimestamp: '2026-01-01T00:00:00Z' };
const statusWrites = (kube: FakeKube) => kube.writes.filter((w) => w.path.endsWith('/status'));
/** The status of the first status write. */
const firstStatus = (kube: FakeKube): Queue['status'] =>
  (statusWrites(kube)[0]?.body as { status?: Queue['status'] } | undefined)?.status;
const finalizerPatches = (kube: FakeKube) =>
  kube.writes
    .filter((w) => w.verb === 'mergePatch')
    .map((w) => (w.body as { metadata: { finalizers: string[] } }).metadata.finalizers);

describe('reconcileDestination', () => {
  it('adds its finalizer first (with the resourceVersion), touching no broker', async () => {
    const { broker, kube, run } = setup({ queues: [queue({})] });
    expect(await run()).toEqual({});
    expect(kube.writes).toEqual([
      {
        verb: 'mergePatch',
        path: '/apis/wharf.dev/v1alpha1/namespaces/shop/queues/orders',
        body: { metadata: { finalizers: [FINALIZER], resourceVersion: '7' } },
      },
    ]);
    expect(broker.calls).toEqual([]);
  });

  it('applies the spec, writes Ready status with the figures, and comes back to refresh', async () => {
    const { broker, kube, events, run } = setup({ queues: [queue({ maxDeliveries: 4 }, withFinalizer)] });
    expect(await run()).toEqual({ requeueAfterMs: 10_000 });
    expect(broker.calls).toEqual(['get shop/orders', 'apply shop/orders']);
    expect(broker.queues.get('shop/orders')?.spec?.maxDeliveries).toBe(4);
    expect(statusWrites(kube)[0]?.verb).toBe('apply');
    expect(firstStatus(kube)).toMatchObject({
      observedGeneration: 1,
      depth: 0,
      leader: 'wharf-0',
      conditions: [{ type: 'Ready', status: 'True', reason: 'Applied' }],
    });
    expect(events).toEqual(['Normal Created']);
  });

  it('only reads the broker, and writes nothing, when the applied generation is unchanged', async () => {
    const first = setup({ queues: [queue({}, withFinalizer)] });
    await first.run();
    const status = firstStatus(first.kube);
    const second = setup({ queues: [queue({}, withFinalizer, status)] });
    second.broker.queues.set('shop/orders', { spec: {}, depth: 0, draining: false });
    await second.run();
    expect(second.broker.calls).toEqual(['get shop/orders']);
    expect(second.kube.writes).toEqual([]);
  });

  it('reports an unreachable cluster as not Ready and retries sooner', async () => {
    const { broker, kube, run } = setup({ queues: [queue({}, withFinalizer)] });
    broker.down = true;
    expect(await run()).toEqual({ requeueAfterMs: 2_000 });
    const status = firstStatus(kube);
    expect(status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'ClusterUnavailable' });
  });

  it.each([
    { policy: 'Delete' as const, calls: ['delete shop/orders'], left: false, event: 'Normal Deleted' },
    { policy: 'Retain' as const, calls: [], left: true, event: 'Normal Retained' },
  ])('deletionPolicy $policy: broker calls $calls, then the finalizer goes', async ({ policy, calls, left, event }) => {
    const { broker, kube, events, run } = setup({ queues: [queue({ deletionPolicy: policy }, deleting)] });
    broker.queues.set('shop/orders', {
      spec: { deletionPolicy: `DELETION_POLICY_${policy.toUpperCase()}` as never },
      depth: 3,
      draining: false,
    });
    expect(await run()).toEqual({});
    expect(broker.calls).toEqual(calls);
    expect(broker.queues.has('shop/orders')).toBe(left);
    expect(finalizerPatches(kube)).toEqual([['other/keep']]);
    expect(events).toEqual([event]);
  });

  it('deletionPolicy Drain: keeps the finalizer while messages remain, releases it once empty', async () => {
    const { broker, kube, events, run } = setup({ queues: [queue({ deletionPolicy: 'Drain' }, deleting)] });
    broker.queues.set('shop/orders', { spec: { deletionPolicy: 'DELETION_POLICY_DRAIN' }, depth: 2, draining: false });
    expect(await run()).toEqual({ requeueAfterMs: 2_000 });
    expect(broker.queues.get('shop/orders')?.draining).toBe(true);
    expect(finalizerPatches(kube)).toEqual([]);
    const status = firstStatus(kube);
    expect(status?.conditions?.find((c) => c.type === 'Draining')).toMatchObject({
      status: 'True',
      message: '2 messages left; publishes are refused',
    });
    broker.queues.delete('shop/orders'); // the broker deleted it once it drained
    expect(await run()).toEqual({});
    expect(finalizerPatches(kube)).toEqual([['other/keep']]);
    expect(events).toEqual(['Normal Draining', 'Normal Drained']);
  });

  it('releases the finalizer with a Warning when the cluster is gone, calling no broker', async () => {
    const { broker, kube, events, run } = setup({ queues: [queue({}, deleting)], clusters: [] });
    expect(await run()).toEqual({});
    expect(broker.calls).toEqual([]);
    expect(finalizerPatches(kube)).toEqual([['other/keep']]);
    expect(events).toEqual(['Warning ClusterGone']);
  });
});
