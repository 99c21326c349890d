// The WharfCluster reconcile, as named steps: load the resource; observe the StatefulSet, the
// ConfigMap and the Raft members; plan membership; make at most one membership change; apply every
// child with server-side apply (field manager wharf-operator, force); write status through the
// status subresource when it changed; come back soon while something is changing.

import { unaryCall } from '../../client/unary.ts';
import { isWharfError } from '../../common/errors.ts';
import type { WharfCluster, WharfClusterStatus } from '../../crds/types.ts';
import { buildInput } from '../model/build-input.ts';
import { CHILD_BUILDERS } from '../model/builders.ts';
import { INITIAL_MEMBERS_KEY } from '../model/config-map.ts';
import { type MembershipPlan, planMembership } from '../model/membership-plan.ts';
import {
  clientEndpoint,
  configMapName,
  FIELD_MANAGER,
  memberOrdinal,
  type ObjectKey,
  selectorString,
  statefulSetName,
} from '../model/names.ts';
import { rfc3339Seconds } from '../runtime/micro-time.ts';
import { objectPath, resourcePath } from '../runtime/resource-paths.ts';
import type { HandlerResult } from '../runtime/work-queue.ts';
import { clusterStatus, type ObservedClusterMember } from '../status/cluster-status.ts';
import { CONDITION, findCondition, statusToWrite } from '../status/conditions.ts';
import type { ReconcileDeps } from './deps.ts';
import { done, next, runSteps, type Step } from './pipeline.ts';

/** AddMember waits for the learner to catch up before it answers. */
const MEMBERSHIP_DEADLINE_MS = 60_000;

interface StatefulSetView {
  readonly spec?: { readonly replicas?: number };
  readonly status?: { readonly replicas?: number; readonly readyReplicas?: number };
}

