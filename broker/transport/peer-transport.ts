// The peer transport: Raft messages between brokers over gRPC on the peer port. Each broker opens
// one RaftService.Exchange stream to every other member and writes batches of messages in the
// compact binary form of codec.ts; the receiver answers each batch with the count it took in.
//
// Per peer: messages queue (bounded in count and bytes; beyond that they are dropped, and so are
// messages while the peer is unreachable: Raft retransmits), and at most `inFlightBatchesMax`
// batches are unacknowledged; everything queued while they were in flight goes out as the next
// batch. A failed stream is dropped with its queue and reopened after an exponential backoff.
// send() never throws and never calls back synchronously, as the replica's Transport requires.
// An empty batch goes to every idle peer every `probeMs`, so links stay open and every member
// knows which peers answer (followers exchange no Raft messages among themselves).
//
// With TLS files the peer port speaks mutual TLS: each member presents its certificate both as
// server and as client, and accepts only certificates the CA bundle signed, so a process without
// one cannot send Raft messages to a member nor receive any. Renewed files reach new connections.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS } from '../../client/proto.ts';
import type { Logger } from '../../common/logger.ts';
import { channelCredentials, serverCredentials, type TlsFiles } from '../../common/tls.ts';
import type { ProtoGrpcType } from '../../proto/gen/raft.ts';
import type { ExchangeRequest, ExchangeRequest__Output } from '../../proto/gen/wharf/raft/v1/ExchangeRequest.ts';
import type { ExchangeResponse, ExchangeResponse__Output } from '../../proto/gen/wharf/raft/v1/ExchangeResponse.ts';
import type { RaftServiceClient } from '../../proto/gen/wharf/raft/v1/RaftService.ts';
import type { MemberId, RaftMessage } from '../raft/messages.ts';
import type { Transport } from '../replica/io.ts';
import { approximateBytes, decodeBatch, encodeBatch, type GroupMessage } from './codec.ts';

const raftProto = grpc.loadPackageDefinition(
  protoLoader.loadSync('wharf/raft/v1/raft.proto', PROTO_LOADER_OPTIONS),
) as unknown as ProtoGrpcType;

/** Stream failures that come from the TLS handshake (certificates, not the network). */
const TLS_FAILURE = /certificate|self[- ]signed|handshake|ssl|tls|alert|verify/i;

/** Largest peer message (a snapshot travels whole in one MsgSnap). */
const PEER_MESSAGE_BYTES_MAX = 512 * 1024 * 1024;

export interface PeerTransportOptions {
  readonly self: MemberId;
  /** Peer-port addresses ("host:port") of the other members. */
  readonly peers: ReadonlyMap<MemberId, string>;
  readonly host: string;
  /** Peer port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly logger: Logger;
  /** Messages queued per peer before new ones are dropped. Default 4,096. */
  readonly queueMessagesMax?: number;
  /** Bytes queued per peer before new messages are dropped. Default 64 MiB. */
  readonly queueBytesMax?: number;
  /** A batch closes at this size (a single larger message goes alone). Default 4 MiB. */
  readonly batchBytesMax?: number;
  /** Batches written and not yet acknowledged by the peer. Default 2. */
  readonly inFlightBatchesMax?: number;
  readonly backoffMsMin?: number;
  readonly backoffMsMax?: number;
  /** A peer counts as healthy while heard from within this long. Default 3 s. */
  readonly healthyWithinMs?: number;
  /** Idle peers get an empty batch this often (liveness). Default 500 ms; 0: never. */
  readonly probeMs?: number;
  /** Mutual TLS with these files; plaintext when undefined. */
  readonly tls?: TlsFiles;
}

export interface PeerTransportStats {
  sentMessages: number;
  sentBatches: number;
  droppedMessages: number;
  receivedMessages: number;
  receivedBatches: number;
  reconnects: number;
}

type Handler = (message: RaftMessage, group: number) => void;

export class PeerTransport implements Transport {
  readonly #options: PeerTransportOptions;
  readonly #server: grpc.Server;
  readonly #links = new Map<MemberId, PeerLink>();
  readonly #lastHeard = new Map<MemberId, number>();
  readonly #calls = new Set<grpc.ServerDuplexStream<ExchangeRequest__Output, ExchangeResponse>>();
  readonly stats: PeerTransportStats = {
    sentMessages: 0,
    sentBatches: 0,
    droppedMessages: 0,
    receivedMessages: 0,
    receivedBatches: 0,
    reconnects: 0,
  };
  #handler: Handler | undefined;
  #probe: NodeJS.Timeout | undefined;
  #port = 0;
  #closed = false;

