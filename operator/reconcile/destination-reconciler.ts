// The Queue and Topic reconcile, as named steps, through the cluster's Admin API: find the
// WharfCluster; on deletion honour deletionPolicy (Delete: delete on the broker; Retain: keep the
// broker's data; Drain: refuse publishes and wait until empty) and release the finalizer, or
// release it at once with an Event when the cluster is gone; otherwise make sure of the
// finalizer, apply the spec (held with SpecHeld where the broker cannot change it in place), and
// refresh status (depth, in-flight, consumers, oldest age, dead letters, leader) periodically,
// writing it only when it changed.
import * as grpc from '@grpc/grpc-js';
import { resourceFromObject } from '../../client/resources/parse.ts';
import { isServiceError } from '../../client/unary.ts';
import { isWharfError } from '../../common/errors.ts';
import type { DeletionPolicy, Queue, Topic, WharfCluster } from '../../crds/types.ts';
import { FIELD_MANAGER, type ObjectKey } from '../model/names.ts';
import { isConflict, isNotFound } from '../runtime/kube-client.ts';
import { rfc3339Seconds } from '../runtime/micro-time.ts';
import { resourcePath } from '../runtime/resource-paths.ts';
import type { HandlerResult } from '../runtime/work-queue.ts';
import { CONDITION, type Condition, mergeConditions, statusToWrite } from '../status/conditions.ts';
import {
  type DestinationOutcome,
  type QueueFigures,
  queueStatus,
  type TopicFigures,
  topicStatus,
} from '../status/destination-status.ts';
import { codeOf, fetchFigures, queueFigures, topicFigures, unreachable } from './broker-figures.ts';
import { objectKey, type ReconcileDeps } from './deps.ts';
import { done, next, runSteps, type Step } from './pipeline.ts';

export const FINALIZER = 'wharf.dev/broker-cleanup';

type Destination = Queue | Topic;
type Kind = Destination['kind'];

interface DestinationContext {
  readonly deps: ReconcileDeps;
  readonly kind: Kind;
  readonly key: ObjectKey;
  object?: Destination | undefined;
  /** The cluster, when it exists and is not being deleted. */
  cluster?: WharfCluster | undefined;
  clusterProblem: string;
  outcome?: DestinationOutcome;
  figures?: QueueFigures | TopicFigures | undefined;
}

const brokerName = (key: ObjectKey): string => `${key.namespace}/${key.name}`;
const clusterKey = (cluster: WharfCluster): ObjectKey => ({
  namespace: cluster.metadata.namespace ?? 'default',
  name: cluster.metadata.name ?? '',
});

function resolveClusterRef(c: DestinationContext): { namespace: string; name: string } | string {
  const ref = c.object?.spec?.clusterRef;
  if (ref?.name !== undefined) return { namespace: ref.namespace ?? c.key.namespace, name: ref.name };
  const all = c.deps.clusters.list();
  const only = all[0];
  if (all.length === 1 && only !== undefined) {
    return { namespace: only.metadata.namespace ?? 'default', name: only.metadata.name ?? '' };
  }
  return all.length === 0
    ? 'no WharfCluster exists; create one or set spec.clusterRef'
    : `${all.length} WharfClusters exist; set spec.clusterRef to pick one`;
}

const policyOf = (object: Destination): DeletionPolicy => object.spec?.deletionPolicy ?? 'Delete';

async function setFinalizers(c: DestinationContext, finalizers: string[]): Promise<void> {
  const object = c.object;
  if (object === undefined) return;
  // A merge patch with the resourceVersion: refused (409) if someone changed the object meanwhile,
  // and never re-creates an object that is gone (404), as an apply would.
  try {
    await c.deps.kube.mergePatch(resourcePath(c.kind, c.key.namespace, c.key.name), {
      metadata: { finalizers, resourceVersion: object.metadata.resourceVersion },
    });
  } catch (error) {
    if (!isNotFound(error)) throw error; // gone already: a finalizer released by an earlier pass
  }
}

