// wharf.v1.BrokerService as the sidecar serves it: each RPC forwarded to the broker that serves
// its destination, with the namespace filled in, deadlines and cancellation passed through, and
// the tracing and metrics hooks. Publishes (taken and answered as bytes) go through the Publisher
// (dedup ids, coalescing, retries); Consume through the ConsumeStreams proxy.
import {
  type handleBidiStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { protoDurationMs } from '../common/duration.ts';
import { WharfError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Random } from '../common/random.ts';
import type { AckResponse__Output } from '../proto/gen/wharf/v1/AckResponse.ts';
import type { BrokerServiceHandlers } from '../proto/gen/wharf/v1/BrokerService.ts';
import type { CallResponse__Output } from '../proto/gen/wharf/v1/CallResponse.ts';
import type { ExtendLeaseResponse__Output } from '../proto/gen/wharf/v1/ExtendLeaseResponse.ts';
import type { NackResponse__Output } from '../proto/gen/wharf/v1/NackResponse.ts';
import type { ReceiveResponse__Output } from '../proto/gen/wharf/v1/ReceiveResponse.ts';
import type { SettleResult__Output } from '../proto/gen/wharf/v1/SettleResult.ts';
import type { ConsumeStreams } from './consume-proxy.ts';
import { held, REDELIVER_NOW_MS } from './consume-proxy.ts';
import type { DeliveryLedger, HeldDelivery } from './delivery-ledger.ts';
import type { SidecarMetrics } from './metrics.ts';
import { qualify, qualifyCall } from './namespace.ts';
import type { Outcome } from './publish-coalescer.ts';
import { frameRepeated, readPublishRequest, splitRepeated } from './publish-wire.ts';
import { newDedupId, type Publisher, type PublishJob, preparePublish } from './publisher.ts';
import { backoffDelayMs, isRouteFailure } from './retry.ts';
import type { Router, Upstream } from './router.ts';
import { makeServiceError, statusOf, toServiceError } from './status.ts';
import type { Tracing } from './tracing.ts';

/** Requests one app PublishStream may have unanswered before the sidecar stops reading it. */
const STREAM_IN_FLIGHT_MAX = 4_096;
/** Requests in one PublishBatch from the app (the broker's own limit). */
const BATCH_REQUESTS_MAX = 10_000;
/** Extra time a Receive's or Call's upstream deadline gets over its own wait, when the app set none. */
const WAIT_MARGIN_MS = 5_000;

export interface HandlerDeps {
  readonly router: Router;
  readonly publisher: Publisher;
  readonly consumes: ConsumeStreams;
  readonly ledger: DeliveryLedger;
  readonly tracing: Tracing;
  readonly metrics: SidecarMetrics;
  readonly logger: Logger;
  readonly namespace: string;
  readonly defaultDeadlineMs: number;
  /** Bytes of app PublishBatch requests held at once; beyond it a batch is refused (one alone always goes). */
  readonly batchBytesMax: number;
  /** Jitter of retry backoff. */
  readonly random: Random;
  /** False once drain began: new calls are refused with UNAVAILABLE. */
  readonly accepting: () => boolean;
}

/** The app's deadline in epoch ms, capped by `fallbackMs` from now when it set none. */
function deadlineOf(call: { getDeadline(): Date | number }, fallbackMs: number): number {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? Math.min(ms, Date.now() + 3_600_000) : Date.now() + fallbackMs;
}

function traceparentOf(metadata: Metadata): string | undefined {
  const value = metadata.get('traceparent')[0];
  return typeof value === 'string' ? value : undefined;
}

function draining(): ServiceError {
  return makeServiceError(status.UNAVAILABLE, 'the sidecar is shutting down; retry');
}

/** A request_id for an error message, from a request that may be malformed. */
function requestIdOf(request: Buffer): string {
  try {
    return readPublishRequest(request, 0, request.length, false).requestId;
  } catch {
    return '(unreadable)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The handlers, with the publish methods over bytes (serve them with rawPublishService). */
export type SidecarHandlers = Omit<BrokerServiceHandlers, 'Publish' | 'PublishBatch' | 'PublishStream'> & {
  readonly Publish: handleUnaryCall<Buffer, Buffer>;
  readonly PublishBatch: handleUnaryCall<Buffer, Buffer>;
  readonly PublishStream: handleBidiStreamingCall<Buffer, Buffer>;
};

export function brokerHandlers(deps: HandlerDeps): SidecarHandlers {
  const { router, publisher, ledger, tracing, metrics, logger } = deps;
  /** Bytes of app PublishBatch requests being sent now (bounded by deps.batchBytesMax). */
  let batchBytes = 0;

  const fail = (method: string, error: unknown): Partial<ServiceError> => {
    const s = statusOf(error, logger, method);
    metrics.errors.inc({ method, code: status[s.code] ?? String(s.code) });
    return toServiceError(s);
  };

  /** A unary handler: refuses while draining, maps errors once. */
  const unary =
    <Req, Res>(method: string, handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      if (!deps.accepting()) {
        callback(fail(method, draining()));
        return;
      }
      handler(call.request, call).then(
        (response) => callback(null, response),
        (error: unknown) => callback(fail(method, error)),
      );
    };

  /**
   * One upstream unary call to the broker serving `destination`, cancelled with the app's call.
   * Retried on UNAVAILABLE only when `retry` (the call is safe to repeat), inside the deadline.
   */
  async function forward<Res>(
    method: string,
    destination: string,
    call: { getDeadline(): Date | number; on(event: 'cancelled', l: () => void): unknown },
    fallbackMs: number,
    retry: boolean,
    start: (
      upstream: Upstream,
      deadline: number,
      done: (error: ServiceError | null, value?: Res) => void,
    ) => {
      cancel(): void;
    },
  ): Promise<Res> {
    const deadlineMs = deadlineOf(call, fallbackMs);
    for (let attempt = 0; ; attempt++) {
      const upstream = router.route(destination);
      const stopTimer = metrics.upstreamSeconds.startTimer({ method });
      try {
        const value = await new Promise<Res>((resolve, reject) => {
          const pending = start(upstream, deadlineMs, (error, value) => {
            if (error) reject(error);
            else if (value === undefined) reject(makeServiceError(status.INTERNAL, `empty ${method} response`));
            else resolve(value);
          });
          call.on('cancelled', () => pending.cancel());
        });
        stopTimer();
        router.confirmed(destination, upstream.address);
        return value;
      } catch (error) {
        stopTimer();
        const code = (error as Partial<ServiceError>).code;
        if (code === undefined || !isRouteFailure(code)) throw error;
        router.failed(destination, upstream.address, error as ServiceError);
        const waitMs = backoffDelayMs(attempt, deps.random.next());
        if (!retry || Date.now() + waitMs >= deadlineMs || attempt >= 16) throw error;
        await sleep(waitMs);
      }
    }
  }

  /** The publish job for the PublishRequest at `start`..`end` of the app's bytes. */
  function publishJob(buf: Buffer, start: number, end: number, deadlineMs: number, metadata: Metadata): PublishJob {
    return preparePublish(buf, start, end, {
      namespace: deps.namespace,
      deadlineMs,
      callTraceparent: traceparentOf(metadata),
      tracing,
      newDedupId,
    });
  }

  /** An app's PublishBatch (already split into its requests), sent as it is: not coalesced. */
  async function sendAppBatch(
    request: Buffer,
    parts: readonly { start: number; end: number }[],
    call: ServerUnaryCall<Buffer, Buffer>,
  ): Promise<Buffer> {
    const deadlineMs = deadlineOf(call, deps.defaultDeadlineMs);
    const jobs: PublishJob[] = [];
    for (let i = 0; i < parts.length; i++) {
      const { start, end } = parts[i] as { start: number; end: number };
      try {
        jobs.push(publishJob(request, start, end, deadlineMs, call.metadata));
      } catch (error) {
        for (const job of jobs) tracing.endSend(job.send, undefined, error);
        const s = statusOf(error, logger, 'PublishBatch');
        throw makeServiceError(s.code, `requests[${i}]: ${s.details}`);
      }
    }
    // An app's batch is already a batch: sent as it is (with retries, until the app cancels), not coalesced.
    let cancelled = false;
    call.once('cancelled', () => {
      cancelled = true;
    });
    const outcomes = await publisher.sendBatch(jobs, () => cancelled);
    const responses: Buffer[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i] as Outcome<Buffer>;
      if (outcome.ok) {
        responses.push(outcome.value);
        continue;
      }
      const s = statusOf(outcome.error, logger, 'PublishBatch');
      const stored = outcomes.filter((o) => o.ok).length;
      throw makeServiceError(
        s.code,
        `requests[${i}]: ${s.details} (${stored} of ${outcomes.length} messages were stored; retry with the same dedup_id)`,
      );
    }
    return frameRepeated(responses);
  }

  /** Records Ack/Nack results: settle spans, metrics, and the ledger entries they end. */
  function settled(op: 'ack' | 'nack', results: readonly SettleResult__Output[]): void {
    for (const result of results) {
      const entry = ledger.take(result.receipt);
      metrics.settled(op, result.outcome).inc();
      if (entry !== undefined) {
        tracing.settle(op, entry, entry.span, result.outcome);
        entry.span?.end();
      }
    }
  }

  /** Settles go to the broker that handed out the first receipt the sidecar knows. */
  const settleDestination = (receipts: readonly string[]): string => {
    for (const receipt of receipts) {
      const entry = ledger.get(receipt);
      if (entry !== undefined) return entry.destination;
    }
    return '';
  };

  return {
    // The three publish methods take and answer bytes (rawPublishService): see publish-wire.ts.
    Publish: unary('Publish', async (request: Buffer, call) => {
      const job = publishJob(request, 0, request.length, deadlineOf(call, deps.defaultDeadlineMs), call.metadata);
      return publisher.publish(job, (withdraw) => call.once('cancelled', withdraw));
    }),

    PublishBatch: unary('PublishBatch', async (request: Buffer, call) => {
      let parts: { start: number; end: number }[];
      try {
        parts = splitRepeated(request, 1);
      } catch (error) {
        throw makeServiceError(status.INVALID_ARGUMENT, `malformed PublishBatchRequest: ${String(error)}`);
      }
      if (parts.length > BATCH_REQUESTS_MAX) {
        throw new WharfError(
          'invalidArgument',
          `a batch holds at most ${BATCH_REQUESTS_MAX} requests, got ${parts.length}`,
        );
      }
      // Memory is bounded: the batches being sent hold the app's bytes until they are answered.
      if (batchBytes > 0 && batchBytes + request.length > deps.batchBytesMax) {
        throw new WharfError(
          'resourceExhausted',
          `the sidecar holds ${batchBytes} bytes of batches in flight (limit ${deps.batchBytesMax}); retry shortly`,
        );
      }
      batchBytes += request.length;
      try {
        return await sendAppBatch(request, parts, call);
      } finally {
        batchBytes -= request.length;
      }
    }),

    PublishStream: (call: ServerDuplexStream<Buffer, Buffer>) => {
      if (!deps.accepting()) {
        call.emit('error', fail('PublishStream', draining()));
        return;
      }
      // Withdraw functions of this stream's queued publishes, called if the app cancels.
      const withdraws = new Set<() => void>();
      let inFlight = 0;
      let ended = false;
      let failed = false;
      const finishIfDone = (): void => {
        if (ended && inFlight === 0 && !failed) call.end();
      };
      const failWith = (error: unknown, requestId: string): void => {
        failed = true;
        const e = fail('PublishStream', error);
        call.emit('error', { ...e, details: `request_id ${requestId}: ${e.details ?? ''}` });
      };
      call.on('cancelled', () => {
        failed = true;
        for (const withdraw of withdraws) withdraw();
        withdraws.clear();
      });
      call.on('data', (request: Buffer) => {
        if (failed) return;
        if (!deps.accepting()) {
          // Draining: what is in flight finishes, nothing new is taken.
          failed = true;
          call.emit('error', fail('PublishStream', draining()));
          return;
        }
        let job: PublishJob;
        try {
          job = publishJob(request, 0, request.length, deadlineOf(call, deps.defaultDeadlineMs), call.metadata);
        } catch (error) {
          failWith(error, requestIdOf(request));
          return;
        }
        inFlight++;
        if (inFlight >= STREAM_IN_FLIGHT_MAX) call.pause();
        let withdraw: (() => void) | undefined;
        publisher
          .publish(job, (w) => {
            withdraw = w;
            withdraws.add(w);
          })
          .then(
            (response) => {
              if (withdraw !== undefined) withdraws.delete(withdraw);
              inFlight--;
              if (failed) return;
              call.write(response);
              if (inFlight === STREAM_IN_FLIGHT_MAX - 1) call.resume();
              finishIfDone();
            },
            (error: unknown) => {
              if (withdraw !== undefined) withdraws.delete(withdraw);
              inFlight--;
              if (!failed) failWith(error, job.requestId);
            },
          );
      });
      call.on('end', () => {
        ended = true;
        finishIfDone();
      });
    },

    Receive: unary('Receive', async (request, call) => {
      const destination = qualify(request.destination, deps.namespace);
      const waitMs = protoDurationMs(request.wait, 'wait') ?? 0;
      let address = '';
      const response = await forward<ReceiveResponse__Output>(
        'Receive',
        destination,
        call,
        waitMs + WAIT_MARGIN_MS,
        true,
        (upstream, deadline, done) => {
          address = upstream.address;
          return upstream.broker.Receive({ ...request, destination }, { deadline }, done);
        },
      );
      for (const delivery of response.deliveries) {
        ledger.add(held(delivery, address, undefined, tracing));
        metrics.deliveries.inc({ source: 'receive' });
      }
      return response;
    }),

    Consume: (call: ServerDuplexStream<unknown, unknown>) => {
      if (!deps.accepting()) {
        call.emit('error', fail('Consume', draining()));
        return;
      }
      deps.consumes.open(call);
    },

    Ack: unary('Ack', async (request, call) => {
      const response = await forward<AckResponse__Output>(
        'Ack',
        settleDestination(request.receipts),
        call,
        deps.defaultDeadlineMs,
        false,
        (upstream, deadline, done) => upstream.broker.Ack(request, { deadline }, done),
      );
      settled('ack', response.results);
      return response;
    }),

    Nack: unary('Nack', async (request, call) => {
      const response = await forward<NackResponse__Output>(
        'Nack',
        settleDestination(request.receipts),
        call,
        deps.defaultDeadlineMs,
        false,
        (upstream, deadline, done) => upstream.broker.Nack(request, { deadline }, done),
      );
      settled('nack', response.results);
      return response;
    }),

    ExtendLease: unary('ExtendLease', async (request, call) => {
      const response = await forward<ExtendLeaseResponse__Output>(
        'ExtendLease',
        settleDestination(request.receipts),
        call,
        deps.defaultDeadlineMs,
        true,
        (upstream, deadline, done) => upstream.broker.ExtendLease(request, { deadline }, done),
      );
      const untilMs = Date.now() + (protoDurationMs(request.extension, 'extension') ?? 0);
      for (const result of response.results) {
        if (result.outcome === 'OUTCOME_OK') ledger.extended(result.receipt, untilMs);
      }
      return response;
    }),

    Call: unary('Call', async (raw, call) => {
      const request = qualifyCall(raw, deps.namespace);
      const message = request.message;
      if (message === null) throw makeServiceError(status.INVALID_ARGUMENT, 'message is missing');
      const send = tracing.startSend(
        request.destination,
        message.headers,
        traceparentOf(call.metadata),
        message.payload.byteLength,
        message.correlationId,
      );
      const timeoutMs = protoDurationMs(request.timeout, 'timeout') ?? 30_000;
      try {
        const response = await forward<CallResponse__Output>(
          'Call',
          request.destination,
          call,
          timeoutMs + WAIT_MARGIN_MS,
          false,
          (upstream, deadline, done) =>
            upstream.broker.Call(
              { ...request, message: { ...message, headers: send?.headers ?? message.headers } },
              { deadline },
              done,
            ),
        );
        tracing.endSend(send, response.reply?.id, undefined);
        return response;
      } catch (error) {
        tracing.endSend(send, undefined, error);
        throw error;
      }
    }),
  };
}

/** Nacks (redeliver at once) deliveries the app held and did not settle; used by drain. */
export async function nackHeld(deps: HandlerDeps, held: readonly HeldDelivery[], deadlineMs: number): Promise<void> {
  const byAddress = new Map<string, string[]>();
  for (const entry of held) {
    const list = byAddress.get(entry.address) ?? [];
    list.push(entry.receipt);
    byAddress.set(entry.address, list);
  }
  await Promise.all(
    [...byAddress].map(async ([address, receipts]) => {
      const response = await new Promise<NackResponse__Output | undefined>((resolve) => {
        deps.router
          .upstream(address)
          .broker.Nack(
            { receipts, delay: { seconds: 0, nanos: REDELIVER_NOW_MS * 1e6 }, reason: 'sidecar draining' },
            { deadline: deadlineMs },
            (error, value) => {
              if (error) deps.logger.warn({ err: error, address, receipts: receipts.length }, 'drain nack failed');
              resolve(value);
            },
          );
      });
      for (const result of response?.results ?? []) {
        const entry = deps.ledger.take(result.receipt);
        deps.metrics.settled('nack', result.outcome).inc();
        if (entry !== undefined) {
          deps.tracing.settle('nack', entry, entry.span, result.outcome);
          entry.span?.end();
        }
      }
    }),
  );
}