  private constructor(options: PeerTransportOptions) {
    this.#options = options;
    this.#server = new grpc.Server({
      'grpc.max_receive_message_length': PEER_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': PEER_MESSAGE_BYTES_MAX,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 1_000,
    });
    this.#server.addService(raftProto.wharf.raft.v1.RaftService.service, {
      Exchange: (call: grpc.ServerDuplexStream<ExchangeRequest__Output, ExchangeResponse>) => this.#serve(call),
    });
    for (const [id, address] of options.peers) {
      if (id !== options.self) this.#links.set(id, new PeerLink(this, id, address, options));
    }
  }

  /** Binds the peer port and returns the transport; peers are dialled on first send. */
  static async start(options: PeerTransportOptions): Promise<PeerTransport> {
    const transport = new PeerTransport(options);
    transport.#port = await new Promise<number>((resolve, reject) => {
      transport.#server.bindAsync(
        `${options.host}:${options.port}`,
        serverCredentials(options.tls, true),
        (error, port) => (error ? reject(error) : resolve(port)),
      );
    });
    const probeMs = options.probeMs ?? 500;
    if (probeMs > 0) {
      transport.#probe = setInterval(() => {
        for (const link of transport.#links.values()) link.probe();
      }, probeMs);
      transport.#probe.unref();
    }
    return transport;
  }

  get port(): number {
    return this.#port;
  }

  get logger(): Logger {
    return this.#options.logger;
  }

  /** Where received messages go (messages arriving before this is set are dropped). */
  onReceive(handler: Handler): void {
    this.#handler = handler;
  }

  send(message: RaftMessage, group = 0): void {
    if (this.#closed) return;
    const link = this.#links.get(message.to);
    if (link === undefined) {
      this.stats.droppedMessages++;
      return;
    }
    link.enqueue({ group, message });
  }

  /** Learns (or updates) where a member's peer port is: membership changed. */
  setPeer(member: MemberId, address: string): void {
    if (this.#closed || member === this.#options.self) return;
    const link = this.#links.get(member);
    if (link?.address === address) return;
    link?.close();
    this.#links.set(member, new PeerLink(this, member, address, this.#options));
  }

  /** Forgets a member that left the group. */
  removePeer(member: MemberId): void {
    this.#links.get(member)?.close();
    this.#links.delete(member);
  }

  /** Whether a message or an acknowledgement came from the member recently. */
  healthy(member: MemberId): boolean {
    const within = this.#options.healthyWithinMs ?? 3_000;
    const heard = Math.max(this.#lastHeard.get(member) ?? 0, this.#links.get(member)?.lastAckMs ?? 0);
    return Date.now() - heard < within;
  }

  /** @internal */
  heard(member: MemberId): void {
    this.#lastHeard.set(member, Date.now());
  }

  #serve(call: grpc.ServerDuplexStream<ExchangeRequest__Output, ExchangeResponse>): void {
    this.#calls.add(call);
    let received = 0;
    call.on('data', (request: ExchangeRequest__Output) => {
      received++;
      let batch: GroupMessage[];
      try {
        batch = decodeBatch(request.frames);
      } catch (error) {
        this.#options.logger.warn(
          { err: error, from: request.fromMember },
          'undecodable peer batch: closing the stream',
        );
        call.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.heard(request.fromMember);
      this.stats.receivedBatches++;
      this.stats.receivedMessages += batch.length;
      call.write({ received });
      const handler = this.#handler;
      if (handler === undefined || this.#closed) return;
      for (const { group, message } of batch) handler(message, group);
    });
    call.on('error', () => this.#calls.delete(call));
    call.on('end', () => {
      this.#calls.delete(call);
      call.end();
    });
    call.on('close', () => this.#calls.delete(call));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#probe !== undefined) clearInterval(this.#probe);
    for (const link of this.#links.values()) link.close();
    for (const call of this.#calls) call.end();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 1_000);
      force.unref();
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

/** The sending half towards one peer: queue, in-flight batches, stream, backoff. */
class PeerLink {
  readonly #transport: PeerTransport;
  readonly #peer: MemberId;
  readonly address: string;
  readonly #self: MemberId;
  readonly #client: RaftServiceClient;
  readonly #queueMessagesMax: number;
  readonly #queueBytesMax: number;
  readonly #batchBytesMax: number;
  readonly #inFlightMax: number;
  readonly #backoffMsMin: number;
  readonly #backoffMsMax: number;
  #queue: GroupMessage[] = [];
  #queueBytes = 0;
  #stream: grpc.ClientDuplexStream<ExchangeRequest, ExchangeResponse__Output> | undefined;
  #written = 0;
  #acked = 0;
  #backoffMs: number;
  #retryAtMs = 0;
  #flushScheduled = false;
  #closed = false;
  #lastTlsProblem = '';
  lastAckMs = 0;

  constructor(transport: PeerTransport, peer: MemberId, address: string, options: PeerTransportOptions) {
    this.#transport = transport;
    this.#peer = peer;
    this.address = address;
    this.#self = options.self;
    this.#queueMessagesMax = options.queueMessagesMax ?? 4_096;
    this.#queueBytesMax = options.queueBytesMax ?? 64 * 1024 * 1024;
    this.#batchBytesMax = options.batchBytesMax ?? 4 * 1024 * 1024;
    this.#inFlightMax = options.inFlightBatchesMax ?? 2;
    this.#backoffMsMin = options.backoffMsMin ?? 50;
    this.#backoffMsMax = options.backoffMsMax ?? 1_000;
    this.#backoffMs = this.#backoffMsMin;
    this.#client = new raftProto.wharf.raft.v1.RaftService(address, channelCredentials(options.tls, true), {
      'grpc.max_receive_message_length': PEER_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': PEER_MESSAGE_BYTES_MAX,
      'grpc.initial_reconnect_backoff_ms': this.#backoffMsMin,
      'grpc.max_reconnect_backoff_ms': this.#backoffMsMax,
      'grpc.keepalive_time_ms': 5_000,
      'grpc.keepalive_timeout_ms': 3_000,
      'grpc.keepalive_permit_without_calls': 1,
    });
  }

  enqueue(item: GroupMessage): void {
    const stats = this.#transport.stats;
    const bytes = approximateBytes(item.message);
    const carriesEntries = item.message.type === 'MsgApp' || item.message.type === 'MsgSnap';
    if (
      this.#closed ||
      Date.now() < this.#retryAtMs ||
      this.#queue.length >= this.#queueMessagesMax ||
      // Only entries count against the byte bound: heartbeats and answers are tiny, and dropping
      // them behind a backlog of entries would look like a dead peer (an election for nothing).
      (carriesEntries && this.#queue.length > 0 && this.#queueBytes + bytes > this.#queueBytesMax)
    ) {
      stats.droppedMessages++;
      if (!this.#closed && Date.now() >= this.#retryAtMs && stats.droppedMessages % 1_000 === 1) {
        this.#transport.logger.warn(
          {
            peer: this.#peer,
            queued: this.#queue.length,
            queuedBytes: this.#queueBytes,
            dropped: stats.droppedMessages,
          },
          'peer queue full: dropping Raft messages (Raft resends what matters)',
        );
      }
      return;
    }
    this.#queue.push(item);
    this.#queueBytes += bytes;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // After the current ready loop has sent all it has: one batch for all of it.
      setImmediate(() => {
        this.#flushScheduled = false;
        this.#flush();
      });
    }
  }

  #flush(): void {
    if (this.#closed || this.#queue.length === 0) return;
    if (this.#stream === undefined) this.#open();
    const stream = this.#stream;
    if (stream === undefined) return;
    while (this.#queue.length > 0 && this.#written - this.#acked < this.#inFlightMax) {
      let take = 0;
      let bytes = 0;
      while (take < this.#queue.length) {
        const next = approximateBytes((this.#queue[take] as GroupMessage).message);
        if (take > 0 && bytes + next > this.#batchBytesMax) break;
        bytes += next;
        take++;
      }
      const batch = this.#queue.splice(0, take);
      this.#queueBytes -= bytes;
      let frames: Uint8Array;
      try {
        frames = encodeBatch(batch);
      } catch (error) {
        this.#transport.logger.error({ err: error, peer: this.#peer }, 'cannot encode a Raft batch: dropped');
        this.#transport.stats.droppedMessages += batch.length;
        continue;
      }
      this.#written++;
      this.#transport.stats.sentBatches++;
      this.#transport.stats.sentMessages += batch.length;
      stream.write({ fromMember: this.#self, frames: Buffer.from(frames.buffer, frames.byteOffset, frames.length) });
    }
  }

  /** An empty batch when nothing is queued or in flight (opens the stream if it is down). */
  probe(): void {
    if (this.#closed || this.#queue.length > 0 || Date.now() < this.#retryAtMs) return;
    if (this.#stream === undefined) this.#open();
    const stream = this.#stream;
    if (stream === undefined || this.#written > this.#acked) return;
    this.#written++;
    stream.write({ fromMember: this.#self, frames: Buffer.alloc(0) });
  }

  #open(): void {
    const stream = this.#client.Exchange();
    this.#stream = stream;
    this.#written = 0;
    this.#acked = 0;
    stream.on('data', (response: ExchangeResponse__Output) => {
      if (this.#stream !== stream) return;
      this.#acked = Math.max(this.#acked, Number(response.received));
      this.lastAckMs = Date.now();
      this.#backoffMs = this.#backoffMsMin;
      this.#flush();
    });
    const failed = (reason: string) => {
      if (this.#stream !== stream) return;
      this.#stream = undefined;
      this.#transport.stats.droppedMessages += this.#queue.length;
      this.#queue = [];
      this.#queueBytes = 0;
      if (this.#closed) return;
      this.#transport.stats.reconnects++;
      this.#retryAtMs = Date.now() + this.#backoffMs;
      // A certificate problem does not go away by retrying: say so once (per reason), not at debug.
      const tlsProblem = TLS_FAILURE.test(reason) && reason !== this.#lastTlsProblem;
      if (tlsProblem) this.#lastTlsProblem = reason;
      this.#transport.logger[tlsProblem ? 'warn' : 'debug'](
        { peer: this.#peer, address: this.address, reason, backoffMs: this.#backoffMs },
        tlsProblem ? 'peer TLS handshake failed: check both certificates and ca.crt' : 'peer stream lost',
      );
      this.#backoffMs = Math.min(this.#backoffMsMax, this.#backoffMs * 2);
    };
    stream.on('error', (error: Error) => failed(error.message));
    stream.on('end', () => failed('ended by the peer'));
  }

  close(): void {
    this.#closed = true;
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.cancel();
    this.#client.close();
  }
}
