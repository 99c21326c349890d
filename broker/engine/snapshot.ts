// Binary snapshots of the engine. Only logical state is written, in a canonical order (uids and
// sequence numbers ascending): destinations, their live messages, dedup entries inside the
// window, and per subscription the pending messages and the records of delivered ones. Indexes,
// heaps and timers are rebuilt on restore, so two replicas in the same state write the same
// bytes however their heaps happen to be laid out. Numbers that grow along the store (sequence,
// log index, publish time) are written as deltas, a waiting message takes about 8 bytes.

import { assert } from '../../common/assert.ts';
import { CodecError, Reader, Writer } from './bytes.ts';
import { Core } from './core.ts';
import { type Definition, Destination } from './destination.ts';
import { type DeadLetterInfo, emptyRow } from './store.ts';
import { type DeliveryRecord, INFLIGHT, NONE, READY, RETRY, type Subscription } from './subscription.ts';
import type { QueueSpec, SubscriptionSpec, TopicSpec } from './types.ts';

const MAGIC = 0x504e5357; // "WSNP"
const VERSION = 1;

const M_MOVED = 1;
const M_DUE = 2;
const M_EXPIRES = 4;
const M_KEY = 8;
const M_ID = 16;
const M_HEADERS = 32;
const M_DEAD_LETTER = 64;
const M_TARGET = 128;

const GONE_CODES = [undefined, 'expired', 'dropped'] as const;

export function encodeSnapshot(core: Core): Uint8Array {
  const w = new Writer(1 << 16);
  w.u32(MAGIC);
  w.u8(VERSION);
  w.varint(core.appliedIndex);
  w.f64(core.clock);
  w.varint(core.uidCounter);
  const dests = [...core.byUid.values()].sort((a, b) => a.uid - b.uid);
  w.varint(dests.length);
  for (const dest of dests) writeDestination(w, dest, core.clock);
  return w.finish();
}

function writeDestination(w: Writer, dest: Destination, clockMs: number): void {
  w.varint(dest.uid);
  w.str(dest.name);
  w.u8(dest.def.kind === 'queue' ? 0 : 1);
  w.f64(dest.createdMs);
  w.bool(dest.draining);
  w.str(JSON.stringify(dest.def.spec));
  w.varint(dest.partitionSeqs.length);
  for (const s of dest.partitionSeqs) w.varint(s);
  w.varint(dest.roundRobin);

  const store = dest.store;
  w.varint(store.nextSeq);
  w.varint(store.liveCount);
  let prevSeq = 0;
  let prevIndex = 0;
  let prevMs = 0;
  store.scan(emptyRow(), (m) => {
    const seq = m.seq;
    const info = store.deadLetterInfo.size === 0 ? undefined : store.deadLetterInfo.get(seq);
    const target = store.target.size === 0 ? undefined : store.target.get(seq);
    const flags =
      (m.moved ? M_MOVED : 0) |
      (m.dueMs !== 0 ? M_DUE : 0) |
      (m.expiresMs !== 0 ? M_EXPIRES : 0) |
      (m.key !== '' ? M_KEY : 0) |
      (m.id !== '' ? M_ID : 0) |
      (m.headers !== undefined ? M_HEADERS : 0) |
      (info !== undefined ? M_DEAD_LETTER : 0) |
      (target !== undefined ? M_TARGET : 0);
    w.varint(seq - prevSeq);
    w.u8(flags);
    w.zigzag(m.refIndex - prevIndex);
    w.varint(m.refSlot);
    w.zigzag(m.publishMs - prevMs);
    w.varint(m.bytes);
    w.u8(m.priority);
    if (m.dueMs !== 0) w.f64(m.dueMs);
    if (m.expiresMs !== 0) w.f64(m.expiresMs);
    if (m.key !== '') w.str(m.key);
    if (m.id !== '') w.str(m.id);
    if (m.headers !== undefined) {
      const names = Object.keys(m.headers);
      w.varint(names.length);
      for (const name of names) {
        w.str(name);
        w.str(m.headers[name] ?? '');
      }
    }
    if (info !== undefined) {
      w.str(info.origin);
      w.str(info.subscription);
      w.varint(info.partition);
      w.varint(info.attempts);
      w.str(info.reason);
      w.f64(info.timeMs);
      w.str(info.originalId);
    }
    if (target !== undefined) w.varint(target);
    if (store.topic) {
      w.varint(m.partition);
      w.varint(m.partitionSeq);
    }
    prevSeq = seq;
    prevIndex = m.refIndex;
    prevMs = m.publishMs;
  });

  const windowMs = dest.def.spec.dedupWindowMs;
  const dedup = [...dest.dedup.live(clockMs, windowMs)];
  w.varint(dedup.length);
  for (const e of dedup) {
    w.str(e.dedupId);
    w.f64(e.firstSeenMs);
    w.str(e.messageId);
    w.varint(e.sequence);
    w.varint(e.partition);
  }

  w.varint(dest.subs.size);
  for (const sub of dest.subs.values()) writeSubscription(w, sub);
}

function writeSubscription(w: Writer, sub: Subscription): void {
  w.varint(sub.uid);
  w.str(sub.name);
  w.bool(sub.ephemeral);
  w.str(sub.spec === undefined ? '' : JSON.stringify(sub.spec));
  const c = sub.counters;
  for (const n of [c.acked, c.deadLettered, c.expired, c.dropped, c.redriven]) w.varint(n);
  w.varint(sub.pending);
  let prevSeq = 0;
  let written = 0;
  sub.forEachPending((seq, state, record) => {
    w.varint(seq - prevSeq);
    prevSeq = seq;
    written++;
    if (record === undefined) {
      w.u8(0);
      return;
    }
    // Only leased and retrying states are kept; the others are derived again on restore.
    w.u8(state === INFLIGHT ? 2 : state === RETRY ? 3 : 1);
    w.varint(record.attempts);
    w.f64(record.leaseExpiresMs);
    w.f64(record.notBeforeMs);
    w.varint(record.ackDeadlineMs);
    w.str(record.key);
    w.u8(GONE_CODES.indexOf(record.gone));
  });
  assert(written === sub.pending, 'pending count disagrees with the states');
}

