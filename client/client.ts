// The Wharf client: one promise-returning method per RPC of BrokerService and AdminService, taking
// and returning the generated message types. Failed calls reject with the grpc ServiceError (its
// `code` and `details` kept). The raw generated clients are exposed as `broker` and `admin`.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { msToProtoDuration } from '../common/duration.ts';
import { invalidArgument } from '../common/errors.ts';
import type { AckResponse__Output } from '../proto/gen/wharf/v1/AckResponse.ts';
import type { AddMemberResponse__Output } from '../proto/gen/wharf/v1/AddMemberResponse.ts';
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
import type { Member__Output } from '../proto/gen/wharf/v1/Member.ts';
import type { Message } from '../proto/gen/wharf/v1/Message.ts';
import type { NackResponse__Output } from '../proto/gen/wharf/v1/NackResponse.ts';
import type { PublishBatchResponse__Output } from '../proto/gen/wharf/v1/PublishBatchResponse.ts';
import type { PublishRequest } from '../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishResponse__Output } from '../proto/gen/wharf/v1/PublishResponse.ts';
import type { Queue, Queue__Output } from '../proto/gen/wharf/v1/Queue.ts';
import type { ReceiveRequest } from '../proto/gen/wharf/v1/ReceiveRequest.ts';
import type { ReceiveResponse__Output } from '../proto/gen/wharf/v1/ReceiveResponse.ts';
import type { RedriveDeadLettersResponse__Output } from '../proto/gen/wharf/v1/RedriveDeadLettersResponse.ts';
import type { RemoveMemberResponse__Output } from '../proto/gen/wharf/v1/RemoveMemberResponse.ts';
import type { Topic, Topic__Output } from '../proto/gen/wharf/v1/Topic.ts';
import { type ConsumeOptions, type Consumer, createConsumer, type NackOptions } from './consumer.ts';
import { adminProto, brokerProto } from './proto.ts';
import { createPublishStream, type PublishStream } from './publish-stream.ts';
import { isServiceError, type StartUnary, serviceError, unaryCall } from './unary.ts';

export type { ConsumeOptions, Consumer, NackOptions, PublishStream };

export const DEFAULT_ADDRESS = '127.0.0.1:7070';
export const DEFAULT_DEADLINE_MS = 30_000;
/** Trailer in which a follower names the leader's client address. */
export const LEADER_TRAILER = 'wharf-leader';
/** Leader hints followed for one call (a leader change during the call may need a second). */
const LEADER_HOPS_MAX = 3;
/** Broker addresses one client keeps connections to. */
const ADDRESSES_MAX = 16;
/** HTTP/2 receive window per stream and connection. */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

/** TLS to brokers that serve it (their --tls-dir): how to verify them. */
export interface ClientTls {
  /** The CA bundle (PEM) the broker's certificate must chain to: the Secret's ca.crt. */
  readonly ca: string | Buffer;
  /**
   * The name the certificate must carry, when the address does not (an IP address, or 127.0.0.1
   * through `kubectl port-forward`). Default: the host of the address.
   */
  readonly serverName?: string;
}

export interface ConnectOptions {
  /** Deadline of each unary call (added to a Receive's wait and a Call's timeout). Default 30s. */
  deadlineMs?: number;
  /** Default: insecure (plaintext), as on loopback to the sidecar or the dev cluster. */
  credentials?: grpc.ChannelCredentials;
  /** Verify the brokers with TLS (ignored when `credentials` is given). */
  tls?: ClientTls;
  channelOptions?: grpc.ChannelOptions;
  /**
   * Follow a follower's leader hint (UNAVAILABLE with the `wharf-leader` trailer) by retrying the
   * unary call on the leader, and send later calls and streams there. Default true.
   */
  followLeader?: boolean;
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
  /**
   * Adds a member (`address` is `host:clientPort:peerPort`) as a learner and promotes it once it
   * has caught up; resolves with the members after. Idempotent: call again after a timeout.
   */
  addMember(id: string, address: string): Promise<Member__Output[]>;
  removeMember(id: string): Promise<Member__Output[]>;
  /** Moves leadership off `fromMember` (default: the leader) to `toMember` (default: the cluster picks). */
  transferLeadership(options?: { toMember?: string; fromMember?: string }): Promise<void>;

