// Which broker serves a destination. Starts from the seed list, learns the members from
// AdminService.GetClusterStatus, remembers the leader each destination was last found at, and
// forgets it on UNAVAILABLE (following a leader hint when the refusal names one). One channel per
// broker address, shared by the BrokerService and AdminService stubs. Every map is bounded.
import * as grpc from '@grpc/grpc-js';
import { FLOW_CONTROL_WINDOW_BYTES } from '../client/client.ts';
import { adminProto, brokerProto } from '../client/proto.ts';
import type { Logger } from '../common/logger.ts';
import type { AdminServiceClient } from '../proto/gen/wharf/v1/AdminService.ts';
import type { BrokerServiceClient } from '../proto/gen/wharf/v1/BrokerService.ts';
import type { GetClusterStatusResponse__Output } from '../proto/gen/wharf/v1/GetClusterStatusResponse.ts';
import { LEADER_METADATA_KEY, leaderHint } from './retry.ts';

/** Largest message the sidecar sends or accepts upstream (the broker takes 64 MiB). */
export const UPSTREAM_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;
export const MEMBERS_MAX = 64;
export const ROUTES_MAX = 10_000;
const STATUS_DEADLINE_MS = 2_000;

/**
 * Ready means a quorum answers: a majority of the voters the status lists are healthy (a status
 * that lists no voters, as from an older broker, counts as ready when it answered at all).
 */
export function hasQuorum(status: GetClusterStatusResponse__Output): boolean {
  const voters = status.members.filter((m) => m.voter);
  if (voters.length === 0) return true;
  return voters.filter((m) => m.healthy).length * 2 > voters.length;
}

export interface Upstream {
  readonly address: string;
  readonly broker: BrokerServiceClient;
  readonly admin: AdminServiceClient;
}

/** The pure part: the member list and the per-destination routes, with their bounds. */
export class RouteTable {
  #members: string[];
  readonly #seeds: readonly string[];
  /** Index into #members of the broker tried first for destinations with no known route. */
  #preferred = 0;
  readonly #routes = new Map<string, string>();

  constructor(seeds: readonly string[]) {
    if (seeds.length === 0) throw new Error('a route table needs at least one seed');
    this.#seeds = seeds.slice(0, MEMBERS_MAX);
    this.#members = [...this.#seeds];
  }

  get members(): readonly string[] {
    return this.#members;
  }

  addressFor(destination: string): string {
    const known = this.#routes.get(destination);
    if (known !== undefined) return known;
    return this.#members[this.#preferred % this.#members.length] ?? (this.#seeds[0] as string);
  }

  /** A call for `destination` succeeded at `address`: remember it (LRU order refreshed). */
  confirmed(destination: string, address: string): void {
    if (destination === '') return;
    this.#routes.delete(destination);
    this.#routes.set(destination, address);
    if (this.#routes.size > ROUTES_MAX) {
      const oldest = this.#routes.keys().next().value;
      if (oldest !== undefined) this.#routes.delete(oldest);
    }
  }

  /** `address` refused or failed for `destination`: go to the hinted leader, or try the next member. */
  failed(destination: string, address: string, hint: string | undefined): void {
    if (hint !== undefined && hint !== address) {
      this.#addMember(hint);
      if (destination !== '') this.confirmed(destination, hint);
      return;
    }
    if (destination !== '') this.#routes.delete(destination);
    if (this.#members[this.#preferred % this.#members.length] === address) {
      this.#preferred = (this.#preferred + 1) % this.#members.length;
    }
  }

