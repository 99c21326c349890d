import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brokerPackageDefinition } from '../client/proto.ts';
import type { PublishRequest } from '../proto/gen/wharf/v1/PublishRequest.ts';
import {
  clearDuplicate,
  frameEncoded,
  frameRepeated,
  isDuplicate,
  PublishEncoding,
  readPublishRequest,
  readPublishResponse,
  rewritePublish,
  splitRepeated,
} from './publish-wire.ts';
import { preparePublish } from './publisher.ts';
import type { Tracing } from './tracing.ts';

const service = brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition;
const publish = service.Publish as MethodDefinition<PublishRequest, object>;
const batch = service.PublishBatch as MethodDefinition<object, object>;
const encode = (request: PublishRequest): Buffer => publish.requestSerialize(request);
const decode = (bytes: Buffer) => publish.requestDeserialize(bytes) as Record<string, unknown>;

const full: PublishRequest = {
  destination: 'orders',
  requestId: 'r-7',
  message: {
    id: 'm',
    payload: Buffer.alloc(300, 7),
    headers: { traceparent: '00-aa-bb-01', tracestate: 'k=v', 'x-ünï': 'v' },
    key: 'k',
    priority: 3,
    delay: { seconds: 2, nanos: 5 },
    ttl: { seconds: 9 },
    replyTo: 'replies',
    correlationId: 'c-1',
    publishTime: { seconds: 1_700_000_000 },
    sequence: 2 ** 40,
    partition: 300,
  },
};

describe('reading a PublishRequest from the wire', () => {
  it('reads destination, request id, dedup presence, reply_to and payload size; trace headers on demand', () => {
    const bytes = encode(full);
    const head = readPublishRequest(bytes, 0, bytes.length, true);
    expect(head).toMatchObject({
      destination: 'orders',
      requestId: 'r-7',
      hasDedupId: false,
      replyTo: 'replies',
      correlationId: 'c-1',
      payloadBytes: 300,
      traceparent: '00-aa-bb-01',
      tracestate: 'k=v',
      unusual: false,
    });
    expect(readPublishRequest(bytes, 0, bytes.length, false)).toMatchObject({
      traceparent: undefined,
      tracestate: undefined,
    });
    const deduped = encode({ destination: 'a/b', message: { dedupId: 'd' } });
    expect(readPublishRequest(deduped, 0, deduped.length, false).hasDedupId).toBe(true);
    const empty = encode({ destination: 'a/b' });
    expect(readPublishRequest(empty, 0, empty.length, false).messageStart).toBe(-1);
  });

  it('flags a known field with an unexpected wire type, and throws on truncation', () => {
    // destination = 1 as a varint
    const odd = Buffer.from([0x08, 0x01, 0x12, 0x00]);
    expect(readPublishRequest(odd, 0, odd.length, false).unusual).toBe(true);
    const bytes = encode(full);
    expect(() => readPublishRequest(bytes, 0, bytes.length - 8, false)).toThrow();
  });
});