async function writeStatus(c: DestinationContext, status: Destination['status']): Promise<void> {
  const object = c.object;
  if (object === undefined) return;
  const changed = statusToWrite(object.status, status);
  if (changed === undefined) return;
  try {
    await c.deps.kube.apply(
      resourcePath(c.kind, c.key.namespace, c.key.name, 'status'),
      {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: c.key.name, namespace: c.key.namespace },
        status,
      },
      FIELD_MANAGER,
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

const now = (c: DestinationContext): string => rfc3339Seconds(c.deps.timers.wallMs());

export const DESTINATION_STEPS: readonly Step<DestinationContext>[] = [
  {
    name: 'load',
    async run(c) {
      const cache = c.kind === 'Queue' ? c.deps.queues : c.deps.topics;
      c.object = cache.get(c.key.name, c.key.namespace);
      return c.object === undefined ? done() : next;
    },
  },
  {
    name: 'find-cluster',
    async run(c) {
      const ref = resolveClusterRef(c);
      if (typeof ref === 'string') {
        c.clusterProblem = ref;
        return next;
      }
      const cluster = c.deps.clusters.get(ref.name, ref.namespace);
      if (cluster === undefined) c.clusterProblem = `WharfCluster ${ref.namespace}/${ref.name} does not exist`;
      else if (cluster.metadata.deletionTimestamp !== undefined) {
        c.clusterProblem = `WharfCluster ${ref.namespace}/${ref.name} is being deleted`;
      } else c.cluster = cluster;
      return next;
    },
  },
  {
    name: 'finalize',
    async run(c) {
      const object = c.object;
      if (object === undefined || object.metadata.deletionTimestamp === undefined) return next;
      if (!(object.metadata.finalizers ?? []).includes(FINALIZER)) return done();
      const release = async (reason: string, note: string, type: 'Normal' | 'Warning' = 'Normal') => {
        await c.deps.events.record(object, type, reason, note);
        await setFinalizers(
          c,
          (object.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
        );
        return done();
      };
      if (c.cluster === undefined) {
        return release(
          'ClusterGone',
          `${c.clusterProblem}: nothing to clean up on a broker; finalizer released`,
          'Warning',
        );
      }
      const policy = policyOf(object);
      if (policy === 'Retain')
        return release('Retained', `deletionPolicy Retain: the broker keeps ${brokerName(c.key)}`);
      await c.deps.brokers.prepare(c.cluster);
      const client = c.deps.brokers.admin(clusterKey(c.cluster));
      try {
        if (c.kind === 'Queue') await client.deleteQueue(brokerName(c.key));
        else await client.deleteTopic(brokerName(c.key));
      } catch (error) {
        if (codeOf(error) !== grpc.status.NOT_FOUND) throw error;
      }
      if (policy === 'Delete') return release('Deleted', `deleted ${brokerName(c.key)} on the broker`);
      const figures = await fetchFigures(client, c.kind, brokerName(c.key));
      if (figures === undefined) return release('Drained', `${brokerName(c.key)} drained and deleted on the broker`);
      const depth = 'depth' in figures ? figures.depth : figures.messages;
      await writeStatus(c, {
        ...object.status,
        conditions: mergeConditions(
          (object.status?.conditions ?? []) as Condition[],
          [
            {
              type: CONDITION.draining,
              status: 'True',
              reason: 'WaitingForEmpty',
              message: `${depth} messages left; publishes are refused`,
            },
          ],
          object.metadata.generation ?? 0,
          now(c),
        ),
      });
      await c.deps.events.record(
        object,
        'Normal',
        'Draining',
        `deletionPolicy Drain: waiting for ${brokerName(c.key)} to empty`,
      );
      return done(c.deps.changingRequeueMs);
    },
  },
  {
    name: 'ensure-finalizer',
    async run(c) {
      const finalizers = c.object?.metadata.finalizers ?? [];
      if (finalizers.includes(FINALIZER)) return next;
      try {
        await setFinalizers(c, [...finalizers, FINALIZER]);
      } catch (error) {
        if (isConflict(error)) return done(0); // changed meanwhile: the watch brings the new version
        throw error;
      }
      return done(); // the update comes back through the watch and runs the rest
    },
  },
  {
    name: 'apply',
    async run(c) {
      const object = c.object;
      const cluster = c.cluster;
      if (object === undefined) return done();
      if (cluster === undefined) {
        c.outcome = { kind: 'clusterMissing', message: c.clusterProblem };
        return next;
      }
      try {
        await c.deps.brokers.prepare(cluster);
      } catch (error) {
        // TLS on and its Secret not there (yet): the cluster cannot be reached, say why.
        if (!isWharfError(error)) throw error;
        c.outcome = { kind: 'clusterUnavailable', message: error.message };
        return next;
      }
      const client = c.deps.brokers.admin(clusterKey(cluster));
      // Only what the broker needs: the API server's bookkeeping in metadata is none of its business.
      const converted = resourceFromObject(
        {
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: { name: c.key.name, namespace: c.key.namespace },
          spec: object.spec ?? {},
        },
        { file: `${c.kind} ${brokerName(c.key)}`, document: 1 },
      );
      if (!('resource' in converted)) {
        c.outcome = { kind: 'invalid', message: converted.issues.map((i) => `${i.path}: ${i.message}`).join('; ') };
        return next;
      }
      try {
        c.figures = await fetchFigures(client, c.kind, brokerName(c.key));
        const current =
          object.status?.observedGeneration === object.metadata.generation &&
          (object.status?.conditions ?? []).some((x) => x.type === CONDITION.ready && x.reason === 'Applied');
        if (c.figures !== undefined && current) {
          c.outcome = { kind: 'applied' };
          return next;
        }
        const resource = converted.resource;
        const applied =
          resource.kind === 'Queue'
            ? queueFigures(await client.applyQueue(resource.queue))
            : topicFigures(await client.applyTopic(resource.topic));
        const firstTime = c.figures === undefined;
        c.figures = applied;
        c.outcome = { kind: 'applied' };
        await c.deps.events.record(
          object,
          'Normal',
          firstTime ? 'Created' : 'Updated',
          firstTime
            ? `created ${brokerName(c.key)} on WharfCluster ${objectKey(cluster)}`
            : `applied generation ${object.metadata.generation ?? 0} of ${brokerName(c.key)}`,
        );
      } catch (error) {
        const code = codeOf(error);
        const message = isServiceError(error) ? error.details : (error as Error).message;
        if (unreachable(error)) c.outcome = { kind: 'clusterUnavailable', message };
        else if (
          c.figures !== undefined &&
          (code === grpc.status.INVALID_ARGUMENT || code === grpc.status.FAILED_PRECONDITION)
        ) {
          c.outcome = {
            kind: 'held',
            reason: code === grpc.status.INVALID_ARGUMENT ? 'NotChangeableInPlace' : 'NotChangeableNow',
            message,
          };
          await c.deps.events.record(object, 'Warning', 'SpecHeld', message);
        } else if (code !== undefined) {
          c.outcome = { kind: 'invalid', message };
          await c.deps.events.record(object, 'Warning', 'Rejected', message);
        } else throw error;
      }
      return next;
    },
  },
  {
    name: 'write-status',
    async run(c) {
      const object = c.object;
      const outcome = c.outcome;
      if (object === undefined || outcome === undefined) return done();
      const generation = object.metadata.generation ?? 0;
      const status =
        c.kind === 'Queue'
          ? queueStatus(object.status, outcome, c.figures as QueueFigures | undefined, generation, now(c))
          : topicStatus(
              object.status as Topic['status'],
              outcome,
              c.figures as TopicFigures | undefined,
              generation,
              now(c),
            );
      await writeStatus(c, status);
      return done(outcome.kind === 'applied' || outcome.kind === 'held' ? c.deps.refreshMs : c.deps.changingRequeueMs);
    },
  },
];

export function reconcileDestination(deps: ReconcileDeps, kind: Kind, key: ObjectKey): Promise<HandlerResult> {
  return runSteps(DESTINATION_STEPS, { deps, kind, key, clusterProblem: '' });
}