export function decodeSnapshot(bytes: Uint8Array): Core {
  const r = new Reader(bytes);
  if (r.u32() !== MAGIC) throw new CodecError('not an engine snapshot');
  const version = r.u8();
  if (version !== VERSION) throw new CodecError(`unknown snapshot version ${version}`);
  const core = new Core();
  core.appliedIndex = r.varint();
  core.clock = r.f64();
  core.uidCounter = r.varint();
  const count = r.varint();
  const subs: Subscription[] = [];
  for (let i = 0; i < count; i++) readDestination(r, core, subs);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} trailing bytes in snapshot`);
  for (const sub of subs) sub.reindex();
  for (const dest of core.byName.values()) core.reschedule(dest);
  return core;
}

function readDestination(r: Reader, core: Core, subs: Subscription[]): void {
  const uid = r.varint();
  const name = r.str();
  const kind = r.u8();
  if (kind > 1) throw new CodecError(`bad destination kind ${kind}`);
  const createdMs = r.f64();
  const draining = r.bool();
  const spec = JSON.parse(r.str()) as unknown;
  const def: Definition =
    kind === 0 ? { kind: 'queue', spec: spec as QueueSpec } : { kind: 'topic', spec: spec as TopicSpec };
  const dest = new Destination(core, { uid, name, createdMs, def });
  dest.draining = draining;
  const partitions = r.varint();
  dest.partitionSeqs = [];
  for (let i = 0; i < partitions; i++) dest.partitionSeqs.push(r.varint());
  dest.roundRobin = r.varint();

  const store = dest.store;
  const nextSeq = r.varint();
  const live = r.varint();
  let seq = 0;
  let index = 0;
  let publishMs = 0;
  for (let i = 0; i < live; i++) {
    seq += r.varint();
    const flags = r.u8();
    index += r.zigzag();
    const slot = r.varint();
    publishMs += r.zigzag();
    const size = r.varint();
    const priority = r.u8();
    const dueMs = flags & M_DUE ? r.f64() : 0;
    const expiresMs = flags & M_EXPIRES ? r.f64() : 0;
    const key = flags & M_KEY ? r.str() : '';
    const id = flags & M_ID ? r.str() : '';
    let headers: Record<string, string> | undefined;
    if (flags & M_HEADERS) {
      headers = Object.create(null) as Record<string, string>;
      const n = r.varint();
      for (let h = 0; h < n; h++) {
        const header = r.str();
        headers[header] = r.str();
      }
    }
    let info: DeadLetterInfo | undefined;
    if (flags & M_DEAD_LETTER) {
      info = {
        origin: r.str(),
        subscription: r.str(),
        partition: r.varint(),
        attempts: r.varint(),
        reason: r.str(),
        timeMs: r.f64(),
        originalId: r.str(),
      };
    }
    const target = flags & M_TARGET ? r.varint() : undefined;
    const partition = store.topic ? r.varint() : 0;
    const partitionSeq = store.topic ? r.varint() : 0;
    store.appendAt(seq, {
      ref: { index, slot },
      publishMs,
      bytes: size,
      priority,
      dueMs,
      expiresMs,
      key,
      id,
      headers,
      partition,
      partitionSeq,
      moved: (flags & M_MOVED) !== 0,
    });
    if (info !== undefined) store.deadLetterInfo.set(seq, info);
    if (target !== undefined) store.target.set(seq, target);
  }
  store.restoreNextSeq(nextSeq);

  const dedupCount = r.varint();
  for (let i = 0; i < dedupCount; i++) {
    dest.dedup.record({
      dedupId: r.str(),
      firstSeenMs: r.f64(),
      messageId: r.str(),
      sequence: r.varint(),
      partition: r.varint(),
    });
  }

  const subCount = r.varint();
  for (let i = 0; i < subCount; i++) {
    const subUid = r.varint();
    const subName = r.str();
    const ephemeral = r.bool();
    const specText = r.str();
    const sub =
      def.kind === 'queue'
        ? dest.createQueueSub(subUid)
        : dest.createTopicSub(subUid, JSON.parse(specText) as SubscriptionSpec, ephemeral);
    if (sub.name !== subName) throw new CodecError(`subscription ${subName} restored as ${sub.name}`);
    const c = sub.counters;
    c.acked = r.varint();
    c.deadLettered = r.varint();
    c.expired = r.varint();
    c.dropped = r.varint();
    c.redriven = r.varint();
    const pending = r.varint();
    let pseq = 0;
    for (let p = 0; p < pending; p++) {
      pseq += r.varint();
      const kindCode = r.u8();
      if (kindCode === 0) {
        sub.restorePending(pseq, READY, undefined);
        continue;
      }
      const record: DeliveryRecord = {
        attempts: r.varint(),
        leaseExpiresMs: r.f64(),
        notBeforeMs: r.f64(),
        ackDeadlineMs: r.varint(),
        key: r.str(),
        gone: GONE_CODES[r.u8()],
      };
      const state = kindCode === 2 ? INFLIGHT : kindCode === 3 ? RETRY : kindCode === 1 ? READY : NONE;
      if (state === NONE) throw new CodecError(`bad record kind ${kindCode}`);
      sub.restorePending(pseq, state, record);
    }
    subs.push(sub);
  }
  core.addDestination(dest);
  if (draining) core.draining.add(name);
}
