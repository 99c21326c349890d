import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { brokerPackageDefinition } from '../client/proto.ts';
import { encodePublishBatch, readConsumeRequest, readConsumeResponse } from './wire.ts';

const consume = (brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition).Consume as MethodDefinition<
  object,
  object
>;

describe('wire heads of Consume frames', () => {
  it('reads a delivery without decoding its message', () => {
    const bytes = consume.responseSerialize({
      delivery: {
        message: { id: 'm1', payload: Buffer.alloc(300, 1), headers: { traceparent: 'x' } },
        receipt: 'r-1',
        attempt: 2,
        leaseExpires: { seconds: 1_700_000_000, nanos: 250_000_000 },
        destination: 'ns/orders',
        subscription: 'billing',
      },
    });
    expect(readConsumeResponse(bytes)).toEqual({
      kind: 'delivery',
      delivery: {
        receipt: 'r-1',
        destination: 'ns/orders',
        subscription: 'billing',
        leaseExpiresMs: 1_700_000_000_250,
      },
    });
  });

  it('reads a settle result', () => {
    const bytes = consume.responseSerialize({ settled: { receipt: 'r-2', outcome: 'OUTCOME_EXPIRED' } });
    expect(readConsumeResponse(bytes)).toEqual({ kind: 'settled', receipt: 'r-2', outcome: 2 });
  });

  it('reads the kind, receipts and delay of app frames', () => {
    expect(readConsumeRequest(consume.requestSerialize({ subscribe: { destination: 'a' } }))).toEqual({
      kind: 'subscribe',
    });
    expect(readConsumeRequest(consume.requestSerialize({ ack: { receipts: ['a', 'b'] } }))).toEqual({
      kind: 'ack',
      receipts: ['a', 'b'],
      delayMs: undefined,
    });
    expect(
      readConsumeRequest(consume.requestSerialize({ extend: { receipts: ['c'], delay: { seconds: 3, nanos: 5e6 } } })),
    ).toEqual({ kind: 'extend', receipts: ['c'], delayMs: 3005 });
    expect(readConsumeRequest(consume.requestSerialize({ credit: 7 }))).toEqual({ kind: 'other' });
  });

  it('throws on a truncated frame', () => {
    const bytes = consume.responseSerialize({ settled: { receipt: 'r-2', outcome: 'OUTCOME_OK' } });
    expect(() => readConsumeResponse(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});

describe('encodePublishBatch', () => {
  const batch = (brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition)
    .PublishBatch as MethodDefinition<object, object>;
  it('encodes what the generated serializer encodes', () => {
    const requests = [
      { destination: 'ns/orders', message: { payload: Buffer.alloc(1024, 0x61), dedupId: 'sc-1' }, requestId: '' },
      {
        destination: 'ns/é-orders',
        requestId: 'r7',
        message: {
          id: '',
          payload: Buffer.alloc(200, 2),
          headers: { traceparent: '00-abc-def-01', 'x-ünï': 'v' },
          key: 'k',
          dedupId: 'd',
          priority: 3,
          delay: { seconds: 2, nanos: 5 },
          ttl: { seconds: 0, nanos: 0 },
          replyTo: 'ns/replies',
          correlationId: 'c',
          publishTime: { seconds: 1_700_000_000_000, nanos: 999_999_999 },
          sequence: 2 ** 40,
          partition: 300,
        },
      },
      { destination: 'ns/x', message: null, requestId: '' },
    ];
    const ours = encodePublishBatch(requests);
    expect(ours).toBeDefined();
    expect(batch.requestDeserialize(ours as Buffer)).toEqual(
      batch.requestDeserialize(batch.requestSerialize({ requests })),
    );
  });

  it('declines what it does not expect', () => {
    expect(encodePublishBatch([{ destination: 'a', message: { payload: 'YWJj' } }])).toBeUndefined();
    expect(encodePublishBatch([{ destination: 'a', message: { priority: -1 } }])).toBeUndefined();
  });
});
