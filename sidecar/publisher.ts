// Publishing through the brokers: every message carries a dedup_id (the app's, or one the sidecar
// makes), so the sidecar may send it again after UNAVAILABLE or a lost connection without storing
// it twice. Messages stay bytes (publish-wire.ts): the fields the sidecar fills in are appended,
// never decoded and re-encoded. Single publishes are coalesced per broker (publish-coalescer.ts);
// each upstream batch is retried with backoff inside its requests' deadlines, and a failure the
// broker pins on one request (`requests[i]: ...`) fails that request alone while the others are
// sent again.
import { randomUUID } from 'node:crypto';
import { type MethodDefinition, type ServiceDefinition, type ServiceError, status } from '@grpc/grpc-js';
import type { Span } from '@opentelemetry/api';
import { brokerPackageDefinition } from '../client/proto.ts';
import { isServiceError } from '../client/unary.ts';
import type { Logger } from '../common/logger.ts';
import type { Random } from '../common/random.ts';
import { injectContext, TRACEPARENT, TRACESTATE } from '../common/tracing.ts';
import type { PublishRequest, PublishRequest__Output } from '../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishLimits } from './config.ts';
import type { SidecarMetrics } from './metrics.ts';
import { qualify, qualifyPublish } from './namespace.ts';
import { type OnCancel, type Outcome, PublishCoalescer } from './publish-coalescer.ts';
import {
  clearDuplicate,
  frameEncoded,
  isDuplicate,
  PublishEncoding,
  type PublishHead,
  readPublishRequest,
  readPublishResponse,
  splitRepeated,
} from './publish-wire.ts';

import { ATTEMPTS_MAX, backoffDelayMs, batchFailureIndex, isRetryablePublish } from './retry.ts';
import type { Router } from './router.ts';
import { makeServiceError } from './status.ts';
import type { SendSpan, Tracing } from './tracing.ts';

/** One message on its way upstream, as bytes. */
export interface PublishJob {
  /** The PublishRequest to send: qualified destination, dedup_id and trace headers in place. */
  readonly encoding: PublishEncoding;
  /** Qualified destination (routing, errors, spans). */
  readonly destination: string;
  readonly requestId: string;
  readonly payloadBytes: number;
  readonly deadlineMs: number;
  /** True when the sidecar made the dedup_id: a "duplicate" answer then means its own retry. */
  readonly sidecarDedup: boolean;
  readonly send: SendSpan | undefined;
}

export interface PrepareOptions {
  readonly namespace: string;
  readonly deadlineMs: number;
  readonly callTraceparent: string | undefined;
  readonly tracing: Tracing;
  readonly newDedupId: () => string;
}

type PublishMethod = Omit<MethodDefinition<PublishRequest, unknown>, 'requestDeserialize'> & {
  requestDeserialize(bytes: Buffer): PublishRequest__Output;
};
const PUBLISH = (brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition)
  .Publish as unknown as PublishMethod;

/** Qualified destinations by what the app wrote (bounded; most apps use a handful of names). */
const qualified = new Map<string, string>();
const QUALIFIED_MAX = 1_024;
function qualifyCached(raw: string, namespace: string): string {
  const key = `${namespace}\n${raw}`;
  let name = qualified.get(key);
  if (name === undefined) {
    name = qualify(raw, namespace);
    if (qualified.size >= QUALIFIED_MAX) qualified.clear();
    qualified.set(key, name);
  }
  return name;
}

/**
 * One PublishRequest (bytes `start`..`end` of `buf`) made ready to send: namespace filled in,
 * dedup_id set, trace context injected, the message itself untouched. Throws INVALID_ARGUMENT.
 */
