// The PodDisruptionBudget: voluntary evictions (node drains) may take down at most as many brokers
// as keep a majority of the Raft group, and never more than one at a time. Pure module.
import type { BuildInput } from './build-input.ts';
import { childMetadata, keyOf, podDisruptionBudgetName, selectorLabels } from './names.ts';

/** Pods that may be away at once while a majority of `replicas` stays up (at least 0). */
export function maxUnavailable(replicas: number): number {
  const tolerated = Math.floor((replicas - 1) / 2);
  return Math.min(1, Math.max(0, tolerated));
}

export function buildPodDisruptionBudget(input: BuildInput): Record<string, unknown> {
  const key = keyOf(input.cluster);
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(input.cluster, podDisruptionBudgetName(key)),
    spec: {
      maxUnavailable: maxUnavailable(input.spec.replicas),
      selector: { matchLabels: selectorLabels(key) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
