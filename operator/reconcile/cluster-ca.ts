// The CA a WharfCluster's brokers are verified against when its spec.tls is on: ca.crt of the
// cluster's own TLS Secret (the one its pods mount), read through the API. Only ca.crt, the public
// part, is kept. The operator needs `get` on that Secret, by name, in the cluster's namespace
// (brokerTlsSecretRules in ../rbac.ts); a missing Secret, ca.crt or permission is a
// FAILED_PRECONDITION saying which, for the cluster's status and the webhook's refusal.
import { failedPrecondition, isWharfError } from '../../common/errors.ts';
import { TLS_CA_FILE } from '../../common/tls.ts';
import type { WharfCluster } from '../../crds/types.ts';
import { tlsSecretName } from '../model/cluster-spec.ts';
import type { ObjectKey } from '../model/names.ts';
import { KubeApiError, type KubeClient } from '../runtime/kube-client.ts';
import { resourcePath } from '../runtime/resource-paths.ts';

/** The CA bundle (PEM) to verify `cluster`'s brokers with; undefined when its TLS is off. */
export async function readClusterCa(kube: KubeClient, cluster: WharfCluster): Promise<string | undefined> {
  const secretName = tlsSecretName(cluster);
  if (secretName === undefined) return undefined;
  const namespace = cluster.metadata.namespace ?? 'default';
  const where = `WharfCluster ${namespace}/${cluster.metadata.name ?? ''} has TLS on, but its Secret ${namespace}/${secretName}`;
  let secret: { data?: Record<string, string> } | undefined;
  try {
    secret = await kube.get<{ data?: Record<string, string> }>(resourcePath('Secret', namespace, secretName));
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.statusCode !== 403) throw error;
    throw failedPrecondition(
      `${where} may not be read by the operator: give its ServiceAccount get on it ` +
        `(a Role in ${namespace} with resourceNames [${secretName}], and a RoleBinding)`,
    );
  }
  if (secret === undefined) throw failedPrecondition(`${where} does not exist (yet)`);
  const caBase64 = secret.data?.[TLS_CA_FILE];
  if (caBase64 === undefined || caBase64 === '') {
    throw failedPrecondition(`${where} has no ${TLS_CA_FILE} to verify the brokers with`);
  }
  return Buffer.from(caBase64, 'base64').toString('utf8');
}

/** How long a cluster's CA (or its TLS being off) is used before it is read again. */
export const CLUSTER_CA_TTL_MS = 60_000;

/**
 * The CA of a cluster named by key, for the sidecar-injection webhook (which runs on every replica,
 * without the controllers' caches): the WharfCluster and its Secret read through the API, kept
 * for CLUSTER_CA_TTL_MS. A cluster that does not exist has no CA (the sidecar talks plaintext, as
 * without TLS; it fails to connect until the cluster is there either way).
 */
export class ClusterCaCache {
  readonly #kube: KubeClient;
  readonly #nowMs: () => number;
  readonly #entries = new Map<string, { readonly ca: string | undefined; readonly readAtMs: number }>();

  constructor(kube: KubeClient, nowMs: () => number = Date.now) {
    this.#kube = kube;
    this.#nowMs = nowMs;
  }

  async caOf(key: ObjectKey): Promise<string | undefined> {
    const id = `${key.namespace}/${key.name}`;
    const nowMs = this.#nowMs();
    const known = this.#entries.get(id);
    if (known !== undefined && nowMs - known.readAtMs < CLUSTER_CA_TTL_MS) return known.ca;
    let ca: string | undefined;
    try {
      const cluster = await this.#kube.get<WharfCluster>(resourcePath('WharfCluster', key.namespace, key.name));
      ca = cluster === undefined ? undefined : await readClusterCa(this.#kube, cluster);
    } catch (error) {
      // The API server did not answer: what was read last is better than refusing every pod.
      if (known !== undefined && !isWharfError(error)) return known.ca;
      throw error;
    }
    this.#entries.set(id, { ca, readAtMs: nowMs });
    // Bounded: clusters are few; forget the stale ones when there are many.
    if (this.#entries.size > 1_000) {
      for (const [other, entry] of this.#entries) {
        if (nowMs - entry.readAtMs >= CLUSTER_CA_TTL_MS) this.#entries.delete(other);
      }
    }
    return ca;
  }
}
