// What every reconciler is given: the API, the brokers, events, time, logs, settings, and the
// informer caches to read objects from.
import type { Logger } from '../../common/logger.ts';
import type { Queue, Topic, WharfCluster } from '../../crds/types.ts';
import type { OperatorSettings } from '../model/cluster-spec.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import type { Timers } from '../runtime/timers.ts';
import type { BrokerDirectory } from './broker-directory.ts';

/** What reconcilers use of the broker directory (tests pass a fake). */
export type Brokers = Pick<
  BrokerDirectory,
  'admin' | 'adminAddress' | 'clientAt' | 'forget' | 'isOverridden' | 'isReady' | 'member' | 'prepare'
>;

import type { EventRecorder } from './events.ts';

export interface Cache<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): T[];
}

export interface ReconcileDeps {
  readonly kube: KubeClient;
  readonly brokers: Brokers;
  readonly events: EventRecorder;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly settings: OperatorSettings;
  readonly clusters: Cache<WharfCluster>;
  readonly queues: Cache<Queue>;
  readonly topics: Cache<Topic>;
  /** Requeue period while a cluster changes membership or pods start. */
  readonly changingRequeueMs: number;
  /** Requeue period of a settled cluster, and of Queue/Topic status refreshes. */
  readonly refreshMs: number;
}

/** "namespace/name" work queue keys. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function objectKey(object: { metadata?: { namespace?: string; name?: string } }): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
