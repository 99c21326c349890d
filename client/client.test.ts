// The client against a fake in-process BrokerService/AdminService (the real broker has its own
// integration tests): promise plumbing, error passing, stream matching and flow control.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerServiceHandlers } from '../proto/gen/wharf/v1/BrokerService.ts';
import type { ConsumeRequest__Output } from '../proto/gen/wharf/v1/ConsumeRequest.ts';
import type { ConsumeResponse } from '../proto/gen/wharf/v1/ConsumeResponse.ts';
import type { PublishRequest__Output } from '../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishResponse } from '../proto/gen/wharf/v1/PublishResponse.ts';
import { connect, type WharfClient } from './client.ts';
import { adminProto, brokerProto } from './proto.ts';
import { isServiceError } from './unary.ts';

const notFound = (details: string) => Object.assign(new Error(details), { code: grpc.status.NOT_FOUND, details });
const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: 'fake' });

let maxPublishStreamInFlight = 0;
const consumeFrames: ConsumeRequest__Output[] = [];

const broker: BrokerServiceHandlers = {
  Publish(call, callback) {
    if (call.request.destination !== 'default/orders') {
      callback(notFound(`no such destination ${call.request.destination}`));
      return;
    }
    callback(null, { requestId: call.request.requestId, messageId: `m-${call.request.message?.key}`, sequence: 7 });
  },
  PublishBatch(call, callback) {
    callback(null, {
      responses: call.request.requests.map((r, i) => ({ requestId: r.requestId, messageId: `b${i}`, sequence: i })),
    });
  },
  PublishStream(call) {
    // Answers in pairs, second first, to check matching by request_id.
    let held: PublishRequest__Output[] = [];
    let inFlight = 0;
    call.on('data', (request: PublishRequest__Output) => {
      inFlight++;
      maxPublishStreamInFlight = Math.max(maxPublishStreamInFlight, inFlight);
      held.push(request);
      if (held.length === 2) {
        for (const r of held.reverse()) {
          const response: PublishResponse = { requestId: r.requestId, messageId: r.message?.payload.toString() ?? '' };
          call.write(response);
          inFlight--;
        }
        held = [];
      }
    });
    call.on('end', () => {
      for (const r of held) call.write({ requestId: r.requestId, messageId: r.message?.payload.toString() ?? '' });
      call.end();
    });
  },
  Receive(call, callback) {
    callback(null, {
      deliveries: [
        { receipt: 'r1', attempt: 1, destination: call.request.destination, message: { payload: Buffer.from('hi') } },
      ],
    });
  },
  Consume(call) {
    call.on('data', (frame: ConsumeRequest__Output) => {
      consumeFrames.push(frame);
      if (frame.subscribe) {
        for (const n of [1, 2, 3]) {
          const response: ConsumeResponse = {
            delivery: {
              receipt: `r${n}`,
              attempt: 1,
              destination: frame.subscribe.destination,
              message: { payload: Buffer.from(`p${n}`) },
            },
          };
          call.write(response);
        }
      }
      for (const settle of [frame.ack, frame.nack, frame.extend]) {
        for (const receipt of settle?.receipts ?? []) {
          call.write({ settled: { receipt, outcome: receipt === 'r3' ? 'OUTCOME_UNKNOWN' : 'OUTCOME_OK' } });
        }
      }
    });
    call.on('end', () => call.end());
  },
  Ack(call, callback) {
    callback(null, { results: call.request.receipts.map((receipt) => ({ receipt, outcome: 'OUTCOME_OK' })) });
  },
  Nack(call, callback) {
    callback(null, {
      results: call.request.receipts.map((receipt) => ({
        receipt,
        outcome: call.request.deadLetter && call.request.delay === null ? 'OUTCOME_OK' : 'OUTCOME_EXPIRED',
      })),
    });
  },
  ExtendLease: unimplemented,
  Call(call, callback) {
    callback(null, { reply: { payload: Buffer.from(`re:${call.request.message?.payload.toString()}`) } });
  },
};

let server: grpc.Server;
let client: WharfClient;

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(brokerProto.wharf.v1.BrokerService.service, broker);
  server.addService(adminProto.wharf.v1.AdminService.service, {
    ListQueues: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { queues: [{ name: 'default/orders', status: { depth: 3 } }] }),
    GetQueue: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(notFound(`no such queue ${call.request.name}`)),
    RedriveDeadLetters: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { redriven: 4 }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  client = connect(`127.0.0.1:${port}`, { deadlineMs: 5000 });
});

afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

