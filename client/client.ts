// The Wharf client: one promise-returning method per RPC of BrokerService and AdminService, taking
// and returning the generated message types. Failed calls reject with the grpc ServiceError (its
// `code` and `details` kept). The raw generated clients are exposed as `broker` and `admin`.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { msToProtoDuration } from '../common/duration.ts';
import type { AckResponse__Output } from '../proto/gen/wharf/v1/AckResponse.ts';
import type { AdminServiceClient } from '../proto/gen/wharf/v1/AdminService.ts';
import type { ApplyQueueResponse__Output } from '../proto/gen/wharf/v1/ApplyQueueResponse.ts';
import type { ApplyTopicResponse__Output } from '../proto/gen/wharf/v1/ApplyTopicResponse.ts';
import type { BrokerServiceClient } from '../proto/gen/wharf/v1/BrokerService.ts';
import type { CallResponse__Output } from '../proto/gen/wharf/v1/CallResponse.ts';
import type { DeleteQueueResponse__Output } from '../proto/gen/wharf/v1/DeleteQueueResponse.ts';
import type { DeleteTopicResponse__Output } from '../proto/gen/wharf/v1/DeleteTopicResponse.ts';
import type { ExtendLeaseResponse__Output } from '../proto/gen/wharf/v1/ExtendLeaseResponse.ts';
import type { GetClusterStatusResponse__Output } from '../proto/gen/wharf/v1/GetClusterStatusResponse.ts';
import type { GetQueueResponse__Output } from '../proto/gen/wharf/v1/GetQueueResponse.ts';
import type { GetTopicResponse__Output } from '../proto/gen/wharf/v1/GetTopicResponse.ts';
import type { ListQueuesResponse__Output } from '../proto/gen/wharf/v1/ListQueuesResponse.ts';
import type { ListTopicsResponse__Output } from '../proto/gen/wharf/v1/ListTopicsResponse.ts';
import type { Message } from '../proto/gen/wharf/v1/Message.ts';
import type { NackResponse__Output } from '../proto/gen/wharf/v1/NackResponse.ts';
import type { PublishBatchResponse__Output } from '../proto/gen/wharf/v1/PublishBatchResponse.ts';
import type { PublishRequest } from '../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishResponse__Output } from '../proto/gen/wharf/v1/PublishResponse.ts';
import type { Queue, Queue__Output } from '../proto/gen/wharf/v1/Queue.ts';
import type { ReceiveRequest } from '../proto/gen/wharf/v1/ReceiveRequest.ts';
import type { ReceiveResponse__Output } from '../proto/gen/wharf/v1/ReceiveResponse.ts';
import type { RedriveDeadLettersResponse__Output } from '../proto/gen/wharf/v1/RedriveDeadLettersResponse.ts';
import type { Topic, Topic__Output } from '../proto/gen/wharf/v1/Topic.ts';
import { type ConsumeOptions, type Consumer, createConsumer, type NackOptions } from './consumer.ts';
import { adminProto, brokerProto } from './proto.ts';
import { createPublishStream, type PublishStream } from './publish-stream.ts';
import { serviceError, unaryCall } from './unary.ts';

export type { ConsumeOptions, Consumer, NackOptions, PublishStream };

export const DEFAULT_ADDRESS = '127.0.0.1:7070';
export const DEFAULT_DEADLINE_MS = 30_000;
/** HTTP/2 receive window per stream and connection. */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

export interface ConnectOptions {
  /** Deadline of each unary call (added to a Receive's wait and a Call's timeout). Default 30s. */
  deadlineMs?: number;
  /** Default: insecure (plaintext), as on loopback to the sidecar or the dev cluster. */
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
}

export interface PublishStreamOptions {
  /** Publishes awaiting an answer at once (default 256). */
  maxInFlight?: number;
}

export interface WharfClient {
  readonly address: string;
  /** The raw generated clients, for callers that drive streams themselves. */
  readonly broker: BrokerServiceClient;
  readonly admin: AdminServiceClient;

  publish(destination: string, message: Message, requestId?: string): Promise<PublishResponse__Output>;
  publishBatch(requests: readonly PublishRequest[]): Promise<PublishBatchResponse__Output>;
  openPublishStream(options?: PublishStreamOptions): PublishStream;
  receive(request: ReceiveRequest): Promise<ReceiveResponse__Output>;
  consume(options: ConsumeOptions): Consumer;
  ack(receipts: readonly string[]): Promise<AckResponse__Output>;
  nack(receipts: readonly string[], options?: NackOptions): Promise<NackResponse__Output>;
  extendLease(receipts: readonly string[], extensionMs: number): Promise<ExtendLeaseResponse__Output>;
  /** Request/reply: resolves with the reply, or rejects with DEADLINE_EXCEEDED after timeoutMs. */
  call(destination: string, message: Message, timeoutMs: number): Promise<CallResponse__Output>;

  applyQueue(queue: Queue): Promise<Queue__Output>;
  getQueue(name: string): Promise<Queue__Output>;
  /** Every namespace when `namespace` is empty or omitted. */
  listQueues(namespace?: string): Promise<Queue__Output[]>;
  deleteQueue(name: string): Promise<void>;
  applyTopic(topic: Topic): Promise<Topic__Output>;
  getTopic(name: string): Promise<Topic__Output>;
  listTopics(namespace?: string): Promise<Topic__Output[]>;
  deleteTopic(name: string): Promise<void>;
  clusterStatus(): Promise<GetClusterStatusResponse__Output>;
  /** Moves up to `maxMessages` (0 or omitted: all) back to their origin; resolves with the count moved. */
  redriveDeadLetters(deadLetterQueue: string, maxMessages?: number): Promise<number>;

