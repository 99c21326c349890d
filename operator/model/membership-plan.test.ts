import { describe, expect, it } from 'vitest';
import { type MembershipFacts, type ObservedMember, planMembership } from './membership-plan.ts';

const key = { namespace: 'messaging', name: 'wharf' };
const voters = (n: number, leader = 0): ObservedMember[] =>
  Array.from({ length: n }, (_, i) => ({ id: `wharf-${i}`, voter: true, leader: i === leader }));
const facts = (over: Partial<MembershipFacts>): MembershipFacts => ({
  key,
  desiredReplicas: 3,
  statefulSetReplicas: 3,
  members: voters(3),
  ready: new Set(),
  addressOf: (i) => `wharf-${i}.h:7400:7401`,
  ...over,
});

describe('planMembership', () => {
  it.each([
    {
      name: 'stable',
      facts: {},
      want: { statefulSetReplicas: 3, action: undefined, phase: 'Stable' },
    },
    {
      name: 'first reconcile: no StatefulSet, cluster not answering yet',
      facts: { statefulSetReplicas: undefined, members: undefined },
      want: { statefulSetReplicas: 3, action: undefined, phase: 'Unknown' },
    },
    {
      name: 'unknown members: never shrink',
      facts: { desiredReplicas: 3, statefulSetReplicas: 5, members: undefined },
      want: { statefulSetReplicas: 5, action: undefined, phase: 'Unknown' },
    },
    {
      name: 'scale up: run the new pods, wait until ready',
      facts: { desiredReplicas: 5 },
      want: { statefulSetReplicas: 5, action: undefined, phase: 'ScalingUp', waitingFor: 'wharf-3 to be ready' },
    },
    {
      name: 'scale up: add the lowest new member once its pod is ready',
      facts: { desiredReplicas: 5, statefulSetReplicas: 5, ready: new Set(['wharf-3', 'wharf-4']) },
      want: {
        statefulSetReplicas: 5,
        action: { type: 'addMember', id: 'wharf-3', address: 'wharf-3.h:7400:7401' },
        phase: 'ScalingUp',
      },
    },
    {
      name: 'scale up: a learner is added again until it votes',
      facts: {
        desiredReplicas: 5,
        statefulSetReplicas: 5,
        members: [...voters(3), { id: 'wharf-3', voter: false, leader: false }],
        ready: new Set(['wharf-3', 'wharf-4']),
      },
      want: {
        statefulSetReplicas: 5,
        action: { type: 'addMember', id: 'wharf-3', address: 'wharf-3.h:7400:7401' },
        waitingFor: 'wharf-3 to catch up and vote',
      },
    },
    {
      name: 'scale down: remove the highest member first, pods stay',
      facts: { desiredReplicas: 3, statefulSetReplicas: 5, members: voters(5) },
      want: { statefulSetReplicas: 5, action: { type: 'removeMember', id: 'wharf-4' }, phase: 'ScalingDown' },
    },
    {
      name: 'scale down: move leadership off a leaving leader before removing it',
      facts: { desiredReplicas: 3, statefulSetReplicas: 5, members: voters(5, 4) },
      want: { statefulSetReplicas: 5, action: { type: 'transferLeadership', from: 'wharf-4' } },
    },
    {
      name: 'scale down: shrink only the pods no member needs any more',
      facts: { desiredReplicas: 3, statefulSetReplicas: 5, members: voters(4) },
      want: { statefulSetReplicas: 5, action: { type: 'removeMember', id: 'wharf-3' } },
    },
    {
      name: 'scale down: every extra member removed, the StatefulSet shrinks',
      facts: { desiredReplicas: 3, statefulSetReplicas: 5, members: voters(3) },
      want: { statefulSetReplicas: 3, action: undefined, phase: 'Stable' },
    },
    {
      name: 'a foreign member id is left alone',
      facts: { members: [...voters(3), { id: 'other', voter: true, leader: false }] },
      want: { statefulSetReplicas: 3, action: undefined, phase: 'Stable' },
    },
  ])('$name', ({ facts: over, want }) => {
    expect(planMembership(facts(over as Partial<MembershipFacts>))).toMatchObject(want);
  });

  it('goes 3 → 5 → 3 one change at a time, never shrinking below the members', () => {
    let members = voters(3);
    let sts = 3;
    const steps: string[] = [];
    const run = (desired: number) => {
      for (let i = 0; i < 20; i++) {
        const plan = planMembership(
          facts({
            desiredReplicas: desired,
            statefulSetReplicas: sts,
            members,
            ready: new Set(members.map((m) => m.id).concat(['wharf-3', 'wharf-4'])),
          }),
        );
        expect(plan.statefulSetReplicas).toBeGreaterThanOrEqual(members.length);
        sts = plan.statefulSetReplicas;
        const action = plan.action;
        if (action === undefined) return;
        if (action.type === 'addMember') {
          const existing = members.find((m) => m.id === action.id);
          members = existing
            ? members.map((m) => (m.id === action.id ? { ...m, voter: true } : m))
            : [...members, { id: action.id, voter: false, leader: false }];
          steps.push(`add ${action.id}${existing ? ' (vote)' : ''}`);
        } else if (action.type === 'transferLeadership') {
          members = members.map((m) => ({ ...m, leader: m.id === 'wharf-0' }));
          steps.push(`transfer from ${action.from}`);
        } else {
          members = members.filter((m) => m.id !== action.id);
          steps.push(`remove ${action.id}`);
        }
      }
      throw new Error('no fixed point');
    };
    run(5);
    expect(sts).toBe(5);
    members = members.map((m) => ({ ...m, leader: m.id === 'wharf-4' }));
    run(3);
    expect(sts).toBe(3);
    expect(steps).toEqual([
      'add wharf-3',
      'add wharf-3 (vote)',
      'add wharf-4',
      'add wharf-4 (vote)',
      'transfer from wharf-4',
      'remove wharf-4',
      'remove wharf-3',
    ]);
  });
});
