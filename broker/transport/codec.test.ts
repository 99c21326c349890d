import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry, RaftMessage } from '../raft/messages.ts';
import { CodecError, decodeBatch, encodeBatch, type GroupMessage } from './codec.ts';

const member = fc.string({ maxLength: 10, unit: 'grapheme' });
const num = fc.oneof(fc.nat({ max: 300 }), fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const bytes = fc.uint8Array({ maxLength: 64 });
const header = { from: member, to: member, term: num };
const entry: fc.Arbitrary<Entry> = fc.record({
  term: num,
  index: num,
  type: fc.constantFrom('normal' as const, 'confChange' as const),
  data: bytes,
});

const message: fc.Arbitrary<RaftMessage> = fc.oneof(
  fc.record({
    type: fc.constant('MsgApp' as const),
    ...header,
    logTerm: num,
    index: num,
    commit: num,
    entries: fc.array(entry, { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('MsgAppResp' as const),
    ...header,
    index: num,
    reject: fc.boolean(),
    rejectHint: num,
    logTerm: num,
  }),
  fc.record({
    type: fc.constantFrom('MsgVote' as const, 'MsgPreVote' as const),
    ...header,
    logTerm: num,
    index: num,
    transfer: fc.boolean(),
  }),
  fc.record({
    type: fc.constantFrom('MsgVoteResp' as const, 'MsgPreVoteResp' as const),
    ...header,
    reject: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('MsgHeartbeat' as const),
    ...header,
    commit: num,
    context: fc.option(bytes, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('MsgHeartbeatResp' as const),
    ...header,
    context: fc.option(bytes, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('MsgSnap' as const),
    ...header,
    snapshot: fc.record({
      meta: fc.record({
        index: num,
        term: num,
        conf: fc.record({ voters: fc.array(member, { maxLength: 4 }), learners: fc.array(member, { maxLength: 2 }) }),
      }),
      data: bytes,
    }),
  }),
  fc.record({ type: fc.constant('MsgTimeoutNow' as const), ...header }),
  fc.record({ type: fc.constant('MsgReadIndex' as const), ...header, context: bytes }),
  fc.record({ type: fc.constant('MsgReadIndexResp' as const), ...header, index: num, context: bytes }),
);

const batch: fc.Arbitrary<GroupMessage[]> = fc.array(fc.record({ group: fc.nat({ max: 70_000 }), message }), {
  maxLength: 8,
});

describe('peer codec', () => {
  it('round-trips any batch of Raft messages', () => {
    fc.assert(
      fc.property(batch, (messages) => {
        expect(decodeBatch(encodeBatch(messages))).toEqual(messages);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes entry data as views of the batch, not copies', () => {
    const data = new Uint8Array([1, 2, 3, 4]);
    const encoded = encodeBatch([
      {
        group: 0,
        message: {
          type: 'MsgApp',
          from: 'a',
          to: 'b',
          term: 3,
          logTerm: 2,
          index: 7,
          commit: 6,
          entries: [{ term: 3, index: 8, type: 'normal', data }],
        },
      },
    ]);
    const [decoded] = decodeBatch(encoded);
    const entries = decoded?.message.type === 'MsgApp' ? decoded.message.entries : [];
    expect(entries[0]?.data.buffer).toBe(encoded.buffer);
    expect([...(entries[0]?.data ?? [])]).toEqual([1, 2, 3, 4]);
  });

  it('refuses a truncated frame with a CodecError (never a partial message)', () => {
    const one = fc.record({ group: fc.nat({ max: 70_000 }), message }).map((m) => [m]);
    fc.assert(
      fc.property(one, fc.nat(), (messages, cut) => {
        const encoded = encodeBatch(messages);
        const at = cut % encoded.length;
        expect(() => decodeBatch(encoded.subarray(0, at === 0 ? 1 : at))).toThrow(CodecError);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses negative or fractional numbers when encoding', () => {
    const bad = { type: 'MsgTimeoutNow', from: 'a', to: 'b', term: -1 } as const;
    expect(() => encodeBatch([{ group: 0, message: bad }])).toThrow(CodecError);
  });
});