  close(): void;
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw serviceError(grpc.status.INTERNAL, `response has no ${what}`);
  return value;
}

export function connect(address: string = DEFAULT_ADDRESS, options: ConnectOptions = {}): WharfClient {
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const credentials = options.credentials ?? grpc.credentials.createInsecure();
  // A 64 KiB HTTP/2 window (Node's default) lets the broker push only ~60 deliveries of 1 KiB before
  // waiting for a WINDOW_UPDATE round trip: consumption becomes latency-bound. 16 MiB keeps the
  // credit window (max_in_flight) the real limit. Callers' channelOptions win.
  const channelOptions: grpc.ChannelOptions = {
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
    ...options.channelOptions,
  };
  const broker = new brokerProto.wharf.v1.BrokerService(address, credentials, channelOptions);
  // The admin client shares the broker client's channel: one connection per address.
  const admin = new adminProto.wharf.v1.AdminService(address, credentials, {
    ...channelOptions,
    channelOverride: broker.getChannel(),
  });

  return {
    address,
    broker,
    admin,

    publish: (destination, message, requestId = randomUUID()) =>
      unaryCall((o, cb) => broker.publish({ destination, message, requestId }, o, cb), deadlineMs),
    publishBatch: (requests) =>
      unaryCall((o, cb) => broker.publishBatch({ requests: [...requests] }, o, cb), deadlineMs),
    openPublishStream: (streamOptions = {}) => createPublishStream(broker.publishStream(), streamOptions.maxInFlight),
    receive: (request) => {
      const waitMs = Number(request.wait?.seconds ?? 0) * 1000 + Math.ceil((request.wait?.nanos ?? 0) / 1e6);
      return unaryCall((o, cb) => broker.receive(request, o, cb), deadlineMs + waitMs);
    },
    consume: (consumeOptions) => createConsumer(broker.consume(), consumeOptions, deadlineMs),
    ack: (receipts) => unaryCall((o, cb) => broker.ack({ receipts: [...receipts] }, o, cb), deadlineMs),
    nack: (receipts, nackOptions = {}) =>
      unaryCall(
        (o, cb) =>
          broker.nack(
            {
              receipts: [...receipts],
              ...(nackOptions.delayMs === undefined ? {} : { delay: msToProtoDuration(nackOptions.delayMs) }),
              deadLetter: nackOptions.deadLetter ?? false,
              reason: nackOptions.reason ?? '',
            },
            o,
            cb,
          ),
        deadlineMs,
      ),
    extendLease: (receipts, extensionMs) =>
      unaryCall(
        (o, cb) => broker.extendLease({ receipts: [...receipts], extension: msToProtoDuration(extensionMs) }, o, cb),
        deadlineMs,
      ),
    call: (destination, message, timeoutMs) =>
      unaryCall(
        (o, cb) => broker.call({ destination, message, timeout: msToProtoDuration(timeoutMs) }, o, cb),
        timeoutMs + deadlineMs,
      ),

    applyQueue: async (queue) =>
      required(
        (await unaryCall<ApplyQueueResponse__Output>((o, cb) => admin.applyQueue({ queue }, o, cb), deadlineMs)).queue,
        'queue',
      ),
    getQueue: async (name) =>
      required(
        (await unaryCall<GetQueueResponse__Output>((o, cb) => admin.getQueue({ name }, o, cb), deadlineMs)).queue,
        'queue',
      ),
    listQueues: async (namespace = '') =>
      (await unaryCall<ListQueuesResponse__Output>((o, cb) => admin.listQueues({ namespace }, o, cb), deadlineMs))
        .queues,
    deleteQueue: async (name) => {
      await unaryCall<DeleteQueueResponse__Output>((o, cb) => admin.deleteQueue({ name }, o, cb), deadlineMs);
    },
    applyTopic: async (topic) =>
      required(
        (await unaryCall<ApplyTopicResponse__Output>((o, cb) => admin.applyTopic({ topic }, o, cb), deadlineMs)).topic,
        'topic',
      ),
    getTopic: async (name) =>
      required(
        (await unaryCall<GetTopicResponse__Output>((o, cb) => admin.getTopic({ name }, o, cb), deadlineMs)).topic,
        'topic',
      ),
    listTopics: async (namespace = '') =>
      (await unaryCall<ListTopicsResponse__Output>((o, cb) => admin.listTopics({ namespace }, o, cb), deadlineMs))
        .topics,
    deleteTopic: async (name) => {
      await unaryCall<DeleteTopicResponse__Output>((o, cb) => admin.deleteTopic({ name }, o, cb), deadlineMs);
    },
    clusterStatus: () => unaryCall((o, cb) => admin.getClusterStatus({}, o, cb), deadlineMs),
    redriveDeadLetters: async (deadLetterQueue, maxMessages = 0) =>
      (
        await unaryCall<RedriveDeadLettersResponse__Output>(
          (o, cb) => admin.redriveDeadLetters({ deadLetterQueue, maxMessages }, o, cb),
          deadlineMs,
        )
      ).redriven,

    close() {
      admin.close();
      broker.close();
    },
  };
}
