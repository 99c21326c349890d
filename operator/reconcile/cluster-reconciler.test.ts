import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { WharfClient } from '../../client/client.ts';
import { serviceError } from '../../client/unary.ts';
import { silentLogger } from '../../common/logger.ts';
import { API_VERSION, type WharfCluster } from '../../crds/types.ts';
import type { Member__Output } from '../../proto/gen/wharf/v1/Member.ts';
import { DEFAULT_SETTINGS } from '../model/cluster-spec.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import { ManualTimers } from '../runtime/timers.ts';
import { reconcileCluster } from './cluster-reconciler.ts';
import type { Brokers, ReconcileDeps } from './deps.ts';

type Unary = (request: unknown, options: unknown, callback: (error: Error | null, value?: unknown) => void) => void;

function setup(options: {
  replicas: number;
  statefulSetReplicas?: number;
  members?: Member__Output[];
  ready?: string[];
}) {
  const writes: { path: string; body: Record<string, unknown> }[] = [];
  const calls: string[] = [];
  const events: string[] = [];
  const cluster: WharfCluster = {
    apiVersion: API_VERSION,
    kind: 'WharfCluster',
    metadata: { name: 'wharf', namespace: 'messaging', uid: 'c1', generation: 2 },
    spec: { replicas: options.replicas },
  };
  const kube = {
    get: async (path: string) =>
      path.endsWith('/statefulsets/wharf') && options.statefulSetReplicas !== undefined
        ? {
            spec: { replicas: options.statefulSetReplicas },
            status: { replicas: options.statefulSetReplicas, readyReplicas: options.statefulSetReplicas },
          }
        : path.endsWith('/configmaps/wharf-config') && options.members !== undefined
          ? { data: { 'initial-members': 'wharf-0,wharf-1,wharf-2' } }
          : undefined,
    apply: async (path: string, body: Record<string, unknown>) => {
      writes.push({ path, body });
      return body;
    },
  } as unknown as KubeClient;
  const answer =
    (what: string): Unary =>
    (request, _options, callback) => {
      calls.push(`${what} ${JSON.stringify(request)}`);
      callback(null, {});
    };
  const brokers: Brokers = {
    admin: () =>
      ({
        clusterStatus: async () => {
          if (options.members === undefined) throw serviceError(grpc.status.UNAVAILABLE, 'connect ECONNREFUSED');
          return { members: options.members };
        },
      }) as unknown as WharfClient,
    adminAddress: () => 'wharf.messaging.svc.cluster.local:7400',
    clientAt: (_key, address: string) => {
      calls.push(`at ${address}`);
      return {
        admin: {
          addMember: answer('addMember'),
          removeMember: answer('removeMember'),
          transferLeadership: answer('transferLeadership'),
        },
      } as unknown as WharfClient;
    },
    forget: () => {},
    prepare: async () => {},
    isOverridden: () => false,
    isReady: async (_key, ordinal) => (options.ready ?? []).includes(`wharf-${ordinal}`),
    member: (_key, ordinal) => ({
      id: `wharf-${ordinal}`,
      clientAddress: `w${ordinal}:7400`,
      memberAddress: `w${ordinal}:7400:7401`,
    }),
  };
  const deps: ReconcileDeps = {
    kube,
    brokers,
    events: { record: async (_t, type, reason, note) => void events.push(`${type} ${reason}: ${note}`) },
    timers: new ManualTimers(),
    logger: silentLogger(),
    settings: DEFAULT_SETTINGS,
    clusters: { get: () => cluster, list: () => [cluster] },
    queues: { get: () => undefined, list: () => [] },
    topics: { get: () => undefined, list: () => [] },
    refreshMs: 30_000,
    changingRequeueMs: 2_000,
  };
  return { writes, calls, events, run: () => reconcileCluster(deps, { namespace: 'messaging', name: 'wharf' }) };
}

const voters = (n: number, leader: number): Member__Output[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `wharf-${i}`,
    address: `w${i}:7400`,
    voter: true,
    leader: i === leader,
    healthy: true,
  }));

const stsReplicas = (writes: { path: string; body: Record<string, unknown> }[]) =>
  (writes.find((w) => w.path.endsWith('/statefulsets/wharf'))?.body.spec as { replicas?: number } | undefined)
    ?.replicas;
const statusOf = (writes: { path: string; body: Record<string, unknown> }[]) =>
  writes.find((w) => w.path.endsWith('/status'))?.body.status as
    | { conditions?: { type: string; reason: string }[] }
    | undefined;

describe('reconcileCluster', () => {
  it('creates the children of a new cluster in order and reports it unreachable until the brokers answer', async () => {
    const { writes, calls, events, run } = setup({ replicas: 3 });
    expect(await run()).toEqual({ requeueAfterMs: 2_000 });
    expect(events).toEqual([]); // not Ready from the start is no news
    expect(writes.map((w) => w.path)).toEqual([
      '/api/v1/namespaces/messaging/configmaps/wharf-config',
      '/api/v1/namespaces/messaging/services/wharf-headless',
      '/api/v1/namespaces/messaging/services/wharf',
      '/apis/policy/v1/namespaces/messaging/poddisruptionbudgets/wharf',
      '/apis/apps/v1/namespaces/messaging/statefulsets/wharf',
      '/apis/wharf.dev/v1alpha1/namespaces/messaging/wharfclusters/wharf/status',
    ]);
    expect(stsReplicas(writes)).toBe(3);
    expect(statusOf(writes)?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('ClusterUnreachable');
    expect(calls).toEqual([]);
  });

  it('scale up: runs the new pods and adds the first ready one on the leader', async () => {
    const { writes, calls, events, run } = setup({
      replicas: 5,
      statefulSetReplicas: 3,
      members: voters(3, 1),
      ready: ['wharf-3'],
    });
    expect(await run()).toEqual({ requeueAfterMs: 2_000 });
    expect(calls).toEqual(['at w1:7400', 'addMember {"id":"wharf-3","address":"w3:7400:7401"}']);
    expect(events).toEqual(['Normal MemberAdded: AddMember wharf-3 at w3:7400:7401']);
    expect(stsReplicas(writes)).toBe(5);
  });

  it('scale down: moves leadership off the highest member first and keeps its pod', async () => {
    const { writes, calls, run } = setup({ replicas: 3, statefulSetReplicas: 5, members: voters(5, 4) });
    await run();
    expect(calls).toEqual(['at w4:7400', 'transferLeadership {"fromMember":"wharf-4","toMember":""}']);
    expect(stsReplicas(writes)).toBe(5);
  });

  it('stable: no membership call, status Ready, slow refresh', async () => {
    const { writes, calls, events, run } = setup({ replicas: 3, statefulSetReplicas: 3, members: voters(3, 0) });
    expect(await run()).toEqual({ requeueAfterMs: 30_000 });
    expect(calls).toEqual([]);
    expect(events).toEqual(['Normal Ready: 3 voting members, all healthy']);
    expect(statusOf(writes)?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('AllMembersVoting');
  });
});
