// The ConfigMap the broker pods read their membership from: `peers` (every member the StatefulSet
// may run, as id=host:clientPort:peerPort, the broker's --peers form) and `initial-members` (the
// members that bootstrapped the group, as WHARF_INITIAL_MEMBERS: a broker whose id is not listed
// must start in join mode and wait for AddMember instead of bootstrapping a group of its own).
// Pods read it through env at start, so a scale changes it without restarting running pods.
// Pure module.
import type { BuildInput } from './build-input.ts';
import { CLIENT_PORT, childMetadata, configMapName, keyOf, memberId, PEER_PORT, podHost } from './names.ts';

export const PEERS_KEY = 'peers';
export const INITIAL_MEMBERS_KEY = 'initial-members';

/** The --peers value for ordinals 0..count-1. */
export function peersValue(input: BuildInput, count: number): string {
  const key = keyOf(input.cluster);
  return Array.from(
    { length: count },
    (_, i) => `${memberId(key, i)}=${podHost(key, i, input.settings.clusterDomain)}:${CLIENT_PORT}:${PEER_PORT}`,
  ).join(',');
}

export function buildConfigMap(input: BuildInput): Record<string, unknown> {
  const key = keyOf(input.cluster);
  const count = Math.max(input.spec.replicas, input.topology.statefulSetReplicas);
  const initial = Array.from({ length: input.topology.initialReplicas }, (_, i) => memberId(key, i)).join(',');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(input.cluster, configMapName(key)),
    data: { [PEERS_KEY]: peersValue(input, count), [INITIAL_MEMBERS_KEY]: initial },
  };
}