export function preparePublish(buf: Buffer, start: number, end: number, options: PrepareOptions): PublishJob {
  const { tracing } = options;
  let head: PublishHead;
  try {
    head = readPublishRequest(buf, start, end, tracing.enabled);
  } catch (error) {
    throw makeServiceError(status.INVALID_ARGUMENT, `malformed PublishRequest: ${String(error)}`);
  }
  if (head.unusual) return prepareDecoded(PUBLISH.requestDeserialize(buf.subarray(start, end)), options);
  if (head.messageStart < 0) throw makeServiceError(status.INVALID_ARGUMENT, 'message is missing');
  const destination = qualifyCached(head.destination, options.namespace);
  const replyTo = head.replyTo === '' ? '' : qualifyCached(head.replyTo, options.namespace);
  const sidecarDedup = !head.hasDedupId;
  let send: SendSpan | undefined;
  if (tracing.enabled) {
    const carried: Record<string, string> = {};
    if (head.traceparent !== undefined) carried[TRACEPARENT] = head.traceparent;
    if (head.tracestate !== undefined) carried[TRACESTATE] = head.tracestate;
    send = tracing.startSend(destination, carried, options.callTraceparent, head.payloadBytes, head.correlationId);
    if (send !== undefined && head.tracestate !== undefined && send.headers[TRACESTATE] === undefined) {
      // The app's tracestate must go (it came without its traceparent), and appending cannot
      // remove a header: the slow way, with this span.
      return prepareDecoded(PUBLISH.requestDeserialize(buf.subarray(start, end)), options, send.span);
    }
  }
  const changed = destination !== head.destination || sidecarDedup || replyTo !== head.replyTo || send !== undefined;
  const encoding = new PublishEncoding(
    buf,
    start,
    end,
    changed
      ? {
          destination,
          dedupId: sidecarDedup ? options.newDedupId() : undefined,
          replyTo: replyTo === head.replyTo ? undefined : replyTo,
          headers: send?.headers,
        }
      : undefined,
  );
  return {
    encoding,
    destination,
    requestId: head.requestId,
    payloadBytes: head.payloadBytes,
    deadlineMs: options.deadlineMs,
    sidecarDedup,
    send,
  };
}

/** The general way, for requests the wire reader will not take apart: decode, change, encode. */
function prepareDecoded(raw: PublishRequest__Output, options: PrepareOptions, started?: Span): PublishJob {
  const request = qualifyPublish(raw, options.namespace);
  const message = request.message;
  if (message === null) throw makeServiceError(status.INVALID_ARGUMENT, 'message is missing');
  const sidecarDedup = message.dedupId === '';
  const send =
    started === undefined
      ? options.tracing.startSend(
          request.destination,
          message.headers,
          options.callTraceparent,
          message.payload.byteLength,
          message.correlationId,
        )
      : { span: started, headers: injectContext(message.headers, started) };
  const headers = send === undefined ? message.headers : send.headers;
  const bytes = PUBLISH.requestSerialize({
    ...request,
    message: { ...message, dedupId: sidecarDedup ? options.newDedupId() : message.dedupId, headers },
  });
  return {
    encoding: new PublishEncoding(bytes, 0, bytes.length),
    destination: request.destination,
    requestId: request.requestId,
    payloadBytes: message.payload.byteLength,
    deadlineMs: options.deadlineMs,
    sidecarDedup,
    send,
  };
}

const PUBLISH_BATCH = (brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition)
  .PublishBatch as MethodDefinition<unknown, unknown>;
const asBytes = (bytes: Buffer): Buffer => bytes;

/** BrokerService with Publish, PublishBatch and PublishStream taking and answering bytes. */
export function rawPublishService(service: ServiceDefinition): ServiceDefinition {
  const raw = (method: MethodDefinition<unknown, unknown>): MethodDefinition<unknown, unknown> => ({
    ...method,
    requestDeserialize: asBytes,
    responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : method.responseSerialize(value)),
  });
  return {
    ...service,
    Publish: raw(service.Publish as MethodDefinition<unknown, unknown>),
    PublishBatch: raw(service.PublishBatch as MethodDefinition<unknown, unknown>),
    PublishStream: raw(service.PublishStream as MethodDefinition<unknown, unknown>),
  };
}
/** The upstream PublishBatchRequest: the jobs' requests, framed. */
const serializeJobs = (jobs: readonly PublishJob[]): Buffer => frameEncoded(jobs.map((j) => j.encoding));

/** One coalescing lane per broker address; more than this many addresses means churn. */
const LANES_MAX = 128;

export const newDedupId = (): string => `sc-${randomUUID()}`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PublisherOptions {
  readonly router: Router;
  readonly limits: PublishLimits;
  readonly metrics: SidecarMetrics;
  readonly tracing: Tracing;
  readonly logger: Logger;
  readonly random: Random;
}

export class Publisher {
  readonly #options: PublisherOptions;
  readonly #lanes = new Map<string, PublishCoalescer<PublishJob, Buffer>>();
  /** Counters bound to their label once (labelling per message costs a hash each time). */
  readonly #published: Readonly<Record<'ok' | 'duplicate' | 'error', { inc(n: number): void }>>;