  /** The members a cluster status listed (plus the seeds, in case the listing is partial). */
  learned(status: GetClusterStatusResponse__Output): void {
    const listed = status.members.map((m) => m.address).filter((a) => a !== '');
    const members = [...new Set([...listed, ...this.#seeds])].slice(0, MEMBERS_MAX);
    this.#members = members;
    const leader = status.members.find((m) => m.leader && m.address !== '');
    this.#preferred = leader === undefined ? 0 : Math.max(0, members.indexOf(leader.address));
    // Routes to brokers that left are forgotten.
    for (const [destination, address] of this.#routes) {
      if (!members.includes(address)) this.#routes.delete(destination);
    }
  }

  #addMember(address: string): void {
    if (this.#members.includes(address) || this.#members.length >= MEMBERS_MAX) return;
    this.#members = [...this.#members, address];
  }
}

export interface RouterOptions {
  readonly seeds: readonly string[];
  readonly logger: Logger;
  readonly refreshIntervalMs: number;
  /** Called when readiness changes (health: SERVING once a broker answered with a quorum). */
  readonly onReachable?: (reachable: boolean) => void;
  /** Credentials of the upstream channels (TLS to brokers that serve it). Default: plaintext. */
  readonly credentials?: grpc.ChannelCredentials;
}

export class Router {
  readonly table: RouteTable;
  readonly #upstreams = new Map<string, Upstream>();
  readonly #logger: Logger;
  readonly #onReachable: ((reachable: boolean) => void) | undefined;
  readonly #credentials: grpc.ChannelCredentials;
  #refreshing: Promise<boolean> | undefined;
  #reachable = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RouterOptions) {
    this.table = new RouteTable(options.seeds);
    this.#logger = options.logger;
    this.#onReachable = options.onReachable;
    this.#credentials = options.credentials ?? grpc.credentials.createInsecure();
    this.#timer = setInterval(() => void this.refresh(), options.refreshIntervalMs);
    this.#timer.unref();
  }

  get reachable(): boolean {
    return this.#reachable;
  }

  upstream(address: string): Upstream {
    let upstream = this.#upstreams.get(address);
    if (upstream === undefined) {
      const options: grpc.ChannelOptions = {
        'grpc.max_receive_message_length': UPSTREAM_MESSAGE_BYTES_MAX,
        'grpc.max_send_message_length': UPSTREAM_MESSAGE_BYTES_MAX,
        // A broker that stops answering (paused, partitioned, its host gone) is given up within
        // about 5 s: the connection closes, calls on it fail with UNAVAILABLE, and publishes are
        // sent again (same dedup_id) to the leader the others have elected meanwhile. With the
        // 30 s of before, a paused leader held every publish for as long as it was paused.
        'grpc.keepalive_time_ms': 2_000,
        'grpc.keepalive_timeout_ms': 3_000,
        'grpc.keepalive_permit_without_calls': 1,
        // Reconnect quickly after a broker restart: the sidecar's retries wait on this channel.
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 2_000,
        // Channelz would track every call; nothing reads it.
        'grpc.enable_channelz': 0,
        // As the client library does: with Node's 64 KiB default receive window the broker can
        // push only about 60 deliveries of 1 KiB before it waits for a window update, and a
        // Consume stream through the sidecar becomes latency-bound.
        'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
      };
      const channel = new grpc.Channel(address, this.#credentials, options);
      upstream = {
        address,
        broker: new brokerProto.wharf.v1.BrokerService(address, this.#credentials, {
          ...options,
          channelOverride: channel,
        }),
        admin: new adminProto.wharf.v1.AdminService(address, this.#credentials, {
          ...options,
          channelOverride: channel,
        }),
      };
      this.#upstreams.set(address, upstream);
      // Members are bounded, but hints can name addresses that later leave: close the extras.
      if (this.#upstreams.size > MEMBERS_MAX * 2) this.#closeUnused();
    }
    return upstream;
  }

  /** The broker to call for `destination` now. */
  route(destination: string): Upstream {
    return this.upstream(this.table.addressFor(destination));
  }

  confirmed(destination: string, address: string): void {
    this.table.confirmed(destination, address);
    this.#setReachable(true);
  }

  /** Records an UNAVAILABLE (or lost connection) from `address` and refreshes the member list. */
  failed(destination: string, address: string, error: grpc.ServiceError | undefined): void {
    const metadataValue = error?.metadata?.get(LEADER_METADATA_KEY)[0];
    const hint = leaderHint(error?.details ?? '', typeof metadataValue === 'string' ? metadataValue : undefined);
    this.table.failed(destination, address, hint);
    void this.refresh();
  }

  /** Asks the members for the cluster status (one refresh at a time); true if one answered. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<boolean> {
    for (const address of this.table.members) {
      if (this.#closed) return false;
      try {
        const status = await new Promise<GetClusterStatusResponse__Output>((resolve, reject) => {
          this.upstream(address).admin.GetClusterStatus(
            {},
            { deadline: Date.now() + STATUS_DEADLINE_MS },
            (error, value) => (error || value === undefined ? reject(error) : resolve(value)),
          );
        });
        this.table.learned(status);
        const ready = hasQuorum(status);
        this.#setReachable(ready);
        return ready;
      } catch (error) {
        this.#logger.debug({ err: error, address }, 'broker did not answer GetClusterStatus');
      }
    }
    this.#setReachable(false);
    return false;
  }

  #setReachable(reachable: boolean): void {
    if (reachable === this.#reachable) return;
    this.#reachable = reachable;
    this.#logger.info(
      { reachable, members: this.table.members },
      reachable ? 'brokers reachable' : 'no broker reachable',
    );
    this.#onReachable?.(reachable);
  }

  #closeUnused(): void {
    for (const [address, upstream] of this.#upstreams) {
      if (this.table.members.includes(address)) continue;
      upstream.broker.close();
      upstream.admin.close();
      this.#upstreams.delete(address);
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const upstream of this.#upstreams.values()) {
      upstream.broker.close();
      upstream.admin.close();
    }
    this.#upstreams.clear();
  }
}
