import { describe, expect, it } from 'vitest';
import { type ClusterObservation, clusterStatus } from './cluster-status.ts';
import { type Condition, jsonEqual, mergeConditions, statusToWrite } from './conditions.ts';
import { ageText, type QueueFigures, queueStatus, topicStatus } from './destination-status.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

describe('mergeConditions', () => {
  const ready = (status: 'True' | 'False', reason = 'R'): Condition[] =>
    mergeConditions([], [{ type: 'Ready', status, reason, message: 'm' }], 1, T0);

  it('keeps lastTransitionTime while the status holds, even when the reason changes', () => {
    const next = mergeConditions(
      ready('True'),
      [{ type: 'Ready', status: 'True', reason: 'Other', message: 'x' }],
      2,
      T1,
    );
    expect(next).toEqual([
      { type: 'Ready', status: 'True', reason: 'Other', message: 'x', observedGeneration: 2, lastTransitionTime: T0 },
    ]);
  });

  it('moves lastTransitionTime when the status flips', () => {
    const next = mergeConditions(ready('True'), [{ type: 'Ready', status: 'False', reason: 'R', message: 'm' }], 1, T1);
    expect(next[0]?.lastTransitionTime).toBe(T1);
  });

  it('keeps other types and sorts by type', () => {
    const next = mergeConditions(
      ready('True'),
      [{ type: 'Degraded', status: 'False', reason: 'R', message: 'm' }],
      1,
      T1,
    );
    expect(next.map((c) => c.type)).toEqual(['Degraded', 'Ready']);
  });
});

describe('statusToWrite', () => {
  it('is undefined when nothing changed (no write, no watch event, no loop)', () => {
    const status = { observedGeneration: 1, conditions: ready(), depth: 3 };
    expect(statusToWrite(structuredClone(status), status)).toBeUndefined();
    expect(statusToWrite({ ...status, depth: 4 }, status)).toEqual(status);
    expect(statusToWrite(undefined, status)).toEqual(status);
  });

  it('ignores key order and undefined fields', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });

  function ready(): Condition[] {
    return mergeConditions([], [{ type: 'Ready', status: 'True', reason: 'R', message: 'm' }], 1, T0);
  }
});

describe('clusterStatus', () => {
  const base: ClusterObservation = {
    generation: 4,
    desiredReplicas: 3,
    replicas: 3,
    readyReplicas: 3,
    selector: 'app=wharf',
    endpoint: 'wharf.messaging.svc.cluster.local:7400',
    members: ['wharf-0', 'wharf-1', 'wharf-2'].map((id, i) => ({
      id,
      address: `${id}:7400`,
      voter: true,
      leader: i === 1,
      healthy: true,
    })),
    unreachable: '',
    phase: 'Stable',
    waitingFor: '',
  };
  const byType = (status: ReturnType<typeof clusterStatus>) =>
    Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));

  it.each([
    {
      name: 'stable',
      over: {},
      want: { Ready: 'True/AllMembersVoting', Progressing: 'False/Reconciled', Degraded: 'False/Healthy' },
    },
    {
      name: 'scaling up',
      over: { phase: 'ScalingUp', waitingFor: 'wharf-3 to be ready', desiredReplicas: 5 },
      want: { Ready: 'False/MembershipChanging', Progressing: 'True/ScalingUp', Degraded: 'False/Healthy' },
    },
    {
      name: 'pods starting',
      over: { readyReplicas: 1 },
      want: { Ready: 'False/PodsNotReady', Progressing: 'True/PodsStarting', Degraded: 'False/Healthy' },
    },
    {
      name: 'unreachable',
      over: { members: undefined, unreachable: 'connection refused', phase: 'Unknown' },
      want: { Ready: 'False/ClusterUnreachable', Progressing: 'False/Reconciled', Degraded: 'True/ClusterUnreachable' },
    },
  ] as { name: string; over: Partial<ClusterObservation>; want: Record<string, string> }[])(
    '$name',
    ({ over, want }) => {
      expect(byType(clusterStatus(undefined, { ...base, ...over }, T0))).toEqual(want);
    },
  );

  it('lists members with roles and the leader, and keeps the last known list when unreachable', () => {
    const first = clusterStatus(undefined, base, T0);
    expect(first.leader).toBe('wharf-1');
    expect(first.members?.[0]).toEqual({ name: 'wharf-0', role: 'Voter', address: 'wharf-0:7400', ready: true });
    expect(first.observedGeneration).toBe(4);
    const later = clusterStatus(first, { ...base, members: undefined, unreachable: 'x', phase: 'Unknown' }, T1);
    expect(later.members).toEqual(first.members);
    expect(later.leader).toBe('wharf-1');
  });

  it('is equal to itself recomputed from the same facts (so nothing is written)', () => {
    const first = clusterStatus(undefined, base, T0);
    expect(statusToWrite(first, clusterStatus(first, base, T1))).toBeUndefined();
  });
});

