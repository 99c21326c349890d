// The messages of one destination, indexed by a local sequence number (1, 2, ...), in columns of
// typed arrays grouped into chunks of CHUNK sequence numbers. A waiting queue message costs about
// 26 bytes: its log reference, publish time, size, priority and flags. Rare attributes (delay,
// TTL, key, explicit id, topic headers, partition) get their column only in chunks that use them.
// Bodies are never here: they stay in the log at `ref`.

import { assert } from '../../common/assert.ts';
import { PairHeap } from './heap.ts';
import type { MessageRef } from './types.ts';

const CHUNK = 1024;
const INITIAL_CAPACITY = 16;

const ALIVE = 1;
/** Moved in from elsewhere (dead-lettered or redriven): its log index is not in publish order. */
const MOVED = 2;

/** Where a dead-lettered message came from, for its headers and for redrive. */
export interface DeadLetterInfo {
  readonly origin: string;
  readonly subscription: string;
  readonly partition: number;
  readonly attempts: number;
  readonly reason: string;
  readonly timeMs: number;
  readonly originalId: string;
}

export interface NewMessage {
  readonly ref: MessageRef;
  readonly publishMs: number;
  readonly bytes: number;
  readonly priority: number;
  /** 0: deliverable at once. */
  readonly dueMs: number;
  /** 0: never expires. */
  readonly expiresMs: number;
  readonly key: string;
  /** '' when the id is derived from the destination and sequence. */
  readonly id: string;
  /** Kept only by topic stores, for filters of subscriptions created later. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly partition: number;
  /** Per-partition sequence (topics); queues use the local sequence. */
  readonly partitionSeq: number;
  readonly moved: boolean;
}

/** One message's columns, as `scan` hands them out. */
export interface MessageRow {
  seq: number;
  moved: boolean;
  refIndex: number;
  refSlot: number;
  publishMs: number;
  bytes: number;
  priority: number;
  dueMs: number;
  expiresMs: number;
  key: string;
  id: string;
  headers: Readonly<Record<string, string>> | undefined;
  partition: number;
  partitionSeq: number;
}

export function emptyRow(): MessageRow {
  return {
    seq: 0,
    moved: false,
    refIndex: 0,
    refSlot: 0,
    publishMs: 0,
    bytes: 0,
    priority: 0,
    dueMs: 0,
    expiresMs: 0,
    key: '',
    id: '',
    headers: undefined,
    partition: 0,
    partitionSeq: 0,
  };
}

class Chunk {
  live = 0;
  capacity = 0;
  flags = new Uint8Array(0);
  refIndex = new Float64Array(0);
  refSlot = new Uint32Array(0);
  publishMs = new Float64Array(0);
  bytes = new Uint32Array(0);
  priority = new Uint8Array(0);
  dueMs: Float64Array | undefined;
  expiresMs: Float64Array | undefined;
  keys: string[] | undefined;
  ids: string[] | undefined;
  headers: (Readonly<Record<string, string>> | undefined)[] | undefined;
  partition: Uint32Array | undefined;
  partitionSeq: Float64Array | undefined;

  /** Makes room for `offset`; `full` skips the doubling steps (a busy store fills every chunk). */
  ensure(offset: number, full: boolean): void {
    if (offset < this.capacity) return;
    let capacity = Math.max(INITIAL_CAPACITY, this.capacity);
    while (capacity <= offset) capacity *= 2;
    capacity = full ? CHUNK : Math.min(capacity, CHUNK);
    this.flags = grow(this.flags, new Uint8Array(capacity));
    this.refIndex = grow(this.refIndex, new Float64Array(capacity));
    this.refSlot = grow(this.refSlot, new Uint32Array(capacity));
    this.publishMs = grow(this.publishMs, new Float64Array(capacity));
    this.bytes = grow(this.bytes, new Uint32Array(capacity));
    this.priority = grow(this.priority, new Uint8Array(capacity));
    if (this.dueMs !== undefined) this.dueMs = grow(this.dueMs, new Float64Array(capacity));
    if (this.expiresMs !== undefined) this.expiresMs = grow(this.expiresMs, new Float64Array(capacity));
    if (this.partition !== undefined) this.partition = grow(this.partition, new Uint32Array(capacity));
    if (this.partitionSeq !== undefined) this.partitionSeq = grow(this.partitionSeq, new Float64Array(capacity));
    if (this.keys !== undefined) growStrings(this.keys, capacity);
    if (this.ids !== undefined) growStrings(this.ids, capacity);
    if (this.headers !== undefined) while (this.headers.length < capacity) this.headers.push(undefined);
    this.capacity = capacity;
  }
}

