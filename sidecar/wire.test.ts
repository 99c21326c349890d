import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { brokerPackageDefinition } from '../client/proto.ts';
import { readConsumeRequest, readConsumeResponse } from './wire.ts';

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

  it('reads what a process span needs when asked to, trace headers only', () => {
    const bytes = consume.responseSerialize({
      delivery: {
        message: {
          id: 'm1',
          payload: Buffer.alloc(300, 1),
          headers: { traceparent: 'tp', tracestate: 'ts', other: 'x', traceparentx: 'no' },
        },
        receipt: 'r-1',
        attempt: 3,
        destination: 'ns/orders',
      },
    });
    const head = readConsumeResponse(bytes, true);
    expect(head).toMatchObject({
      kind: 'delivery',
      delivery: {
        receipt: 'r-1',
        trace: { messageId: 'm1', attempt: 3, payloadBytes: 300, headers: { traceparent: 'tp', tracestate: 'ts' } },
      },
    });
    const bare = consume.responseSerialize({ delivery: { receipt: 'r-2', attempt: 1 } });
    expect(readConsumeResponse(bare, true)).toMatchObject({
      delivery: { trace: { messageId: '', attempt: 1, payloadBytes: 0, headers: {} } },
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