interface ClusterContext {
  readonly deps: ReconcileDeps;
  readonly key: ObjectKey;
  cluster?: WharfCluster | undefined;
  statefulSet?: StatefulSetView | undefined;
  initialReplicas?: number;
  members?: ObservedClusterMember[] | undefined;
  unreachable: string;
  plan?: MembershipPlan;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing (a step ran out of order)`);
  return value;
}

const desiredReplicas = (c: ClusterContext): number => need(c.cluster, 'cluster').spec?.replicas ?? 3;

export const CLUSTER_STEPS: readonly Step<ClusterContext>[] = [
  {
    name: 'load',
    async run(c) {
      c.cluster = c.deps.clusters.get(c.key.name, c.key.namespace);
      if (c.cluster === undefined || c.cluster.metadata.deletionTimestamp !== undefined) {
        // The children go with it (ownerReferences); only our broker connections are left.
        c.deps.brokers.forget(c.key);
        return done();
      }
      return next;
    },
  },
  {
    name: 'observe-children',
    async run(c) {
      const { kube } = c.deps;
      c.statefulSet = await kube.get<StatefulSetView>(
        resourcePath('StatefulSet', c.key.namespace, statefulSetName(c.key)),
      );
      const configMap = await kube.get<{ data?: Record<string, string> }>(
        resourcePath('ConfigMap', c.key.namespace, configMapName(c.key)),
      );
      const initial = configMap?.data?.[INITIAL_MEMBERS_KEY];
      // The members that bootstrapped the group never change; a new cluster bootstraps them all.
      c.initialReplicas = initial === undefined || initial === '' ? desiredReplicas(c) : initial.split(',').length;
      return next;
    },
  },
  {
    name: 'observe-members',
    async run(c) {
      try {
        // Plaintext, or TLS with the CA of the cluster's Secret (which may not be there yet).
        await c.deps.brokers.prepare(need(c.cluster, 'cluster'));
        const status = await c.deps.brokers.admin(c.key).clusterStatus();
        c.members = status.members.map((m) => ({
          id: m.id,
          address: m.address,
          voter: m.voter,
          leader: m.leader,
          healthy: m.healthy,
        }));
      } catch (error) {
        c.members = undefined;
        c.unreachable = isWharfError(error)
          ? error.message
          : `GetClusterStatus on ${c.deps.brokers.adminAddress(c.key)}: ${(error as Error).message}`;
      }
      return next;
    },
  },
  {
    name: 'plan-membership',
    async run(c) {
      const desired = desiredReplicas(c);
      const voters = new Set(c.members?.filter((m) => m.voter).map((m) => m.id));
      const ready = new Set<string>();
      if (c.members !== undefined) {
        for (let ordinal = 0; ordinal < desired; ordinal++) {
          const id = c.deps.brokers.member(c.key, ordinal).id;
          if (!voters.has(id) && (await c.deps.brokers.isReady(c.key, ordinal))) ready.add(id);
        }
      }
      c.plan = planMembership({
        key: c.key,
        desiredReplicas: desired,
        statefulSetReplicas: c.statefulSet?.spec?.replicas,
        members: c.members,
        ready,
        addressOf: (ordinal) => c.deps.brokers.member(c.key, ordinal).memberAddress,
      });
      return next;
    },
  },
  {
    name: 'change-membership',
    async run(c) {
      const action = need(c.plan, 'plan').action;
      if (action === undefined) return next;
      const cluster = need(c.cluster, 'cluster');
      const log = c.deps.logger.child({ kind: 'WharfCluster', namespace: c.key.namespace, name: c.key.name });
      // Membership calls go to the leader itself: the raw Admin client does not follow redirects.
      const leader = c.members?.find((m) => m.leader);
      if (leader === undefined || leader.address === '') return next;
      const admin = c.deps.brokers.clientAt(c.key, leader.address).admin;
      try {
        switch (action.type) {
          case 'addMember':
            await unaryCall<unknown>(
              (o, cb) => admin.addMember({ id: action.id, address: action.address }, o, cb),
              MEMBERSHIP_DEADLINE_MS,
            );
            await c.deps.events.record(cluster, 'Normal', 'MemberAdded', `AddMember ${action.id} at ${action.address}`);
            break;
          case 'transferLeadership':
            await unaryCall<unknown>(
              (o, cb) => admin.transferLeadership({ fromMember: action.from, toMember: '' }, o, cb),
              MEMBERSHIP_DEADLINE_MS,
            );
            await c.deps.events.record(
              cluster,
              'Normal',
              'LeadershipTransferred',
              `leadership moved off ${action.from}`,
            );
            break;
          case 'removeMember':
            await unaryCall<unknown>((o, cb) => admin.removeMember({ id: action.id }, o, cb), MEMBERSHIP_DEADLINE_MS);
            await c.deps.events.record(cluster, 'Normal', 'MemberRemoved', `RemoveMember ${action.id}`);
            break;
        }
        log.info({ action }, 'membership changed');
      } catch (error) {
        log.warn({ err: error, action }, 'membership change failed; will retry');
        await c.deps.events.record(
          cluster,
          'Warning',
          'MembershipChangeFailed',
          `${action.type} ${'id' in action ? action.id : action.from}: ${(error as Error).message}`,
        );
      }
      return next;
    },
  },
  {
    name: 'apply-children',
    async run(c) {
      const cluster = need(c.cluster, 'cluster');
      const input = buildInput(cluster, c.deps.settings, {
        statefulSetReplicas: need(c.plan, 'plan').statefulSetReplicas,
        initialReplicas: need(c.initialReplicas, 'initialReplicas'),
      });
      for (const builder of CHILD_BUILDERS) {
        const object = builder.build(input);
        await c.deps.kube.apply(objectPath(object), object, FIELD_MANAGER);
      }
      return next;
    },
  },
  {
    name: 'write-status',
    async run(c) {
      const cluster = need(c.cluster, 'cluster');
      const plan = need(c.plan, 'plan');
      const overridden = c.deps.brokers.isOverridden(c.key);
      const healthy = c.members?.filter((m) => m.healthy && memberOrdinal(c.key, m.id) !== undefined).length ?? 0;
      const status = clusterStatus(
        cluster.status,
        {
          generation: cluster.metadata.generation ?? 0,
          desiredReplicas: desiredReplicas(c),
          // With the override, local processes stand in for pods: their health is the pods' readiness.
          replicas: overridden ? (c.members?.length ?? 0) : (c.statefulSet?.status?.replicas ?? 0),
          readyReplicas: overridden ? healthy : (c.statefulSet?.status?.readyReplicas ?? 0),
          selector: selectorString(c.key),
          endpoint: clientEndpoint(c.key, c.deps.settings.clusterDomain),
          members: c.members,
          unreachable: c.unreachable,
          phase: plan.phase,
          waitingFor: plan.waitingFor,
        },
        rfc3339Seconds(c.deps.timers.wallMs()),
      );
      const changed = statusToWrite(cluster.status, status);
      if (changed !== undefined) await writeStatus(c.deps, cluster, changed);
      // A person wants to know when the cluster stops or starts serving.
      const before = findCondition(cluster.status?.conditions ?? [], CONDITION.ready);
      const after = findCondition(status.conditions ?? [], CONDITION.ready);
      if (after !== undefined && before?.status !== after.status && (before !== undefined || after.status === 'True')) {
        await c.deps.events.record(
          cluster,
          after.status === 'True' ? 'Normal' : 'Warning',
          after.status === 'True' ? 'Ready' : after.reason,
          after.message,
        );
      }
      return next;
    },
  },
  {
    name: 'schedule',
    async run(c) {
      const stable = need(c.plan, 'plan').phase === 'Stable';
      return done(stable ? c.deps.refreshMs : c.deps.changingRequeueMs);
    },
  },
];

async function writeStatus(deps: ReconcileDeps, cluster: WharfCluster, status: WharfClusterStatus): Promise<void> {
  const { namespace = 'default', name = '' } = cluster.metadata;
  await deps.kube.apply(
    resourcePath('WharfCluster', namespace, name, 'status'),
    { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name, namespace }, status },
    FIELD_MANAGER,
  );
}

export function reconcileCluster(deps: ReconcileDeps, key: ObjectKey): Promise<HandlerResult> {
  return runSteps(CLUSTER_STEPS, { deps, key, unreachable: '' });
}