function growStrings(column: string[], capacity: number): void {
  while (column.length < capacity) column.push('');
}

function grow<T extends Uint8Array | Uint32Array | Float64Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}

export class MessageStore {
  readonly topic: boolean;
  /** chunks[i] holds sequence numbers [(base + i) * CHUNK, (base + i + 1) * CHUNK). */
  #chunks: (Chunk | undefined)[] = [];
  #base = 0;
  #nextSeq: number;
  #liveCount = 0;
  #liveBytes = 0;
  /** Lowest sequence number that may be live (a cache, advanced lazily). */
  #headSeq: number;
  /** Lowest sequence number that may be a live message published here (not moved in). */
  #nativeHeadSeq: number;
  /** (refIndex, seq) of moved-in messages, whose log indexes are not in sequence order. */
  readonly #movedRefs = new PairHeap();
  /** (expiresMs, seq) of messages with a TTL. */
  readonly ttl = new PairHeap();
  readonly deadLetterInfo = new Map<number, DeadLetterInfo>();
  /** Topic messages redriven to one subscription: seq → subscription uid. Others never see them. */
  readonly target = new Map<number, number>();

  constructor(topic: boolean, nextSeq = 1) {
    this.topic = topic;
    this.#nextSeq = nextSeq;
    this.#headSeq = nextSeq;
    this.#nativeHeadSeq = nextSeq;
    this.#base = Math.floor(nextSeq / CHUNK);
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }
  get liveCount(): number {
    return this.#liveCount;
  }
  get liveBytes(): number {
    return this.#liveBytes;
  }

