// The CA the webhook gives a cluster's sidecars: none when TLS is off or the cluster does not
// exist, ca.crt of its Secret when on (read again only after the TTL), a reason when unreadable.
import { expect, it } from 'vitest';
import type { KubeClient } from '../runtime/kube-client.ts';
import { CLUSTER_CA_TTL_MS, ClusterCaCache } from './cluster-ca.ts';

it('reads the cluster and its Secret, keeps the answer for the TTL, and says why it has none', async () => {
  const objects = new Map<string, unknown>();
  const reads: string[] = [];
  const kube = {
    get: async (path: string) => {
      reads.push(path);
      return objects.get(path);
    },
  } as unknown as KubeClient;
  let nowMs = 0;
  const cas = new ClusterCaCache(kube, () => nowMs);
  const clusterPath = '/apis/wharf.dev/v1alpha1/namespaces/messaging/wharfclusters/wharf';
  const secretPath = '/api/v1/namespaces/messaging/secrets/wharf-tls';
  const key = { namespace: 'messaging', name: 'wharf' };

  expect(await cas.caOf(key)).toBeUndefined(); // no such cluster
  nowMs += CLUSTER_CA_TTL_MS;
  objects.set(clusterPath, { metadata: { name: 'wharf', namespace: 'messaging' }, spec: {} });
  expect(await cas.caOf(key)).toBeUndefined(); // TLS off
  nowMs += CLUSTER_CA_TTL_MS;
  objects.set(clusterPath, { metadata: { name: 'wharf', namespace: 'messaging' }, spec: { tls: { enabled: true } } });
  await expect(cas.caOf(key)).rejects.toThrow('its Secret messaging/wharf-tls does not exist (yet)');
  objects.set(secretPath, { data: { 'ca.crt': Buffer.from('CA ONE').toString('base64') } });
  expect(await cas.caOf(key)).toBe('CA ONE');
  const readsSoFar = reads.length;
  objects.set(secretPath, { data: { 'ca.crt': Buffer.from('CA TWO').toString('base64') } });
  expect(await cas.caOf(key)).toBe('CA ONE');
  expect(reads).toHaveLength(readsSoFar);
  nowMs += CLUSTER_CA_TTL_MS;
  expect(await cas.caOf(key)).toBe('CA TWO');
});