describe('unary calls', () => {
  it('publish resolves with the response', async () => {
    const response = await client.publish('default/orders', { key: 'k1', payload: Buffer.from('x') }, 'req-1');
    expect(response).toEqual({ requestId: 'req-1', messageId: 'm-k1', sequence: 7, partition: 0, duplicate: false });
  });

  it('rejects with the ServiceError, code and details kept', async () => {
    const error = await client.publish('default/nope', {}).catch((e: unknown) => e);
    expect(isServiceError(error)).toBe(true);
    expect(error).toMatchObject({ code: grpc.status.NOT_FOUND, details: 'no such destination default/nope' });
    await expect(client.getQueue('default/x')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(client.extendLease(['r'], 1000)).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });

  it('publishBatch, receive, ack, nack, call and admin calls', async () => {
    const batch = await client.publishBatch([{ destination: 'a', requestId: 'x' }, { destination: 'a' }]);
    expect(batch.responses.map((r) => r.messageId)).toEqual(['b0', 'b1']);
    const received = await client.receive({ destination: 'default/orders', wait: { seconds: 1 } });
    expect(received.deliveries[0]?.message?.payload.toString()).toBe('hi');
    expect((await client.ack(['r1'])).results).toEqual([{ receipt: 'r1', outcome: 'OUTCOME_OK' }]);
    expect((await client.nack(['r1'], { deadLetter: true })).results[0]?.outcome).toBe('OUTCOME_OK');
    expect((await client.nack(['r1'], { delayMs: 500 })).results[0]?.outcome).toBe('OUTCOME_EXPIRED');
    expect((await client.call('default/rpc', { payload: Buffer.from('q') }, 1000)).reply?.payload.toString()).toBe(
      're:q',
    );
    expect((await client.listQueues()).map((q) => [q.name, q.status?.depth])).toEqual([['default/orders', 3]]);
    expect(await client.redriveDeadLetters('default/orders-dlq', 10)).toBe(4);
  });

  it('an unreachable address fails fast with UNAVAILABLE', async () => {
    const nowhere = connect('127.0.0.1:1', { deadlineMs: 3000 });
    try {
      await expect(nowhere.clusterStatus()).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      nowhere.close();
    }
  });
});

describe('openPublishStream', () => {
  it('matches responses by request_id and keeps at most maxInFlight unanswered', async () => {
    maxPublishStreamInFlight = 0;
    const stream = client.openPublishStream({ maxInFlight: 2 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stream.publish({ destination: 'default/orders', message: { payload: Buffer.from(`m${i}`) } }),
      ),
    );
    expect(answers.map((a) => a.messageId)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(maxPublishStreamInFlight).toBeLessThanOrEqual(2);
    await stream.end();
    expect(stream.inFlight).toBe(0);
  });

  it('rejects a publish after end()', async () => {
    const stream = client.openPublishStream();
    const ended = stream.end();
    await expect(stream.publish({ destination: 'default/orders' })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    await ended;
  });
});

describe('consume', () => {
  it('subscribes, yields deliveries, and resolves settles from settled frames', async () => {
    consumeFrames.length = 0;
    const consumer = client.consume({ destination: 'default/orders', maxInFlight: 10, ackDeadlineMs: 2500 });
    const receipts: string[] = [];
    for await (const delivery of consumer) {
      receipts.push(delivery.receipt);
      if (receipts.length === 3) break;
    }
    expect(receipts).toEqual(['r1', 'r2', 'r3']);
    expect(await consumer.ack(['r1'])).toEqual([{ receipt: 'r1', outcome: 'OUTCOME_OK' }]);
    const nacked = await consumer.nack(['r2', 'r3'], { delayMs: 1000, reason: 'busy' });
    expect(nacked.map((r) => r.outcome).sort()).toEqual(['OUTCOME_OK', 'OUTCOME_UNKNOWN']);
    expect(await consumer.extend(['r2'], 30_000)).toHaveLength(1);
    consumer.credit(5);
    await consumer.close();
    expect(consumeFrames[0]).toMatchObject({
      frame: 'subscribe',
      subscribe: {
        destination: 'default/orders',
        subscription: '',
        maxInFlight: 10,
        ackDeadline: { seconds: 2, nanos: 500_000_000 },
      },
    });
    expect(consumeFrames.map((f) => f.frame)).toEqual(['subscribe', 'ack', 'nack', 'extend', 'credit']);
    expect(consumeFrames[2]?.nack).toMatchObject({ receipts: ['r2', 'r3'], reason: 'busy', delay: { seconds: 1 } });
    await expect(consumer.ack(['r2'])).rejects.toMatchObject({ code: grpc.status.CANCELLED });
  });
});