  /** Restores a message at its old sequence number (snapshots), in ascending order. */
  appendAt(seq: number, m: NewMessage): void {
    assert(Number.isSafeInteger(seq) && seq >= this.#nextSeq, `appendAt ${seq} below ${this.#nextSeq}`);
    this.#nextSeq = seq;
    if (this.#liveCount === 0) {
      this.#headSeq = seq;
      this.#nativeHeadSeq = seq;
    }
    this.append(m);
  }

  /** Restores the next sequence number after `appendAt` (snapshots). */
  restoreNextSeq(nextSeq: number): void {
    assert(nextSeq >= this.#nextSeq, 'restoreNextSeq going back');
    if (this.#liveCount === 0) {
      this.#headSeq = nextSeq;
      this.#nativeHeadSeq = nextSeq;
    }
    this.#nextSeq = nextSeq;
  }

  append(m: NewMessage): number {
    const seq = this.#nextSeq++;
    const chunkNo = Math.floor(seq / CHUNK);
    let index = chunkNo - this.#base;
    if (this.#chunks.length === 0) {
      this.#base = chunkNo;
      index = 0;
    }
    while (this.#chunks.length <= index) this.#chunks.push(undefined);
    let chunk = this.#chunks[index];
    if (chunk === undefined) {
      chunk = new Chunk();
      this.#chunks[index] = chunk;
    }
    const o = seq % CHUNK;
    chunk.ensure(o, this.#liveCount >= CHUNK);
    chunk.flags[o] = ALIVE | (m.moved ? MOVED : 0);
    chunk.refIndex[o] = m.ref.index;
    chunk.refSlot[o] = m.ref.slot;
    chunk.publishMs[o] = m.publishMs;
    chunk.bytes[o] = m.bytes;
    chunk.priority[o] = m.priority;
    if (m.dueMs !== 0) {
      chunk.dueMs ??= new Float64Array(chunk.capacity);
      chunk.dueMs[o] = m.dueMs;
    } else if (chunk.dueMs !== undefined) {
      chunk.dueMs[o] = 0;
    }
    if (m.expiresMs !== 0) {
      chunk.expiresMs ??= new Float64Array(chunk.capacity);
      chunk.expiresMs[o] = m.expiresMs;
      this.ttl.push(m.expiresMs, seq);
    } else if (chunk.expiresMs !== undefined) {
      chunk.expiresMs[o] = 0;
    }
    if (m.key !== '') {
      chunk.keys ??= new Array<string>(chunk.capacity).fill('');
      chunk.keys[o] = m.key;
    } else if (chunk.keys !== undefined) {
      chunk.keys[o] = '';
    }
    if (m.id !== '') {
      chunk.ids ??= new Array<string>(chunk.capacity).fill('');
      chunk.ids[o] = m.id;
    } else if (chunk.ids !== undefined) {
      chunk.ids[o] = '';
    }
    if (m.headers !== undefined) {
      chunk.headers ??= new Array<Readonly<Record<string, string>> | undefined>(chunk.capacity).fill(undefined);
      chunk.headers[o] = m.headers;
    } else if (chunk.headers !== undefined) {
      chunk.headers[o] = undefined;
    }
    if (this.topic) {
      chunk.partition ??= new Uint32Array(chunk.capacity);
      chunk.partitionSeq ??= new Float64Array(chunk.capacity);
      chunk.partition[o] = m.partition;
      chunk.partitionSeq[o] = m.partitionSeq;
    }
    if (m.moved) this.#movedRefs.push(m.ref.index, seq);
    chunk.live++;
    this.#liveCount++;
    this.#liveBytes += m.bytes;
    return seq;
  }

  #chunk(seq: number): Chunk | undefined {
    return this.#chunks[Math.floor(seq / CHUNK) - this.#base];
  }

  #alive(seq: number): Chunk {
    const chunk = this.#chunk(seq);
    assert(chunk !== undefined && ((chunk.flags[seq % CHUNK] as number) & ALIVE) !== 0, `message ${seq} is not live`);
    return chunk;
  }

  has(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 0) return false;
    const chunk = this.#chunk(seq);
    const o = seq % CHUNK;
    return chunk !== undefined && o < chunk.capacity && ((chunk.flags[o] as number) & ALIVE) !== 0;
  }

  ref(seq: number): MessageRef {
    const chunk = this.#alive(seq);
    const o = seq % CHUNK;
    return { index: chunk.refIndex[o] as number, slot: chunk.refSlot[o] as number };
  }
  refIndex(seq: number): number {
    return this.#alive(seq).refIndex[seq % CHUNK] as number;
  }
  publishMs(seq: number): number {
    return this.#alive(seq).publishMs[seq % CHUNK] as number;
  }
  bytes(seq: number): number {
    return this.#alive(seq).bytes[seq % CHUNK] as number;
  }
  priority(seq: number): number {
    return this.#alive(seq).priority[seq % CHUNK] as number;
  }
  moved(seq: number): boolean {
    return ((this.#alive(seq).flags[seq % CHUNK] as number) & MOVED) !== 0;
  }
  dueMs(seq: number): number {
    return this.#alive(seq).dueMs?.[seq % CHUNK] ?? 0;
  }
  expiresMs(seq: number): number {
    return this.#alive(seq).expiresMs?.[seq % CHUNK] ?? 0;
  }
  key(seq: number): string {
    return this.#alive(seq).keys?.[seq % CHUNK] ?? '';
  }
  /** The explicit id ('' when derived). */
  id(seq: number): string {
    return this.#alive(seq).ids?.[seq % CHUNK] ?? '';
  }
  headers(seq: number): Readonly<Record<string, string>> | undefined {
    return this.#alive(seq).headers?.[seq % CHUNK];
  }
  partition(seq: number): number {
    return this.#alive(seq).partition?.[seq % CHUNK] ?? 0;
  }
  /** The producer-visible sequence: per partition for topics, the local sequence for queues. */
  sequence(seq: number): number {
    return this.topic ? (this.#alive(seq).partitionSeq?.[seq % CHUNK] ?? seq) : seq;
  }

  remove(seq: number): void {
    const chunk = this.#alive(seq);
    const o = seq % CHUNK;
    chunk.flags[o] = 0;
    if (chunk.keys !== undefined) chunk.keys[o] = '';
    if (chunk.ids !== undefined) chunk.ids[o] = '';
    if (chunk.headers !== undefined) chunk.headers[o] = undefined;
    this.#liveCount--;
    this.#liveBytes -= chunk.bytes[o] as number;
    this.deadLetterInfo.delete(seq);
    this.target.delete(seq);
    if (--chunk.live === 0) {
      this.#chunks[Math.floor(seq / CHUNK) - this.#base] = undefined;
      while (this.#chunks.length > 0 && this.#chunks[0] === undefined) {
        this.#chunks.shift();
        this.#base++;
      }
    }
  }

  /** The first live sequence number >= from, or undefined; skips empty chunks. */
  nextLive(from: number): number | undefined {
    let seq = Math.max(from, this.#base * CHUNK);
    while (seq < this.#nextSeq) {
      const chunk = this.#chunk(seq);
      if (chunk === undefined || chunk.live === 0) {
        seq = (Math.floor(seq / CHUNK) + 1) * CHUNK;
        continue;
      }
      const end = Math.min((Math.floor(seq / CHUNK) + 1) * CHUNK, this.#nextSeq);
      for (; seq < end; seq++) {
        const o = seq % CHUNK;
        if (o < chunk.capacity && ((chunk.flags[o] as number) & ALIVE) !== 0) return seq;
      }
    }
    return undefined;
  }

  /** The oldest live message. */
  first(): number | undefined {
    const seq = this.nextLive(this.#headSeq);
    this.#headSeq = seq ?? this.#nextSeq;
    return seq;
  }

  /** Smallest log index referenced by a live message. */
  minRefIndex(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let seq = this.nextLive(this.#nativeHeadSeq);
    while (seq !== undefined && this.moved(seq)) seq = this.nextLive(seq + 1);
    this.#nativeHeadSeq = seq ?? this.#nextSeq;
    if (seq !== undefined) min = this.refIndex(seq);
    const moved = this.#movedRefs;
    while (moved.size > 0) {
      const s = moved.topSecondary();
      if (this.has(s) && this.moved(s) && this.refIndex(s) === moved.topPrimary()) break;
      moved.pop();
    }
    if (moved.size > 0) min = Math.min(min, moved.topPrimary());
    return min === Number.POSITIVE_INFINITY ? undefined : min;
  }

  /**
   * Calls `visit` for every live message in ascending order with `row` filled in (one object
   * reused for all rows: the fast path for snapshots). `visit` must not change the store.
   */
  scan(row: MessageRow, visit: (row: MessageRow) => void): void {
    const first = this.#base;
    for (let i = 0; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i];
      if (chunk === undefined || chunk.live === 0) continue;
      const start = (first + i) * CHUNK;
      for (let o = 0; o < chunk.capacity; o++) {
        const flags = chunk.flags[o] as number;
        if ((flags & ALIVE) === 0) continue;
        row.seq = start + o;
        row.moved = (flags & MOVED) !== 0;
        row.refIndex = chunk.refIndex[o] as number;
        row.refSlot = chunk.refSlot[o] as number;
        row.publishMs = chunk.publishMs[o] as number;
        row.bytes = chunk.bytes[o] as number;
        row.priority = chunk.priority[o] as number;
        row.dueMs = chunk.dueMs?.[o] ?? 0;
        row.expiresMs = chunk.expiresMs?.[o] ?? 0;
        row.key = chunk.keys?.[o] ?? '';
        row.id = chunk.ids?.[o] ?? '';
        row.headers = chunk.headers?.[o];
        row.partition = chunk.partition?.[o] ?? 0;
        row.partitionSeq = chunk.partitionSeq?.[o] ?? 0;
        visit(row);
      }
    }
  }

  *live(): IterableIterator<number> {
    let seq = this.nextLive(0);
    while (seq !== undefined) {
      yield seq;
      seq = this.nextLive(seq + 1);
    }
  }
}
