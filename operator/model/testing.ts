// A WharfCluster for the builders' tests.
import { API_VERSION, type WharfCluster, type WharfClusterSpec } from '../../crds/types.ts';

export function sampleCluster(spec: WharfClusterSpec = {}, name = 'wharf', namespace = 'messaging'): WharfCluster {
  return {
    apiVersion: API_VERSION,
    kind: 'WharfCluster',
    metadata: { name, namespace, uid: 'uid-1', generation: 1 },
    spec,
  };
}