describe('rewritePublish', () => {
  it('decodes (as the broker does) to the request with the changes applied', () => {
    const bytes = encode(full);
    const rewritten = rewritePublish(bytes, 0, bytes.length, {
      destination: 'shop/orders',
      dedupId: 'sc-1',
      replyTo: 'shop/replies',
      headers: { traceparent: '00-cc-dd-01', tracestate: 'k=w' },
    });
    const expected = decode(encode(full)) as { message: Record<string, unknown> };
    expect(decode(rewritten)).toEqual({
      ...expected,
      destination: 'shop/orders',
      message: {
        ...expected.message,
        dedupId: 'sc-1',
        replyTo: 'shop/replies',
        headers: { traceparent: '00-cc-dd-01', tracestate: 'k=w', 'x-ünï': 'v' },
      },
    });
  });

  it('keeps every field of any request the generated code encodes', () => {
    const text = fc.string({ maxLength: 8 });
    const arbitrary = fc.record({
      destination: text,
      requestId: text,
      message: fc.option(
        fc.record({
          id: text,
          payload: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          headers: fc.dictionary(text, text, { maxKeys: 3 }),
          key: text,
          dedupId: text,
          priority: fc.integer({ min: 0, max: 9 }),
          replyTo: text,
          correlationId: text,
        }),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(arbitrary, fc.option(text, { nil: undefined }), fc.boolean(), (request, dedupId, traced) => {
        const bytes = encode(request);
        const headers = traced ? { traceparent: 'tp' } : undefined;
        const rewritten = rewritePublish(bytes, 0, bytes.length, {
          destination: 'ns/d',
          dedupId,
          replyTo: undefined,
          headers,
        });
        const before = decode(bytes) as { message: Record<string, unknown> | null };
        const after = decode(rewritten) as { message: Record<string, unknown> | null };
        const message = before.message ?? decode(encode({ message: {} })).message;
        expect(after).toEqual({
          ...before,
          destination: 'ns/d',
          message: {
            ...(message as Record<string, unknown>),
            ...(dedupId === undefined ? {} : { dedupId }),
            headers: { ...((message as { headers: object }).headers ?? {}), ...headers },
          },
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('batches and responses as bytes', () => {
  it('frames requests into a PublishBatchRequest, rewritten in place, and splits a response without copying', () => {
    const a = encode({ destination: 'a/b', message: { payload: Buffer.from('x') } });
    const b = encode({ destination: 'c', requestId: 'r' });
    const changes = { destination: 'a/c', dedupId: 'd', replyTo: undefined, headers: undefined };
    const framed = frameEncoded([new PublishEncoding(a, 0, a.length), new PublishEncoding(b, 0, b.length, changes)]);
    expect(batch.requestDeserialize(framed)).toEqual(
      batch.requestDeserialize(
        batch.requestSerialize({
          requests: [decode(a), { destination: 'a/c', requestId: 'r', message: { dedupId: 'd' } }],
        }),
      ),
    );
    expect(batch.requestDeserialize(frameRepeated([a, b]))).toEqual(
      batch.requestDeserialize(batch.requestSerialize({ requests: [decode(a), decode(b)] })),
    );
    const response = batch.responseSerialize({
      responses: [{ messageId: 'm1', sequence: 1 }, { messageId: 'm2', duplicate: true, requestId: 'r' }, {}],
    });
    const parts = splitRepeated(response, 1).map(({ start, end }) => response.subarray(start, end));
    expect(parts).toHaveLength(3);
    expect(parts.map(readPublishResponse)).toEqual([
      { messageId: 'm1', duplicate: false },
      { messageId: 'm2', duplicate: true },
      { messageId: '', duplicate: false },
    ]);
    expect(parts.map(isDuplicate)).toEqual([false, true, false]);
    const cleared = clearDuplicate(parts[1] as Buffer);
    expect(isDuplicate(cleared)).toBe(false);
    expect(publish.responseDeserialize(cleared)).toMatchObject({ messageId: 'm2', requestId: 'r', duplicate: false });
  });
});

describe('preparePublish', () => {
  const untraced: Tracing = {
    enabled: false,
    startSend: () => undefined,
    endSend: () => {},
    startProcess: () => undefined,
    settle: () => {},
    shutdown: async () => {},
  };
  const options = {
    namespace: 'shop',
    deadlineMs: 1,
    callTraceparent: undefined,
    tracing: untraced,
    newDedupId: () => 'sc-new',
  };

  it('sends a request that needs nothing filled in as the bytes it came in (no copy)', () => {
    const bytes = encode({ destination: 'shop/orders', message: { payload: Buffer.from('x'), dedupId: 'd' } });
    const job = preparePublish(bytes, 0, bytes.length, options);
    expect(job.encoding.changes).toBeUndefined();
    expect(job.encoding.toBuffer().buffer).toBe(bytes.buffer);
    expect(job).toMatchObject({ destination: 'shop/orders', sidecarDedup: false, payloadBytes: 1 });
  });

  it('fills in namespace and dedup id; refuses a missing message or a bad name', () => {
    const bytes = encode({ destination: 'orders', message: { payload: Buffer.from('x'), replyTo: 'r' } });
    const job = preparePublish(bytes, 0, bytes.length, options);
    expect(job.sidecarDedup).toBe(true);
    expect(decode(job.encoding.toBuffer())).toMatchObject({
      destination: 'shop/orders',
      message: { dedupId: 'sc-new', replyTo: 'shop/r' },
    });
    const empty = encode({ destination: 'orders' });
    expect(() => preparePublish(empty, 0, empty.length, options)).toThrow(/message is missing/);
    const bad = encode({ destination: 'Bad Name', message: {} });
    expect(() => preparePublish(bad, 0, bad.length, options)).toThrow(/Bad Name/);
    const truncated = encode(full).subarray(0, 20);
    expect(() => preparePublish(truncated, 0, truncated.length, options)).toThrow(/malformed PublishRequest/);
  });

  it('takes a request with an unexpected wire type the slow way, as protobufjs reads it', () => {
    // request_id = 3 as a varint 0 (protobufjs reads it as an empty string), then the rest
    const odd = Buffer.concat([Buffer.from([0x18, 0x00]), encode({ destination: 'orders', message: { key: 'k' } })]);
    expect(readPublishRequest(odd, 0, odd.length, false).unusual).toBe(true);
    const job = preparePublish(odd, 0, odd.length, options);
    expect(decode(job.encoding.toBuffer())).toMatchObject({
      destination: 'shop/orders',
      message: { key: 'k', dedupId: 'sc-new' },
    });
  });
});
