// Read-index requests (thesis §6.4): the leader records its commit index, confirms it is still
// leader with a round of heartbeats acknowledged by a quorum, and only then releases the read.
import { assert } from '../../common/assert.ts';
import { quorum } from './conf.ts';
import type { ConfState, MemberId } from './messages.ts';

export interface ReadRequest {
  readonly index: number;
  readonly context: Uint8Array;
  /** Who asked: the leader itself, or a follower that forwarded it. */
  readonly from: MemberId;
  readonly acks: Set<MemberId>;
}

export function contextKey(context: Uint8Array): string {
  let key = '';
  for (const byte of context) key += byte.toString(16).padStart(2, '0');
  return key;
}

export class ReadOnly {
  private readonly maxPending: number;
  private queue: ReadRequest[] = [];

  constructor(maxPending: number) {
    this.maxPending = maxPending;
  }

  full(): boolean {
    return this.queue.length >= this.maxPending;
  }

  pendingCount(): number {
    return this.queue.length;
  }

  add(index: number, context: Uint8Array, from: MemberId, self: MemberId): void {
    assert(!this.full(), 'read-index queue bounded');
    const key = contextKey(context);
    if (this.queue.some((r) => contextKey(r.context) === key)) return;
    this.queue.push({ index, context, from, acks: new Set([self]) });
  }

  /**
   * A heartbeat acknowledgement carrying `context`. When its request reaches a quorum, it and every
   * request queued before it are confirmed (the leader was still leader when they were made).
   */
  recvAck(from: MemberId, context: Uint8Array, conf: ConfState): readonly ReadRequest[] {
    const key = contextKey(context);
    const at = this.queue.findIndex((r) => contextKey(r.context) === key);
    const request = this.queue[at];
    if (request === undefined) return [];
    request.acks.add(from);
    const votes = conf.voters.filter((v) => request.acks.has(v)).length;
    if (votes < quorum(conf)) return [];
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    return released;
  }

  /** Requests already satisfied by a smaller quorum after a membership change. */
  recheck(conf: ConfState): readonly ReadRequest[] {
    let last = -1;
    this.queue.forEach((r, i) => {
      if (conf.voters.filter((v) => r.acks.has(v)).length >= quorum(conf)) last = i;
    });
    const released = this.queue.slice(0, last + 1);
    this.queue = this.queue.slice(last + 1);
    return released;
  }

  reset(): void {
    this.queue = [];
  }
}
