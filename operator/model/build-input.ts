// What every builder of a WharfCluster's children is a function of: the resource, its spec with
// defaults, the operator's settings, and the membership facts the reconciler observed (how many
// pods the StatefulSet runs now, which members bootstrapped the cluster). Pure module.
import type { WharfCluster } from '../../crds/types.ts';
import { type ClusterSpec, clusterSpec, type OperatorSettings } from './cluster-spec.ts';

export interface Topology {
  /** Pods the StatefulSet should run now (differs from spec.replicas while membership changes). */
  readonly statefulSetReplicas: number;
  /** Ordinals 0..initialReplicas-1 bootstrapped the Raft group; later pods join as learners. */
  readonly initialReplicas: number;
}

export interface BuildInput {
  readonly cluster: WharfCluster;
  readonly spec: ClusterSpec;
  readonly settings: OperatorSettings;
  readonly topology: Topology;
}

export function buildInput(cluster: WharfCluster, settings: OperatorSettings, topology?: Topology): BuildInput {
  const spec = clusterSpec(cluster, settings);
  return {
    cluster,
    spec,
    settings,
    topology: topology ?? { statefulSetReplicas: spec.replicas, initialReplicas: spec.replicas },
  };
}
