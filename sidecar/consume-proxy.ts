// Consume through the sidecar: one upstream Consume stream per app stream, frames passed both
// ways with back-pressure (a side that cannot write pauses the other). Deliveries get a process
// span and a ledger entry; settle results end them with an ack/nack span. On drain the sidecar
// cancels the upstream stream, ends the app's with UNAVAILABLE (so its client reconnects
// elsewhere) and hands back what the app held, for the caller to nack (delay ~0).
import {
  type ClientDuplexStream,
  Metadata,
  type MethodDefinition,
  type ServerDuplexStream,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { brokerPackageDefinition } from '../client/proto.ts';
import type { Logger } from '../common/logger.ts';
import type { ConsumeRequest, ConsumeRequest__Output } from '../proto/gen/wharf/v1/ConsumeRequest.ts';
import type { ConsumeResponse, ConsumeResponse__Output } from '../proto/gen/wharf/v1/ConsumeResponse.ts';
import type { Delivery__Output } from '../proto/gen/wharf/v1/Delivery.ts';
import type { DeliveryLedger, HeldDelivery } from './delivery-ledger.ts';
import type { SidecarMetrics } from './metrics.ts';
import { qualify } from './namespace.ts';
import type { Router } from './router.ts';
import { statusOf, toServiceError } from './status.ts';
import type { Tracing } from './tracing.ts';
import { type ConsumeRequestHead, type ConsumeResponseHead, readConsumeRequest, readConsumeResponse } from './wire.ts';

/** Nack delay that makes a message deliverable again at once (0 would mean "use the backoff"). */
export const REDELIVER_NOW_MS = 1;
export const CONSUME_STREAMS_MAX = 1_024;
/** Settles one stream may have sent and not seen answered. */
const PENDING_SETTLES_MAX = 100_000;

type Op = 'ack' | 'nack' | 'extend';

export interface ConsumeDeps {
  readonly router: Router;
  readonly ledger: DeliveryLedger;
  readonly tracing: Tracing;
  readonly metrics: SidecarMetrics;
  readonly logger: Logger;
  readonly namespace: string;
}

/** The app's side: frames arrive as their bytes (see rawConsumeService) and go out as bytes or objects. */
type AppStream = ServerDuplexStream<Buffer, Buffer | ConsumeResponse>;
/** The broker's side: frames written as bytes or objects, read as their bytes. */
type UpstreamStream = ClientDuplexStream<Buffer | ConsumeRequest, Buffer>;

interface ConsumeMethod
  extends Omit<MethodDefinition<ConsumeRequest, ConsumeResponse>, 'requestDeserialize' | 'responseDeserialize'> {
  requestDeserialize(bytes: Buffer): ConsumeRequest__Output;
  responseDeserialize(bytes: Buffer): ConsumeResponse__Output;
}
const CONSUME = (brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition)
  .Consume as unknown as ConsumeMethod;
const encodeRequest = (frame: Buffer | ConsumeRequest): Buffer =>
  Buffer.isBuffer(frame) ? frame : CONSUME.requestSerialize(frame);
const encodeResponse = (frame: Buffer | ConsumeResponse): Buffer =>
  Buffer.isBuffer(frame) ? frame : CONSUME.responseSerialize(frame);
const asBytes = (bytes: Buffer): Buffer => bytes;

/**
 * BrokerService with Consume frames left as bytes both ways: the sidecar reads the few fields it
 * needs (wire.ts) and forwards deliveries, settle results and settle frames as they arrived.
 */
export function rawConsumeService(service: ServiceDefinition): ServiceDefinition {
  return {
    ...service,
    Consume: { ...CONSUME, requestDeserialize: asBytes, responseSerialize: encodeResponse },
  } as ServiceDefinition;
}

const OUTCOMES: readonly string[] = (
  brokerPackageDefinition['wharf.v1.Outcome'] as { type: { value: { name: string; number: number }[] } }
).type.value.reduce<string[]>((names, v) => {
  names[v.number] = v.name;
  return names;
}, []);
const outcomeName = (n: number): string => OUTCOMES[n] ?? String(n);
/** Outcome numbers counted on the stream (the enum has four; others are counted at once). */
const OUTCOME_SLOTS = 8;
/** Deliveries between route confirmations (the route of a stream's destination is refreshed, not re-set per message). */
const CONFIRM_EVERY = 256;

class ConsumeSession {
  readonly id: number;
  readonly #deps: ConsumeDeps;
  readonly #app: AppStream;
  readonly #onClose: () => void;
  #upstream: UpstreamStream | undefined;
  #address = '';
  #closed = false;
  #sinceConfirm = CONFIRM_EVERY;
  #upstreamPaused = false;
  #appPaused = false;
  readonly #pending = new Map<string, Op>();
  /** Extensions asked for and not answered yet, by receipt (bounded with #pending). */
  readonly #extensions = new Map<string, number>();
  readonly #deliveries: { inc(n?: number): void };
  /** Deliveries and settle results counted on the stream, added to the counters once per turn of the event loop. */
  #delivered = 0;
  readonly #settledCounts: number[] = [];
  #flushQueued = false;

  constructor(id: number, deps: ConsumeDeps, app: AppStream, onClose: () => void) {
    this.id = id;
    this.#deps = deps;
    this.#app = app;
    this.#onClose = onClose;
    this.#deliveries = deps.metrics.deliveries.labels({ source: 'consume' });
    app.on('data', (frame: Buffer) => this.#fromApp(frame));
    app.on('end', () => this.#upstream?.end());
    app.on('cancelled', () => this.#close(true));
    app.on('error', () => this.#close(true));
  }

  #fail(code: status, details: string): void {
    if (this.#closed) return;
    this.#app.emit('error', { code, details, metadata: new Metadata() });
    this.#close(true);
  }

  #fromApp(bytes: Buffer): void {
    if (this.#closed) return;
    let head: ConsumeRequestHead;
    try {
      head = readConsumeRequest(bytes);
    } catch (error) {
      this.#fail(status.INVALID_ARGUMENT, `malformed Consume frame: ${String(error)}`);
      return;
    }
    if (head.kind === 'subscribe') {
      if (this.#upstream !== undefined) {
        this.#fail(status.INVALID_ARGUMENT, 'subscribe may be sent once per stream');
        return;
      }
      const frame = CONSUME.requestDeserialize(bytes);
      if (!frame.subscribe) return;
      let destination: string;
      try {
        destination = qualify(frame.subscribe.destination, this.#deps.namespace);
      } catch (error) {
        const s = statusOf(error, this.#deps.logger, 'Consume');
        this.#fail(s.code, s.details);
        return;
      }
      this.#open(destination, { subscribe: { ...frame.subscribe, destination } });
      return;
    }
    const upstream = this.#upstream;
    if (upstream === undefined) {
      this.#fail(status.FAILED_PRECONDITION, 'send a subscribe frame first');
      return;
    }
    if (head.kind !== 'other') {
      const extensionMs = head.kind === 'extend' ? (head.delayMs ?? 0) : undefined;
      for (const receipt of head.receipts) {
        if (this.#pending.size >= PENDING_SETTLES_MAX) break;
        this.#pending.set(receipt, head.kind);
        if (extensionMs !== undefined) this.#extensions.set(receipt, extensionMs);
      }
    }
    if (!upstream.write(bytes) && !this.#appPaused) {
      this.#appPaused = true;
      this.#app.pause();
      upstream.once('drain', () => {
        this.#appPaused = false;
        this.#app.resume();
      });
    }
  }

  #open(destination: string, subscribe: ConsumeRequest): void {
    const upstreamClient = this.#deps.router.route(destination);
    this.#address = upstreamClient.address;
    const upstream: UpstreamStream = upstreamClient.broker.makeBidiStreamRequest(CONSUME.path, encodeRequest, asBytes);
    this.#upstream = upstream;
    upstream.on('data', (frame: Buffer) => this.#fromUpstream(frame));
    upstream.on('end', () => {
      if (!this.#closed) this.#app.end();
      this.#close(false);
    });
    upstream.on('error', (error: unknown) => {
      if (this.#closed) return;
      const s = statusOf(error, this.#deps.logger, 'Consume');
      if (s.code === status.UNAVAILABLE) this.#deps.router.failed(destination, this.#address, undefined);
      this.#deps.metrics.errors.inc({ method: 'Consume', code: status[s.code] ?? String(s.code) });
      this.#app.emit('error', toServiceError(s));
      this.#close(false);
    });
    upstream.write(subscribe);
  }

  #fromUpstream(bytes: Buffer): void {
    if (this.#closed) return;
    const { ledger, tracing, metrics, router } = this.#deps;
    let head: ConsumeResponseHead;
    try {
      head = readConsumeResponse(bytes, tracing.enabled);
    } catch (error) {
      this.#fail(status.INTERNAL, `malformed Consume frame from the broker: ${String(error)}`);
      return;
    }
    if (head.kind === 'delivery') {
      const d = head.delivery;
      if (++this.#sinceConfirm >= CONFIRM_EVERY) {
        this.#sinceConfirm = 0;
        router.confirmed(d.destination, this.#address);
      }
      const facts = d.trace;
      ledger.add({
        receipt: d.receipt,
        destination: d.destination,
        subscription: d.subscription,
        messageId: facts?.messageId ?? '',
        address: this.#address,
        streamId: this.id,
        span:
          facts === undefined
            ? undefined
            : tracing.startProcess(
                {
                  destination: d.destination,
                  subscription: d.subscription,
                  messageId: facts.messageId,
                  attempt: facts.attempt,
                  payloadBytes: facts.payloadBytes,
                },
                facts.headers,
              ),
        leaseExpiresMs: d.leaseExpiresMs,
      });
      this.#delivered++;
      this.#countLater();
      this.#toApp(bytes);
      return;
    }
    if (head.kind === 'settled') {
      const receipt = head.receipt;
      const outcome = outcomeName(head.outcome);
      const op = this.#pending.get(receipt);
      this.#pending.delete(receipt);
      const entry = op === 'extend' ? ledger.get(receipt) : ledger.take(receipt);
      if (op === 'extend') {
        const extensionMs = this.#extensions.get(receipt);
        this.#extensions.delete(receipt);
        if (outcome === 'OUTCOME_OK' && extensionMs !== undefined) ledger.extended(receipt, Date.now() + extensionMs);
      }
      if (op !== 'extend' && op !== undefined) {
        if (head.outcome < OUTCOME_SLOTS) {
          const slot = (op === 'ack' ? 0 : OUTCOME_SLOTS) + head.outcome;
          this.#settledCounts[slot] = (this.#settledCounts[slot] ?? 0) + 1;
          this.#countLater();
        } else metrics.settled(op, outcome).inc();
        if (entry !== undefined) {
          tracing.settle(op, entry, entry.span, outcome);
          entry.span?.end();
        }
      }
      this.#toApp(bytes);
    }
  }

  #toApp(bytes: Buffer): void {
    if (!this.#app.write(bytes) && !this.#upstreamPaused) {
      this.#upstreamPaused = true;
      this.#upstream?.pause();
      this.#app.once('drain', () => {
        this.#upstreamPaused = false;
        this.#upstream?.resume();
      });
    }
  }

  /**
   * Stops the stream for a drain and returns what the app holds, still in the ledger, for the
   * caller to nack. The upstream stream is cancelled first: nacked on the stream, the messages
   * would be pushed straight back to it while it has credit.
   */
  drain(): HeldDelivery[] {
    if (this.#closed) return [];
    this.#closed = true;
    this.#flushCounts();
    this.#upstream?.cancel();
    this.#app.emit('error', {
      code: status.UNAVAILABLE,
      details: 'the sidecar is shutting down; reconnect',
      metadata: new Metadata(),
    });
    this.#onClose();
    return this.#deps.ledger.heldBy(this.id);
  }

  #countLater(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => this.#flushCounts());
  }

  #flushCounts(): void {
    this.#flushQueued = false;
    if (this.#delivered > 0) this.#deliveries.inc(this.#delivered);
    this.#delivered = 0;
    for (let slot = 0; slot < this.#settledCounts.length; slot++) {
      const n = this.#settledCounts[slot] ?? 0;
      if (n === 0) continue;
      this.#settledCounts[slot] = 0;
      const op = slot < OUTCOME_SLOTS ? 'ack' : 'nack';
      this.#deps.metrics.settled(op, outcomeName(slot % OUTCOME_SLOTS)).inc(n);
    }
  }

  #close(cancelUpstream: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#flushCounts();
    if (cancelUpstream) this.#upstream?.cancel();
    else this.#upstream?.end();
    // The broker nacks what this stream held when the stream closes; end the spans here.
    for (const entry of this.#deps.ledger.heldBy(this.id)) {
      this.#deps.ledger.take(entry.receipt);
      entry.span?.end();
    }
    this.#onClose();
  }
}

export function held(
  delivery: Delivery__Output,
  address: string,
  streamId: number | undefined,
  tracing: Tracing,
): HeldDelivery {
  const message = delivery.message;
  const facts = {
    destination: delivery.destination,
    subscription: delivery.subscription,
    messageId: message?.id ?? '',
    attempt: delivery.attempt,
    payloadBytes: message?.payload.byteLength ?? 0,
  };
  return {
    receipt: delivery.receipt,
    destination: delivery.destination,
    subscription: delivery.subscription,
    messageId: facts.messageId,
    address,
    streamId,
    span: tracing.startProcess(facts, message?.headers ?? {}),
    leaseExpiresMs:
      delivery.leaseExpires === null
        ? 0
        : Number(delivery.leaseExpires.seconds) * 1000 + Math.floor(delivery.leaseExpires.nanos / 1e6),
  };
}

/** The open Consume streams (bounded), so drain can reach them. */
export class ConsumeStreams {
  readonly #deps: ConsumeDeps;
  readonly #sessions = new Map<number, ConsumeSession>();
  #nextId = 1;

  constructor(deps: ConsumeDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** `app` is a Consume call served with rawConsumeService (its frames are bytes). */
  open(call: ServerDuplexStream<unknown, unknown>): void {
    const app = call as unknown as AppStream;
    if (this.#sessions.size >= CONSUME_STREAMS_MAX) {
      app.emit('error', {
        code: status.RESOURCE_EXHAUSTED,
        details: `the sidecar serves at most ${CONSUME_STREAMS_MAX} Consume streams`,
        metadata: new Metadata(),
      });
      return;
    }
    const id = this.#nextId++;
    this.#sessions.set(id, new ConsumeSession(id, this.#deps, app, () => this.#sessions.delete(id)));
  }

  /** Stops every stream; returns the deliveries their apps held (to be nacked). */
  drain(): HeldDelivery[] {
    return [...this.#sessions.values()].flatMap((s) => s.drain());
  }
}
