// The headless Service that gives each broker pod a stable DNS name for Raft traffic. It publishes
// addresses of pods that are not ready yet: a member must reach its peers before it can become
// ready (an election needs them). Pure module.
import type { BuildInput } from './build-input.ts';
import { CLIENT_PORT, childMetadata, headlessServiceName, keyOf, PEER_PORT, selectorLabels } from './names.ts';

export function buildHeadlessService(input: BuildInput): Record<string, unknown> {
  const key = keyOf(input.cluster);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(input.cluster, headlessServiceName(key)),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(key),
      ports: [
        { name: 'grpc', port: CLIENT_PORT, targetPort: CLIENT_PORT, protocol: 'TCP' },
        { name: 'raft', port: PEER_PORT, targetPort: PEER_PORT, protocol: 'TCP' },
      ],
    },
  };
}
