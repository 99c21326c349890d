// Where a WharfCluster's brokers are. In a cluster: pod `i` at its headless-Service name, the
// Admin API through the client Service. With an override (flag --broker-override or
// WHARF_OPERATOR_BROKERS): a fixed list of members, so tests can stand local broker processes in
// for the pods. Also decides whether a member is ready to be added: its pod's Ready condition, or
// for an override, whether its process answers.
import * as grpc from '@grpc/grpc-js';
import { connect, LEADER_TRAILER, type WharfClient } from '../../client/client.ts';
import { isServiceError } from '../../client/unary.ts';
import { CLIENT_PORT, clientEndpoint, memberId, type ObjectKey, PEER_PORT, podHost } from '../model/names.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import { resourcePath } from '../runtime/resource-paths.ts';

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

export class BrokerDirectory {
  readonly #overrides: BrokerOverrides;
  readonly #clusterDomain: string;
  readonly #kube: KubeClient;
  readonly #clients = new Map<string, WharfClient>();

  constructor(overrides: BrokerOverrides, clusterDomain: string, kube: KubeClient) {
    this.#overrides = overrides;
    this.#clusterDomain = clusterDomain;
    this.#kube = kube;
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
    return this.clientAt(this.adminAddress(key));
  }

  /** A client of one broker (e.g. the leader named by GetClusterStatus), kept per address. */
  clientAt(address: string): WharfClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = connect(address, { deadlineMs: ADMIN_DEADLINE_MS });
      this.#clients.set(address, client);
    }
    return client;
  }

  /** Whether member `ordinal`'s broker can be added: pod Ready, or (override) its process answers. */
  async isReady(key: ObjectKey, ordinal: number): Promise<boolean> {
    if (this.isOverridden(key)) {
      const client = connect(this.member(key, ordinal).clientAddress, {
        deadlineMs: READY_PROBE_DEADLINE_MS,
        followLeader: false,
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

  /** Drops the clients of one cluster (it was deleted). */
  forget(key: ObjectKey): void {
    const address = this.adminAddress(key);
    this.#clients.get(address)?.close();
    this.#clients.delete(address);
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