  close(): void;
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw serviceError(grpc.status.INTERNAL, `response has no ${what}`);
  return value;
}

/** Channel credentials and options for `tls` (INVALID_ARGUMENT when the CA is not PEM). */
export function tlsChannel(tls: ClientTls): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const ca = Buffer.isBuffer(tls.ca) ? tls.ca : Buffer.from(tls.ca);
  if (!ca.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
    throw invalidArgument('TLS CA: holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
  return {
    credentials: grpc.credentials.createSsl(ca),
    options: tls.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': tls.serverName },
  };
}

export function connect(address: string = DEFAULT_ADDRESS, options: ConnectOptions = {}): WharfClient {
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const tls = options.credentials === undefined && options.tls !== undefined ? tlsChannel(options.tls) : undefined;
  const credentials = options.credentials ?? tls?.credentials ?? grpc.credentials.createInsecure();
  // A 64 KiB HTTP/2 window (Node's default) lets the broker push only ~60 deliveries of 1 KiB before
  // waiting for a WINDOW_UPDATE round trip: consumption becomes latency-bound. 16 MiB keeps the
  // credit window (max_in_flight) the real limit. Callers' channelOptions win.
  const channelOptions: grpc.ChannelOptions = {
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
    // A broker that stops answering (paused, partitioned, its host gone) is given up within about
    // 5 s, so calls fail with UNAVAILABLE and can go to the new leader, instead of hanging on an
    // open connection until their deadline.
    'grpc.keepalive_time_ms': 2_000,
    'grpc.keepalive_timeout_ms': 3_000,
    'grpc.keepalive_permit_without_calls': 1,
    ...tls?.options,
    ...options.channelOptions,
  };
  interface Pair {
    readonly address: string;
    readonly broker: BrokerServiceClient;
    readonly admin: AdminServiceClient;
  }
  const pairs = new Map<string, Pair>();
  const pairFor = (target: string): Pair => {
    let pair = pairs.get(target);
    if (pair === undefined) {
      const broker = new brokerProto.wharf.v1.BrokerService(target, credentials, channelOptions);
      // The admin client shares the broker client's channel: one connection per address.
      const admin = new adminProto.wharf.v1.AdminService(target, credentials, {
        ...channelOptions,
        channelOverride: broker.getChannel(),
      });
      pair = { address: target, broker, admin };
      pairs.set(target, pair);
    }
    return pair;
  };
  const first = pairFor(address);
  const { broker, admin } = first;
  let current = first;
  const followLeader = options.followLeader ?? true;
  /**
   * A unary call on the current broker. A follower refuses with UNAVAILABLE and the leader's address
   * in the `wharf-leader` trailer: nothing was done, so the call goes to the leader instead.
   */
  const call = async <T>(start: (pair: Pair) => StartUnary<T>, callDeadlineMs: number): Promise<T> => {
    for (let hop = 0; ; hop++) {
      const pair = current;
      try {
        return await unaryCall(start(pair), callDeadlineMs);
      } catch (error) {
        const hint =
          followLeader && hop < LEADER_HOPS_MAX && isServiceError(error) && error.code === grpc.status.UNAVAILABLE
            ? String(error.metadata?.get(LEADER_TRAILER)[0] ?? '')
            : '';
        if (hint === '' || hint === pair.address || pairs.size >= ADDRESSES_MAX) throw error;
        current = pairFor(hint);
      }
    }
  };

  return {
    address,
    broker,
    admin,

    publish: (destination, message, requestId = randomUUID()) =>
      call((p) => (o, cb) => p.broker.publish({ destination, message, requestId }, o, cb), deadlineMs),
    publishBatch: (requests) =>
      call((p) => (o, cb) => p.broker.publishBatch({ requests: [...requests] }, o, cb), deadlineMs),
    openPublishStream: (streamOptions = {}) =>
      createPublishStream(current.broker.publishStream(), streamOptions.maxInFlight),
    receive: (request) => {
      const waitMs = Number(request.wait?.seconds ?? 0) * 1000 + Math.ceil((request.wait?.nanos ?? 0) / 1e6);
      return call((p) => (o, cb) => p.broker.receive(request, o, cb), deadlineMs + waitMs);
    },
    consume: (consumeOptions) => createConsumer(current.broker.consume(), consumeOptions, deadlineMs),
    ack: (receipts) => call((p) => (o, cb) => p.broker.ack({ receipts: [...receipts] }, o, cb), deadlineMs),
    nack: (receipts, nackOptions = {}) =>
      call(
        (p) => (o, cb) =>
          p.broker.nack(
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
      call(
        (p) => (o, cb) =>
          p.broker.extendLease({ receipts: [...receipts], extension: msToProtoDuration(extensionMs) }, o, cb),
        deadlineMs,
      ),
    call: (destination, message, timeoutMs) =>
      call(
        (p) => (o, cb) => p.broker.call({ destination, message, timeout: msToProtoDuration(timeoutMs) }, o, cb),
        timeoutMs + deadlineMs,
      ),

    applyQueue: async (queue) =>
      required(
        (await call<ApplyQueueResponse__Output>((p) => (o, cb) => p.admin.applyQueue({ queue }, o, cb), deadlineMs))
          .queue,
        'queue',
      ),
    getQueue: async (name) =>
      required(
        (await call<GetQueueResponse__Output>((p) => (o, cb) => p.admin.getQueue({ name }, o, cb), deadlineMs)).queue,
        'queue',
      ),
    listQueues: async (namespace = '') =>
      (await call<ListQueuesResponse__Output>((p) => (o, cb) => p.admin.listQueues({ namespace }, o, cb), deadlineMs))
        .queues,
    deleteQueue: async (name) => {
      await call<DeleteQueueResponse__Output>((p) => (o, cb) => p.admin.deleteQueue({ name }, o, cb), deadlineMs);
    },
    applyTopic: async (topic) =>
      required(
        (await call<ApplyTopicResponse__Output>((p) => (o, cb) => p.admin.applyTopic({ topic }, o, cb), deadlineMs))
          .topic,
        'topic',
      ),
    getTopic: async (name) =>
      required(
        (await call<GetTopicResponse__Output>((p) => (o, cb) => p.admin.getTopic({ name }, o, cb), deadlineMs)).topic,
        'topic',
      ),
    listTopics: async (namespace = '') =>
      (await call<ListTopicsResponse__Output>((p) => (o, cb) => p.admin.listTopics({ namespace }, o, cb), deadlineMs))
        .topics,
    deleteTopic: async (name) => {
      await call<DeleteTopicResponse__Output>((p) => (o, cb) => p.admin.deleteTopic({ name }, o, cb), deadlineMs);
    },
    clusterStatus: () => call((p) => (o, cb) => p.admin.getClusterStatus({}, o, cb), deadlineMs),
    redriveDeadLetters: async (deadLetterQueue, maxMessages = 0) =>
      (
        await call<RedriveDeadLettersResponse__Output>(
          (p) => (o, cb) => p.admin.redriveDeadLetters({ deadLetterQueue, maxMessages }, o, cb),
          deadlineMs,
        )
      ).redriven,
    addMember: async (id, address) =>
      (await call<AddMemberResponse__Output>((p) => (o, cb) => p.admin.addMember({ id, address }, o, cb), deadlineMs))
        .members,
    removeMember: async (id) =>
      (await call<RemoveMemberResponse__Output>((p) => (o, cb) => p.admin.removeMember({ id }, o, cb), deadlineMs))
        .members,
    transferLeadership: async ({ toMember = '', fromMember = '' } = {}) => {
      await call((p) => (o, cb) => p.admin.transferLeadership({ toMember, fromMember }, o, cb), deadlineMs);
    },

    close() {
      for (const pair of pairs.values()) {
        pair.admin.close();
        pair.broker.close();
      }
    },
  };
}
