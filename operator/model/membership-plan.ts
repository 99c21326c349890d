// Scaling as a plan over observed facts, in the safe order for Raft membership (one change at a
// time): scale up = run the new pod, and once it is ready AddMember (the broker adds it as a
// learner and promotes it to voter once it has caught up; a learner is added again until it is a
// voter); scale down = move leadership off the highest member, RemoveMember, and only then shrink
// the StatefulSet, so a pod never leaves while it still counts toward a quorum. Pure module.
import { memberId, memberOrdinal, type ObjectKey } from './names.ts';

export interface ObservedMember {
  readonly id: string;
  readonly voter: boolean;
  readonly leader: boolean;
}

export interface MembershipFacts {
  readonly key: ObjectKey;
  readonly desiredReplicas: number;
  /** spec.replicas of the existing StatefulSet; undefined when there is none yet. */
  readonly statefulSetReplicas: number | undefined;
  /** Raft members from GetClusterStatus; undefined when the cluster could not be asked. */
  readonly members: readonly ObservedMember[] | undefined;
  /** Ids of members whose pod is ready to be added. */
  readonly ready: ReadonlySet<string>;
  /** host:clientPort:peerPort of member `ordinal` (what AddMember takes). */
  readonly addressOf: (ordinal: number) => string;
}

export type MembershipAction =
  | { readonly type: 'addMember'; readonly id: string; readonly address: string }
  | { readonly type: 'transferLeadership'; readonly from: string }
  | { readonly type: 'removeMember'; readonly id: string };

export type MembershipPhase = 'Stable' | 'ScalingUp' | 'ScalingDown' | 'Unknown';

export interface MembershipPlan {
  readonly statefulSetReplicas: number;
  readonly action: MembershipAction | undefined;
  readonly phase: MembershipPhase;
  /** What the plan waits for, for a condition message; empty when stable. */
  readonly waitingFor: string;
}

export function planMembership(facts: MembershipFacts): MembershipPlan {
  const desired = facts.desiredReplicas;
  const current = facts.statefulSetReplicas;
  if (facts.members === undefined) {
    // Without the member list only growing is safe: more pods never break a quorum.
    return {
      statefulSetReplicas: current === undefined ? desired : Math.max(current, desired),
      action: undefined,
      phase: 'Unknown',
      waitingFor: 'the cluster to answer GetClusterStatus',
    };
  }
  const ordinalOf = (m: ObservedMember) => memberOrdinal(facts.key, m.id);
  const extra = facts.members
    .filter((m) => {
      const ordinal = ordinalOf(m);
      return ordinal !== undefined && ordinal >= desired;
    })
    .sort((a, b) => (ordinalOf(b) ?? 0) - (ordinalOf(a) ?? 0));
  const highest = extra[0];
  if (highest !== undefined) {
    const keep = Math.max(current ?? desired, desired, (ordinalOf(highest) ?? 0) + 1);
    return {
      statefulSetReplicas: keep,
      action: highest.leader
        ? { type: 'transferLeadership', from: highest.id }
        : { type: 'removeMember', id: highest.id },
      phase: 'ScalingDown',
      waitingFor: `${highest.id} to leave the Raft group (${extra.length} to remove)`,
    };
  }
  const byId = new Map(facts.members.map((m) => [m.id, m]));
  for (let ordinal = 0; ordinal < desired; ordinal++) {
    const id = memberId(facts.key, ordinal);
    const member = byId.get(id);
    if (member?.voter === true) continue;
    const action: MembershipAction = { type: 'addMember', id, address: facts.addressOf(ordinal) };
    const ready = facts.ready.has(id);
    return {
      statefulSetReplicas: desired,
      action: ready ? action : undefined,
      phase: 'ScalingUp',
      waitingFor: member === undefined ? (ready ? `${id} to join` : `${id} to be ready`) : `${id} to catch up and vote`,
    };
  }
  return { statefulSetReplicas: desired, action: undefined, phase: 'Stable', waitingFor: '' };
}
