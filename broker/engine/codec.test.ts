import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, Reader, Writer } from './bytes.ts';
import { decodeCommand, decodePublishItem, encodeCommand, peekCommandType, publishItemCount } from './codec.ts';
import { item, queueSpec, subSpec, topicSpec } from './testing/harness.ts';
import type { Command, PublishItem } from './types.ts';

const text = fc.string({ maxLength: 12, unit: 'grapheme' });
const shortInt = fc.integer({ min: -1000, max: 1_000_000 });
const nowMs = fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double({ noNaN: true }));

const publishItem: fc.Arbitrary<PublishItem> = fc.record({
  destination: fc.constantFrom('a/q', 'a/t', 'b/ünïcode'),
  id: text,
  payload: fc.uint8Array({ maxLength: 64 }),
  headers: fc.dictionary(text, text, { maxKeys: 4 }),
  key: text,
  dedupId: text,
  priority: fc.integer({ min: -3, max: 300 }),
  delayMs: shortInt,
  ttlMs: shortInt,
  replyTo: text,
  correlationId: text,
});

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ type: fc.constant('publish' as const), nowMs, items: fc.array(publishItem, { maxLength: 6 }) }),
  fc.record({
    type: fc.constant('lease' as const),
    nowMs,
    destination: text,
    subscription: text,
    max: shortInt,
    ackDeadlineMs: shortInt,
  }),
  fc.record({
    type: fc.constant('settle' as const),
    nowMs,
    op: fc.constantFrom('ack' as const, 'nack' as const, 'extend' as const),
    receipts: fc.array(text, { maxLength: 5 }),
    delayMs: shortInt,
    deadLetter: fc.boolean(),
    reason: text,
  }),
  fc.record({ type: fc.constant('tick' as const), nowMs }),
  fc.record({
    type: fc.constant('applyQueue' as const),
    nowMs,
    name: text,
    spec: fc.constant(queueSpec({ ordering: 'PerKey' })),
  }),
  fc.record({
    type: fc.constant('applyTopic' as const),
    nowMs,
    name: text,
    spec: fc.constant(topicSpec({ subscriptions: [subSpec('s', { startAt: 12345, filter: "headers.a == 'b'" })] })),
  }),
  fc.record({ type: fc.constantFrom('deleteQueue' as const, 'deleteTopic' as const), nowMs, name: text }),
  fc.record({
    type: fc.constant('subscribe' as const),
    nowMs,
    destination: text,
    spec: fc.constant(subSpec('e', { startAt: 'Latest' })),
  }),
  fc.record({ type: fc.constant('unsubscribe' as const), nowMs, destination: text, subscription: text }),
  fc.record({ type: fc.constant('redrive' as const), nowMs, deadLetterQueue: text, max: shortInt }),
);

/** Plain objects for comparison (decoded headers have no prototype; payloads are views). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)));
}

describe('codec', () => {
  it('round-trips every command', () => {
    fc.assert(
      fc.property(command, (cmd) => {
        const bytes = encodeCommand(cmd);
        expect(plain(decodeCommand(bytes))).toEqual(plain(cmd));
        expect(peekCommandType(bytes)).toBe(cmd.type);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes one publish item by slot', () => {
    fc.assert(
      fc.property(fc.array(publishItem, { minLength: 1, maxLength: 8 }), (items) => {
        const bytes = encodeCommand({ type: 'publish', nowMs: 1, items });
        expect(publishItemCount(bytes)).toBe(items.length);
        items.forEach((it, slot) => {
          expect(plain(decodePublishItem(bytes, slot))).toEqual(plain(it));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('returns payloads as views of the input, without copying', () => {
    const bytes = encodeCommand({ type: 'publish', nowMs: 5, items: [item('a/q', { body: 'hello' }), item('a/q')] });
    const decoded = decodeCommand(bytes);
    if (decoded.type !== 'publish') throw new Error('not a publish');
    const payload = decoded.items[0]?.payload;
    expect(payload?.buffer).toBe(bytes.buffer);
    expect(new TextDecoder().decode(payload)).toBe('hello');
    expect(decodePublishItem(bytes, 1).payload.buffer).toBe(bytes.buffer);
  });

  it('names a batch destination once', () => {
    const many = Array.from({ length: 64 }, () => item('some-namespace/some-long-queue-name', { body: '' }));
    const bytes = encodeCommand({ type: 'publish', nowMs: 5, items: many });
    // Per item: 4 offset bytes + 1 destination index + 9 one-byte fields (lengths and numbers).
    expect(bytes.length).toBeLessThan(64 * 16 + 64);
  });

  it.each([
    ['empty input', new Uint8Array(0)],
    ['unknown version', Uint8Array.of(9, 11, 0, 0, 0, 0, 0, 0, 0, 0)],
    ['unknown tag', Uint8Array.of(1, 99, 0, 0, 0, 0, 0, 0, 0, 0)],
    ['truncated tick', Uint8Array.of(1, 11, 0, 0)],
    ['trailing bytes', Uint8Array.of(1, 11, 0, 0, 0, 0, 0, 0, 0, 0, 7)],
  ])('refuses %s with a CodecError', (_name, bytes) => {
    expect(() => decodeCommand(bytes)).toThrow(CodecError);
  });

  it('never reads out of bounds on truncated or corrupted input', () => {
    const bytes = encodeCommand({
      type: 'publish',
      nowMs: 5,
      items: [item('a/q', { body: 'hello', headers: { a: 'b' }, key: 'k' }), item('a/q')],
    });
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeCommand(bytes.subarray(0, cut))).toThrow(CodecError);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const copy = bytes.slice();
        copy[at] = value;
        try {
          decodeCommand(copy);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a slot out of range', () => {
    const bytes = encodeCommand({ type: 'publish', nowMs: 5, items: [item('a/q')] });
    expect(() => decodePublishItem(bytes, 1)).toThrow(CodecError);
    expect(() => decodePublishItem(encodeCommand({ type: 'tick', nowMs: 1 }), 0)).toThrow(CodecError);
  });
});

describe('bytes', () => {
  it('round-trips varints up to 2^53 and signed ones up to 2^52', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 }), (n, z) => {
        const w = new Writer(1);
        w.varint(n);
        w.zigzag(z);
        const r = new Reader(w.finish());
        expect(r.varint()).toBe(n);
        expect(r.zigzag()).toBe(z);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips strings of any script', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const w = new Writer(1);
        w.str(s);
        expect(new Reader(w.finish()).str()).toBe(s.isWellFormed() ? s : s.toWellFormed());
      }),
      { numRuns: 300 },
    );
  });
});
