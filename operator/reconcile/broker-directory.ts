// Where a WharfCluster's brokers are. In a cluster: pod `i` at its headless-Service name, the
// Admin API through the client Service. With an override (flag --broker-override or
// WHARF_OPERATOR_BROKERS): a fixed list of members, so tests can stand local broker processes in
// for the pods. Also decides whether a member is ready to be added: its pod's Ready condition, or
// for an override, whether its process answers.
//
// A cluster with spec.tls on serves its Admin API with TLS: its brokers are verified against ca.crt
// of the cluster's own TLS Secret (the one its pods mount), read through the API (the operator
// needs `get` on that Secret: ./cluster-ca.ts). prepare() reads it, again after TRUST_TTL_MS so a
// new CA is followed, and drops the clients made with an old one.
import * as grpc from '@grpc/grpc-js';
import { type ClientTls, connect, LEADER_TRAILER, type WharfClient } from '../../client/client.ts';
import { isServiceError } from '../../client/unary.ts';
import type { WharfCluster } from '../../crds/types.ts';
import { tlsSecretName } from '../model/cluster-spec.ts';
import { CLIENT_PORT, clientEndpoint, memberId, type ObjectKey, PEER_PORT, podHost } from '../model/names.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import { resourcePath } from '../runtime/resource-paths.ts';
import { CLUSTER_CA_TTL_MS, readClusterCa } from './cluster-ca.ts';

export interface MemberEndpoint {
  readonly id: string;
  /** host:clientPort */
  readonly clientAddress: string;
  /** host:clientPort:peerPort, as AddMember and --peers take it. */
  readonly memberAddress: string;
}

/** "messaging/wharf" → members listed as id=host:clientPort:peerPort. */
export type BrokerOverrides = ReadonlyMap<string, readonly MemberEndpoint[]>;

export class OverrideError extends Error {
  override name = 'OverrideError';
}

/**
 * Parses "NS/NAME=ID=HOST:CLIENT:PEER,ID=HOST:CLIENT:PEER" entries (several clusters separated by
 * ';' or given as separate entries). The listed order is the ordinal order.
 */
export function parseBrokerOverrides(entries: readonly string[]): BrokerOverrides {
  const out = new Map<string, MemberEndpoint[]>();
  for (const entry of entries.flatMap((e) => e.split(';')).map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const cluster = entry.slice(0, eq);
    if (eq < 0 || !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(cluster)) {
      throw new OverrideError(`broker override "${entry}": expected NAMESPACE/NAME=ID=HOST:CLIENT:PEER,...`);
    }
    const members = entry
      .slice(eq + 1)
      .split(',')
      .map((part) => {
        const match = /^([A-Za-z0-9][\w.-]*)=([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5}):(\d{1,5})$/.exec(part.trim());
        if (match === null)
          throw new OverrideError(`broker override for ${cluster}: "${part}" is not ID=HOST:CLIENT:PEER`);
        const [, id, host, client, peer] = match as unknown as [string, string, string, string, string];
        return { id, clientAddress: `${host}:${client}`, memberAddress: `${host}:${client}:${peer}` };
      });
    out.set(cluster, members);
  }
  return out;
}

const READY_PROBE_DEADLINE_MS = 2_000;
const ADMIN_DEADLINE_MS = 10_000;
/** How long a cluster's CA is used before its Secret is read again. */
export const TRUST_TTL_MS = CLUSTER_CA_TTL_MS;

/** How the operator talks to one cluster's brokers. */
interface Trust {
  /** Undefined: plaintext (spec.tls off). */
  readonly tls: ClientTls | undefined;
  readonly readAtMs: number;
}

const keyString = (key: ObjectKey): string => `${key.namespace}/${key.name}`;

export class BrokerDirectory {
  readonly #overrides: BrokerOverrides;
  readonly #clusterDomain: string;
  readonly #kube: KubeClient;
  readonly #nowMs: () => number;
  /** Clients by "namespace/name|address": each made with its cluster's trust. */
  readonly #clients = new Map<string, WharfClient>();
  readonly #trust = new Map<string, Trust>();

  constructor(overrides: BrokerOverrides, clusterDomain: string, kube: KubeClient, nowMs: () => number = Date.now) {
    this.#overrides = overrides;
    this.#clusterDomain = clusterDomain;
    this.#kube = kube;
    this.#nowMs = nowMs;
  }

