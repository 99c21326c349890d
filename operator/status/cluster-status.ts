// The WharfCluster's status from what a reconcile observed: pods, Raft members and the membership
// plan. Ready when every desired member runs, votes and is healthy; Progressing while pods or
// membership are changing; Degraded when the cluster cannot be asked or a member is unhealthy.
// Pure module.
import type { WharfClusterMember, WharfClusterStatus } from '../../crds/types.ts';
import { CONDITION, type Condition, type ConditionInput, mergeConditions } from './conditions.ts';

export interface ObservedClusterMember {
  readonly id: string;
  readonly address: string;
  readonly voter: boolean;
  readonly leader: boolean;
  readonly healthy: boolean;
}

export interface ClusterObservation {
  readonly generation: number;
  readonly desiredReplicas: number;
  /** Pods the StatefulSet runs (its status.replicas), and how many are ready. */
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly selector: string;
  readonly endpoint: string;
  /** Raft members; undefined when GetClusterStatus failed (with `unreachable` saying why). */
  readonly members: readonly ObservedClusterMember[] | undefined;
  readonly unreachable: string;
  readonly phase: 'Stable' | 'ScalingUp' | 'ScalingDown' | 'Unknown';
  readonly waitingFor: string;
}

function conditions(o: ClusterObservation): ConditionInput[] {
  const voters = o.members?.filter((m) => m.voter).length ?? 0;
  const unhealthy = o.members?.filter((m) => !m.healthy).map((m) => m.id) ?? [];
  const scaling = o.phase === 'ScalingUp' || o.phase === 'ScalingDown';
  const podsShort = o.readyReplicas < o.desiredReplicas;
  const ready: ConditionInput =
    o.members === undefined
      ? { type: CONDITION.ready, status: 'False', reason: 'ClusterUnreachable', message: o.unreachable }
      : scaling
        ? {
            type: CONDITION.ready,
            status: 'False',
            reason: 'MembershipChanging',
            message: `waiting for ${o.waitingFor}`,
          }
        : podsShort
          ? {
              type: CONDITION.ready,
              status: 'False',
              reason: 'PodsNotReady',
              message: `${o.readyReplicas} of ${o.desiredReplicas} pods ready`,
            }
          : unhealthy.length > 0
            ? {
                type: CONDITION.ready,
                status: 'False',
                reason: 'MembersUnhealthy',
                message: `unhealthy: ${unhealthy.join(', ')}`,
              }
            : {
                type: CONDITION.ready,
                status: 'True',
                reason: 'AllMembersVoting',
                message: `${voters} voting members, all healthy`,
              };
  const progressing: ConditionInput =
    scaling || podsShort
      ? {
          type: CONDITION.progressing,
          status: 'True',
          reason: o.phase === 'ScalingDown' ? 'ScalingDown' : o.phase === 'ScalingUp' ? 'ScalingUp' : 'PodsStarting',
          message: scaling ? `waiting for ${o.waitingFor}` : `${o.readyReplicas} of ${o.desiredReplicas} pods ready`,
        }
      : { type: CONDITION.progressing, status: 'False', reason: 'Reconciled', message: 'nothing to change' };
  const degraded: ConditionInput =
    o.members === undefined
      ? { type: CONDITION.degraded, status: 'True', reason: 'ClusterUnreachable', message: o.unreachable }
      : unhealthy.length > 0
        ? {
            type: CONDITION.degraded,
            status: 'True',
            reason: 'MembersUnhealthy',
            message: `unhealthy: ${unhealthy.join(', ')}`,
          }
        : { type: CONDITION.degraded, status: 'False', reason: 'Healthy', message: 'every member is healthy' };
  return [ready, progressing, degraded];
}

export function clusterStatus(
  previous: WharfClusterStatus | undefined,
  o: ClusterObservation,
  nowTime: string,
): WharfClusterStatus {
  const members: WharfClusterMember[] | undefined = o.members?.map((m) => ({
    name: m.id,
    role: m.voter ? 'Voter' : 'Learner',
    address: m.address,
    ready: m.healthy,
  }));
  const leader = o.members?.find((m) => m.leader)?.id;
  const status: WharfClusterStatus = {
    observedGeneration: o.generation,
    conditions: mergeConditions((previous?.conditions ?? []) as Condition[], conditions(o), o.generation, nowTime),
    replicas: o.replicas,
    readyReplicas: o.readyReplicas,
    selector: o.selector,
    endpoint: o.endpoint,
  };
  // Unknown members keep the last known list rather than blanking it.
  const known = members ?? previous?.members;
  if (known !== undefined) status.members = known;
  const knownLeader = o.members === undefined ? previous?.leader : leader;
  if (knownLeader !== undefined) status.leader = knownLeader;
  return status;
}
