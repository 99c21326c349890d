// What the API needs to know in cluster mode (several members replicate one Raft group): who
// leads, where its API listens, and who the members are. Calls that change or lease state are
// served by the leader only; on a follower they fail with UNAVAILABLE carrying the leader's client
// address (trailer `wharf-leader` and "leader: host:port" in the message), which the sidecar and
// the CLI follow. Single-member brokers have no ClusterView and serve everything themselves.
import { NotLeaderError } from '../../common/errors.ts';
import type { Member } from '../../proto/gen/wharf/v1/Member.ts';
import type { MemberId } from '../raft/messages.ts';

export interface ClusterView {
  readonly clusterId: string;
  isLeader(): boolean;
  /** The error a follower answers with: NotLeaderError with the leader's client address when known. */
  notLeader(): NotLeaderError;
  members(): Member[];
  /**
   * Calls `listener` each time this member stops leading, and just before it hands leadership
   * over (still leading then, so what the listener settles is settled here and redelivered at
   * once); a returned promise is waited for, briefly. Returns the unsubscribe function.
   */
  onLeadershipLost(listener: () => void | Promise<void>): () => void;
  /** Adds a member (`host:clientPort:peerPort`) as a learner, then a voter once caught up. */
  addMember(id: MemberId, address: string): Promise<Member[]>;
  removeMember(id: MemberId): Promise<Member[]>;
  /** Moves leadership off `from` ('' = this leader) to `to` ('' = the best-placed voter). */
  transferLeadership(to: MemberId, from: MemberId): Promise<void>;
}

/** Throws the follower's answer unless this broker may serve state-changing calls. */
export function requireLeader(cluster: ClusterView | undefined): void {
  if (cluster !== undefined && !cluster.isLeader()) throw cluster.notLeader();
}

/** The follower's answer, given the leader's member id (or '' when none is known). */
export function notLeaderError(
  self: MemberId,
  leader: MemberId,
  clientAddress: (id: MemberId) => string | undefined,
): NotLeaderError {
  const address = leader === '' || leader === self ? undefined : clientAddress(leader);
  if (address === undefined) {
    return new NotLeaderError(`${self} is not the leader and no leader is known yet; retry shortly`);
  }
  return new NotLeaderError(`${self} is not the leader; leader: ${address} (${leader})`, address);
}