  /**
   * Learns how to reach `cluster`'s brokers (plaintext, or TLS with the CA of its Secret) before
   * admin/clientAt/isReady are used for it. Throws FAILED_PRECONDITION when TLS is on and the
   * Secret or its ca.crt is missing (cert-manager may not have issued the certificate yet).
   */
  async prepare(cluster: WharfCluster): Promise<void> {
    const key = { namespace: cluster.metadata.namespace ?? 'default', name: cluster.metadata.name ?? '' };
    const id = keyString(key);
    const known = this.#trust.get(id);
    const nowMs = this.#nowMs();
    if (tlsSecretName(cluster) === undefined) {
      if (known?.tls !== undefined) this.forget(key); // TLS turned off: no client keeps the old CA
      this.#trust.set(id, { tls: undefined, readAtMs: nowMs });
      return;
    }
    if (known?.tls !== undefined && nowMs - known.readAtMs < TRUST_TTL_MS) return;
    const ca = (await readClusterCa(this.#kube, cluster)) ?? '';
    if (known?.tls === undefined || known.tls.ca !== ca) this.forget(key);
    this.#trust.set(id, { tls: { ca }, readAtMs: nowMs });
  }

  isOverridden(key: ObjectKey): boolean {
    return this.#overrides.has(`${key.namespace}/${key.name}`);
  }

  /** Member `ordinal` of the cluster. */
  member(key: ObjectKey, ordinal: number): MemberEndpoint {
    const listed = this.#overrides.get(`${key.namespace}/${key.name}`);
    if (listed !== undefined) {
      const found = listed[ordinal];
      if (found === undefined) {
        throw new OverrideError(`the broker override for ${key.namespace}/${key.name} lists no member ${ordinal}`);
      }
      return found;
    }
    const host = podHost(key, ordinal, this.#clusterDomain);
    return {
      id: memberId(key, ordinal),
      clientAddress: `${host}:${CLIENT_PORT}`,
      memberAddress: `${host}:${CLIENT_PORT}:${PEER_PORT}`,
    };
  }

  /** The address the Admin API is called on (followers redirect to the leader). */
  adminAddress(key: ObjectKey): string {
    const listed = this.#overrides.get(`${key.namespace}/${key.name}`);
    return listed?.[0]?.clientAddress ?? clientEndpoint(key, this.#clusterDomain);
  }

  /** A client of the cluster's Admin API, kept per address. */
  admin(key: ObjectKey): WharfClient {
    return this.clientAt(key, this.adminAddress(key));
  }

  /** A client of one of the cluster's brokers (e.g. the leader GetClusterStatus named). */
  clientAt(key: ObjectKey, address: string): WharfClient {
    const id = `${keyString(key)}|${address}`;
    let client = this.#clients.get(id);
    if (client === undefined) {
      client = connect(address, { deadlineMs: ADMIN_DEADLINE_MS, ...this.#tlsOptions(key) });
      this.#clients.set(id, client);
    }
    return client;
  }

  /** The TLS options for `key`'s brokers; prepare() must have run (never plaintext by default). */
  #tlsOptions(key: ObjectKey): { tls?: ClientTls } {
    const trust = this.#trust.get(keyString(key));
    if (trust === undefined) throw new Error(`BrokerDirectory: prepare() was not called for ${keyString(key)}`);
    return trust.tls === undefined ? {} : { tls: trust.tls };
  }

  /** Whether member `ordinal`'s broker can be added: pod Ready, or (override) its process answers. */
  async isReady(key: ObjectKey, ordinal: number): Promise<boolean> {
    if (this.isOverridden(key)) {
      const client = connect(this.member(key, ordinal).clientAddress, {
        deadlineMs: READY_PROBE_DEADLINE_MS,
        followLeader: false,
        ...this.#tlsOptions(key),
      });
      try {
        await client.clusterStatus();
        return true;
      } catch (error) {
        // A member waiting to join may refuse the call, but answering at all means it is up; only
        // "cannot connect" (UNAVAILABLE without a leader hint) and silence mean it is not.
        if (!isServiceError(error) || error.code === grpc.status.DEADLINE_EXCEEDED) return false;
        return error.code !== grpc.status.UNAVAILABLE || error.metadata.get(LEADER_TRAILER).length > 0;
      } finally {
        client.close();
      }
    }
    const pod = await this.#kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
      resourcePath('Pod', key.namespace, memberId(key, ordinal)),
    );
    return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  }

  /** Drops the clients of one cluster (it was deleted, or its CA changed) and what it trusted. */
  forget(key: ObjectKey): void {
    const prefix = `${keyString(key)}|`;
    for (const [id, client] of this.#clients) {
      if (!id.startsWith(prefix)) continue;
      client.close();
      this.#clients.delete(id);
    }
    this.#trust.delete(keyString(key));
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
    this.#trust.clear();
  }
}
