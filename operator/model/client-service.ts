// The client Service: the address sidecars, the CLI and the operator use (ready pods only; a
// follower answers with the leader's address and clients follow it). Pure module.
import type { BuildInput } from './build-input.ts';
import { CLIENT_PORT, childMetadata, clientServiceName, keyOf, METRICS_PORT, selectorLabels } from './names.ts';

export function buildClientService(input: BuildInput): Record<string, unknown> {
  const key = keyOf(input.cluster);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(input.cluster, clientServiceName(key)),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(key),
      ports: [
        { name: 'grpc', port: CLIENT_PORT, targetPort: CLIENT_PORT, protocol: 'TCP', appProtocol: 'grpc' },
        { name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT, protocol: 'TCP' },
      ],
    },
  };
}