  constructor(options: PublisherOptions) {
    this.#options = options;
    const { publishes } = options.metrics;
    this.#published = {
      ok: publishes.labels({ outcome: 'ok' }),
      duplicate: publishes.labels({ outcome: 'duplicate' }),
      error: publishes.labels({ outcome: 'error' }),
    };
  }

  /** One publish, coalesced with concurrent ones bound for the same broker; answers the PublishResponse bytes. */
  publish(job: PublishJob, onCancel?: OnCancel): Promise<Buffer> {
    const address = this.#options.router.table.addressFor(job.destination);
    let lane = this.#lanes.get(address);
    if (lane === undefined) {
      // Bounded: lanes of brokers that are gone are dropped once idle.
      if (this.#lanes.size >= LANES_MAX) {
        for (const [key, old] of this.#lanes) if (!old.busy) this.#lanes.delete(key);
      }
      const { limits } = this.#options;
      lane = new PublishCoalescer((jobs) => this.sendBatch(jobs), {
        batchRequestsMax: limits.batchRequestsMax,
        pipelineRequestsMin: limits.pipelineRequestsMin,
        queuedRequestsMax: limits.queuedRequestsMax,
        queuedBytesMax: limits.queuedBytesMax,
        inFlightBatchesMax: limits.inFlightBatchesMax,
        waitingMax: limits.queuedRequestsMax,
      });
      this.#lanes.set(address, lane);
    }
    return lane.submit(job, job.payloadBytes, onCancel);
  }

  /** Resolves once no publish is queued or in flight (drain). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((lane) => lane.whenIdle()));
  }

  /**
   * Sends `jobs` upstream (grouped by broker), retrying what may be retried; one outcome per job,
   * in order, each a PublishResponse as bytes. Also ends each job's send span and counts it.
   */
  async sendBatch(jobs: readonly PublishJob[], cancelled?: () => boolean): Promise<readonly Outcome<Buffer>[]> {
    const outcomes = await this.#sendWithRetries(jobs, cancelled);
    const { tracing } = this.#options;
    let ok = 0;
    let duplicate = 0;
    let failed = 0;
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i] as Outcome<Buffer>;
      const job = jobs[i] as PublishJob;
      if (outcome.ok) {
        if (isDuplicate(outcome.value)) duplicate++;
        else ok++;
        if (job.send !== undefined) {
          const messageId = job.send.span.isRecording() ? readPublishResponse(outcome.value).messageId : undefined;
          tracing.endSend(job.send, messageId, undefined);
        }
      } else {
        failed++;
        tracing.endSend(job.send, undefined, outcome.error);
      }
    }
    if (ok > 0) this.#published.ok.inc(ok);
    if (duplicate > 0) this.#published.duplicate.inc(duplicate);
    if (failed > 0) this.#published.error.inc(failed);
    return outcomes;
  }

  /** `cancelled`: the caller went away; no further attempt is made (one in flight is let finish). */
  async #sendWithRetries(jobs: readonly PublishJob[], cancelled?: () => boolean): Promise<Outcome<Buffer>[]> {
    const { router, metrics } = this.#options;
    const outcomes: (Outcome<Buffer> | undefined)[] = new Array(jobs.length);
    let lastError: ServiceError | undefined;
    // Bounded: a round either fails at least one request for good (at most jobs.length such
    // rounds) or is a retry after UNAVAILABLE (at most ATTEMPTS_MAX of those).
    let retries = 0;
    for (let round = 0; round <= jobs.length + ATTEMPTS_MAX && retries < ATTEMPTS_MAX; round++) {
      const nowMs = Date.now();
      const pending: number[] = [];
      const gone = cancelled?.() === true;
      for (let i = 0; i < jobs.length; i++) {
        if (outcomes[i] !== undefined) continue;
        const job = jobs[i] as PublishJob;
        if (gone) {
          outcomes[i] = { ok: false, error: makeServiceError(status.CANCELLED, 'publish cancelled by the caller') };
        } else if (job.deadlineMs <= nowMs) {
          const why = lastError === undefined ? '' : ` (last error: ${lastError.details})`;
          outcomes[i] = {
            ok: false,
            error: makeServiceError(status.DEADLINE_EXCEEDED, `publish to ${job.destination} timed out${why}`),
          };
        } else {
          pending.push(i);
        }
      }
      if (pending.length === 0) break;
      // Group by the broker each destination is routed to now (a retry may go elsewhere).
      const groups = new Map<string, number[]>();
      for (const i of pending) {
        const address = router.table.addressFor((jobs[i] as PublishJob).destination);
        const group = groups.get(address);
        if (group === undefined) groups.set(address, [i]);
        else group.push(i);
      }
      let retry = false;
      const resent = round > 0;
      await Promise.all(
        [...groups].map(async ([address, indices]) => {
          const batch = indices.map((i) => jobs[i] as PublishJob);
          let deadlineMs = 0;
          for (const job of batch) deadlineMs = Math.max(deadlineMs, job.deadlineMs);
          try {
            const answers = await this.#call(address, batch, deadlineMs);
            let confirmed = '';
            for (let k = 0; k < indices.length; k++) {
              const jobIndex = indices[k] as number;
              const job = batch[k] as PublishJob;
              const answer = answers[k];
              if (answer === undefined) {
                outcomes[jobIndex] = {
                  ok: false,
                  error: makeServiceError(status.INTERNAL, 'the broker answered a batch with too few responses'),
                };
                continue;
              }
              // A duplicate of the sidecar's own dedup_id can only be its own earlier attempt.
              const ownRetry = resent && job.sidecarDedup && isDuplicate(answer);
              outcomes[jobIndex] = { ok: true, value: ownRetry ? clearDuplicate(answer) : answer };
              if (job.destination !== confirmed) {
                confirmed = job.destination;
                router.confirmed(job.destination, address);
              }
            }
          } catch (error) {
            const e = isServiceError(error) ? error : makeServiceError(status.INTERNAL, String(error));
            lastError = e;
            const pinned = batchFailureIndex(e.details);
            const pinnedJob = pinned === undefined ? undefined : indices[pinned.index];
            if (isRetryablePublish(e.code)) {
              router.failed(batch[0]?.destination ?? '', address, e);
              retry = true;
            } else if (pinned !== undefined && pinnedJob !== undefined) {
              // Only that request is at fault; the others go again at once (dedup ids keep
              // the ones the broker already stored from being stored twice).
              outcomes[pinnedJob] = { ok: false, error: makeServiceError(e.code, pinned.message) };
            } else {
              for (const i of indices) outcomes[i] = { ok: false, error: e };
            }
          }
        }),
      );
      if (retry) {
        retries++;
        metrics.publishRetries.inc();
        let soonestMs = Number.POSITIVE_INFINITY;
        for (const i of pending) soonestMs = Math.min(soonestMs, (jobs[i] as PublishJob).deadlineMs);
        await sleep(
          Math.max(0, Math.min(backoffDelayMs(retries - 1, this.#options.random.next()), soonestMs - Date.now())),
        );
      }
    }
    const outcomesOut: Outcome<Buffer>[] = [];
    for (let i = 0; i < jobs.length; i++) {
      outcomesOut.push(
        outcomes[i] ?? {
          ok: false,
          error: makeServiceError(
            status.UNAVAILABLE,
            `no broker accepted the publish after ${ATTEMPTS_MAX} attempts${lastError === undefined ? '' : `: ${lastError.details}`}`,
          ),
        },
      );
    }
    return outcomesOut;
  }

  /** One upstream PublishBatch; the answer split into each request's PublishResponse bytes. */
  #call(address: string, batch: readonly PublishJob[], deadlineMs: number): Promise<Buffer[]> {
    const { router, metrics } = this.#options;
    const upstream = router.upstream(address);
    metrics.publishBatchRequests.observe(batch.length);
    const stopTimer = metrics.upstreamSeconds.startTimer({ method: 'PublishBatch' });
    return new Promise((resolve, reject) => {
      upstream.broker.makeUnaryRequest<readonly PublishJob[], Buffer>(
        PUBLISH_BATCH.path,
        serializeJobs,
        asBytes,
        batch,
        { deadline: deadlineMs },
        (error, value) => {
          stopTimer();
          if (error) reject(error);
          else if (value === undefined) reject(makeServiceError(status.INTERNAL, 'empty PublishBatch response'));
          else {
            try {
              resolve(splitRepeated(value, 1).map(({ start, end }) => value.subarray(start, end)));
            } catch (e) {
              reject(makeServiceError(status.INTERNAL, `malformed PublishBatch response: ${String(e)}`));
            }
          }
        },
      );
    });
  }
}
