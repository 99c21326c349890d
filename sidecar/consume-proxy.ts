// Consume through the sidecar: one upstream Consume stream per app stream, frames passed both
// ways with back-pressure (a side that cannot write pauses the other). Deliveries get a process
// span and a ledger entry; settle results end them with an ack/nack span. On drain the sidecar
// cancels the upstream stream, ends the app's with UNAVAILABLE (so its client reconnects
// elsewhere) and hands back what the app held, for the caller to nack (delay ~0).
import { type ClientDuplexStream, Metadata, type ServerDuplexStream, status } from '@grpc/grpc-js';
import { protoDurationMs } from '../common/duration.ts';
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

type AppStream = ServerDuplexStream<ConsumeRequest__Output, ConsumeResponse>;
type UpstreamStream = ClientDuplexStream<ConsumeRequest, ConsumeResponse__Output>;

class ConsumeSession {
  readonly id: number;
  readonly #deps: ConsumeDeps;
  readonly #app: AppStream;
  readonly #onClose: () => void;
  #upstream: UpstreamStream | undefined;
  #address = '';
  #closed = false;
  readonly #pending = new Map<string, Op>();
  /** Extensions asked for and not answered yet, by receipt (bounded with #pending). */
  readonly #extensions = new Map<string, number>();

  constructor(id: number, deps: ConsumeDeps, app: AppStream, onClose: () => void) {
    this.id = id;
    this.#deps = deps;
    this.#app = app;
    this.#onClose = onClose;
    app.on('data', (frame: ConsumeRequest__Output) => this.#fromApp(frame));
    app.on('end', () => this.#upstream?.end());
    app.on('cancelled', () => this.#close(true));
    app.on('error', () => this.#close(true));
  }

  #fail(code: status, details: string): void {
    if (this.#closed) return;
    this.#app.emit('error', { code, details, metadata: new Metadata() });
    this.#close(true);
  }

  #fromApp(frame: ConsumeRequest__Output): void {
    if (this.#closed) return;
    if (frame.frame === 'subscribe' && frame.subscribe) {
      if (this.#upstream !== undefined) {
        this.#fail(status.INVALID_ARGUMENT, 'subscribe may be sent once per stream');
        return;
      }
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
    const settle = frame.ack ?? frame.nack ?? frame.extend;
    if (settle && (frame.frame === 'ack' || frame.frame === 'nack' || frame.frame === 'extend')) {
      const extensionMs = frame.frame === 'extend' ? (protoDurationMs(settle.delay, 'extension') ?? 0) : undefined;
      for (const receipt of settle.receipts) {
        if (this.#pending.size >= PENDING_SETTLES_MAX) break;
        this.#pending.set(receipt, frame.frame);
        if (extensionMs !== undefined) this.#extensions.set(receipt, extensionMs);
      }
    }
    if (!upstream.write(frame)) {
      this.#app.pause();
      upstream.once('drain', () => this.#app.resume());
    }
  }

  #open(destination: string, subscribe: ConsumeRequest): void {
    const upstreamClient = this.#deps.router.route(destination);
    this.#address = upstreamClient.address;
    const upstream = upstreamClient.broker.Consume();
    this.#upstream = upstream;
    upstream.on('data', (frame: ConsumeResponse__Output) => this.#fromUpstream(frame));
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

  #fromUpstream(frame: ConsumeResponse__Output): void {
    if (this.#closed) return;
    const { ledger, tracing, metrics, router } = this.#deps;
    if (frame.delivery) {
      const delivery = frame.delivery;
      router.confirmed(delivery.destination, this.#address);
      ledger.add(held(delivery, this.#address, this.id, tracing));
      metrics.deliveries.inc({ source: 'consume' });
      metrics.heldDeliveries.set(ledger.size);
      if (!this.#app.write({ delivery })) {
        this.#upstream?.pause();
        this.#app.once('drain', () => this.#upstream?.resume());
      }
      return;
    }
    const settled = frame.settled;
    if (settled) {
      const op = this.#pending.get(settled.receipt);
      this.#pending.delete(settled.receipt);
      const entry = op === 'extend' ? ledger.get(settled.receipt) : ledger.take(settled.receipt);
      const extensionMs = this.#extensions.get(settled.receipt);
      this.#extensions.delete(settled.receipt);
      if (op === 'extend' && settled.outcome === 'OUTCOME_OK' && extensionMs !== undefined) {
        ledger.extended(settled.receipt, Date.now() + extensionMs);
      }
      metrics.heldDeliveries.set(ledger.size);
      if (op !== 'extend' && op !== undefined) {
        const settleOp = op === 'ack' ? 'ack' : 'nack';
        (settleOp === 'ack' ? metrics.acks : metrics.nacks).inc({ outcome: settled.outcome });
        if (entry !== undefined) {
          tracing.settle(settleOp, entry, entry.span, settled.outcome);
          entry.span?.end();
        }
      }
      this.#app.write({ settled });
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
    this.#upstream?.cancel();
    this.#app.emit('error', {
      code: status.UNAVAILABLE,
      details: 'the sidecar is shutting down; reconnect',
      metadata: new Metadata(),
    });
    this.#onClose();
    return this.#deps.ledger.heldBy(this.id);
  }

  #close(cancelUpstream: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (cancelUpstream) this.#upstream?.cancel();
    else this.#upstream?.end();
    // The broker nacks what this stream held when the stream closes; end the spans here.
    for (const entry of this.#deps.ledger.heldBy(this.id)) {
      this.#deps.ledger.take(entry.receipt);
      entry.span?.end();
    }
    this.#deps.metrics.heldDeliveries.set(this.#deps.ledger.size);
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

  open(app: AppStream): void {
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