describe('destination status', () => {
  const figures: QueueFigures = {
    leader: 'wharf-1',
    depth: 1204,
    inFlight: 17,
    consumers: 4,
    oldestMessageAgeMs: 12_400,
    deadLettered: 2,
    bytes: 9000,
  };

  it('carries the broker figures for the printer columns', () => {
    expect(queueStatus(undefined, { kind: 'applied' }, figures, 3, T0)).toMatchObject({
      observedGeneration: 3,
      leader: 'wharf-1',
      depth: 1204,
      inFlight: 17,
      consumers: 4,
      oldestMessageAge: '12s',
      deadLettered: 2,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Applied' }],
    });
  });

  it('holds a change the broker refuses with SpecHeld, and clears it once applied', () => {
    const held = topicStatus(
      undefined,
      { kind: 'held', reason: 'PartitionsCannotShrink', message: 'partitions can only grow (from 3 to 2)' },
      { leader: '', messages: 1, bytes: 2, subscriptions: [] },
      2,
      T0,
    );
    expect(held.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Ready=True/ServingPreviousSpec',
      'SpecHeld=True/PartitionsCannotShrink',
    ]);
    const applied = topicStatus(held, { kind: 'applied' }, undefined, 3, T1);
    expect(applied.conditions?.map((c) => c.type)).toEqual(['Ready']);
  });

  it.each([
    { outcome: { kind: 'clusterMissing', message: 'no WharfCluster' }, reason: 'ClusterNotFound' },
    { outcome: { kind: 'clusterUnavailable', message: 'refused' }, reason: 'ClusterUnavailable' },
    { outcome: { kind: 'invalid', message: 'bad' }, reason: 'InvalidSpec' },
  ] as const)('is not ready: $reason', ({ outcome, reason }) => {
    const status = queueStatus(undefined, outcome, undefined, 1, T0);
    expect(status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason, message: outcome.message });
    expect(status.depth).toBeUndefined();
  });

  it('summarises subscriptions of a topic', () => {
    const status = topicStatus(
      undefined,
      { kind: 'applied' },
      {
        leader: 'wharf-0',
        messages: 10,
        bytes: 100,
        subscriptions: [
          { name: 'a', depth: 3, inFlight: 1, consumers: 1, oldestMessageAgeMs: 0, deadLettered: 0 },
          { name: 'b', depth: 7, inFlight: 0, consumers: 0, oldestMessageAgeMs: 61_000, deadLettered: 1 },
        ],
      },
      1,
      T0,
    );
    expect(status).toMatchObject({ subscriptionCount: 2, maxSubscriptionDepth: 7, messages: 10 });
    expect(status.subscriptions?.[1]?.oldestMessageAge).toBe('1m1s');
  });

  it.each([
    [0, '0s'],
    [999, '0s'],
    [12_400, '12s'],
    [60_000, '1m'],
    [3_723_000, '1h2m3s'],
  ])('ageText(%i) = %s', (ms, text) => {
    expect(ageText(ms)).toBe(text);
  });
});
