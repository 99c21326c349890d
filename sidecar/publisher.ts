// Publishing through the brokers: every message carries a dedup_id (the app's, or one the sidecar
// makes), so the sidecar may send it again after UNAVAILABLE or a lost connection without storing
// it twice. Single publishes are coalesced per broker (publish-coalescer.ts); each upstream batch
// is retried with backoff inside its requests' deadlines, and a failure the broker pins on one
// request (`requests[i]: ...`) fails that request alone while the others are sent again.
import { randomUUID } from 'node:crypto';
import { type MethodDefinition, type ServiceDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { brokerPackageDefinition } from '../client/proto.ts';
import { isServiceError } from '../client/unary.ts';
import type { Logger } from '../common/logger.ts';
import type { Random } from '../common/random.ts';
import type { PublishBatchRequest } from '../proto/gen/wharf/v1/PublishBatchRequest.ts';
import type { PublishBatchResponse__Output } from '../proto/gen/wharf/v1/PublishBatchResponse.ts';
import type { PublishRequest, PublishRequest__Output } from '../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishResponse__Output } from '../proto/gen/wharf/v1/PublishResponse.ts';
import type { PublishLimits } from './config.ts';
import type { SidecarMetrics } from './metrics.ts';
import { qualifyPublish } from './namespace.ts';
import { type OnCancel, type Outcome, PublishCoalescer } from './publish-coalescer.ts';
import { ATTEMPTS_MAX, backoffDelayMs, batchFailureIndex, isRetryablePublish } from './retry.ts';
import type { Router } from './router.ts';
import { makeServiceError } from './status.ts';
import type { SendSpan, Tracing } from './tracing.ts';
import { encodePublishBatch } from './wire.ts';

export interface PublishJob {
  /** Qualified destination, message with dedup_id and trace headers. */
  readonly request: PublishRequest__Output;
  readonly deadlineMs: number;
  /** True when the sidecar made the dedup_id: a "duplicate" answer then means its own retry. */
  readonly sidecarDedup: boolean;
  readonly send: SendSpan | undefined;
}

/** The pure part: namespace filled, dedup_id set, trace context injected. */
export function preparePublish(
  raw: PublishRequest__Output,
  options: {
    readonly namespace: string;
    readonly deadlineMs: number;
    readonly callTraceparent: string | undefined;
    readonly tracing: Tracing;
    readonly newDedupId: () => string;
  },
): PublishJob {
  const qualified = qualifyPublish(raw, options.namespace);
  const message = qualified.message;
  if (message === null) throw makeServiceError(status.INVALID_ARGUMENT, 'message is missing');
  const sidecarDedup = message.dedupId === '';
  const send = options.tracing.startSend(
    qualified.destination,
    message.headers,
    options.callTraceparent,
    message.payload.byteLength,
    message.correlationId,
  );
  return {
    request: {
      ...qualified,
      message: {
        ...message,
        dedupId: sidecarDedup ? options.newDedupId() : message.dedupId,
        headers: send === undefined ? message.headers : send.headers,
      },
    },
    deadlineMs: options.deadlineMs,
    sidecarDedup,
    send,
  };
}

export function jobBytes(job: PublishJob): number {
  return job.request.message?.payload.byteLength ?? 0;
}

const PUBLISH_BATCH = (brokerPackageDefinition['wharf.v1.BrokerService'] as ServiceDefinition)
  .PublishBatch as MethodDefinition<PublishBatchRequest, PublishBatchResponse__Output>;

/** The upstream batch, encoded in one pass (wire.ts), or by protobufjs when it holds something unusual. */
const serializePublishBatch = (batch: PublishBatchRequest): Buffer =>
  encodePublishBatch(batch.requests ?? []) ?? PUBLISH_BATCH.requestSerialize(batch);

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
  readonly #lanes = new Map<string, PublishCoalescer<PublishJob, PublishResponse__Output>>();

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  /** One publish, coalesced with concurrent ones bound for the same broker. */
  publish(job: PublishJob, onCancel?: OnCancel): Promise<PublishResponse__Output> {
    const address = this.#options.router.table.addressFor(job.request.destination);
    let lane = this.#lanes.get(address);
    if (lane === undefined) {
      // Bounded: lanes of brokers that are gone are dropped once idle.
      if (this.#lanes.size >= LANES_MAX) {
        for (const [key, old] of this.#lanes) if (!old.busy) this.#lanes.delete(key);
      }
      const { limits } = this.#options;
      lane = new PublishCoalescer((jobs) => this.sendBatch(jobs), {
        batchRequestsMax: limits.batchRequestsMax,
        queuedRequestsMax: limits.queuedRequestsMax,
        queuedBytesMax: limits.queuedBytesMax,
        inFlightBatchesMax: limits.inFlightBatchesMax,
        waitingMax: limits.queuedRequestsMax,
      });
      this.#lanes.set(address, lane);
    }
    return lane.submit(job, jobBytes(job), onCancel);
  }

  /** Resolves once no publish is queued or in flight (drain). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((lane) => lane.whenIdle()));
  }

  /**
   * Sends `jobs` upstream (grouped by broker), retrying what may be retried; one outcome per job,
   * in order. Also ends each job's send span and counts it.
   */
  async sendBatch(jobs: readonly PublishJob[]): Promise<readonly Outcome<PublishResponse__Output>[]> {
    const outcomes = await this.#sendWithRetries(jobs);
    const { metrics, tracing } = this.#options;
    outcomes.forEach((outcome, i) => {
      const job = jobs[i];
      if (job === undefined) return;
      if (outcome.ok) {
        metrics.publishes.inc({ outcome: outcome.value.duplicate ? 'duplicate' : 'ok' });
        tracing.endSend(job.send, outcome.value.messageId, undefined);
      } else {
        metrics.publishes.inc({ outcome: 'error' });
        tracing.endSend(job.send, undefined, outcome.error);
      }
    });
    return outcomes;
  }

  async #sendWithRetries(jobs: readonly PublishJob[]): Promise<Outcome<PublishResponse__Output>[]> {
    const { router, metrics } = this.#options;
    const outcomes: (Outcome<PublishResponse__Output> | undefined)[] = jobs.map(() => undefined);
    let lastError: ServiceError | undefined;
    // Bounded: a round either fails at least one request for good (at most jobs.length such
    // rounds) or is a retry after UNAVAILABLE (at most ATTEMPTS_MAX of those).
    let retries = 0;
    for (let round = 0; round <= jobs.length + ATTEMPTS_MAX && retries < ATTEMPTS_MAX; round++) {
      const nowMs = Date.now();
      const pending: number[] = [];
      jobs.forEach((job, i) => {
        if (outcomes[i] !== undefined) return;
        if (job.deadlineMs <= nowMs) {
          const why = lastError === undefined ? '' : ` (last error: ${lastError.details})`;
          outcomes[i] = {
            ok: false,
            error: makeServiceError(status.DEADLINE_EXCEEDED, `publish to ${job.request.destination} timed out${why}`),
          };
        } else {
          pending.push(i);
        }
      });
      if (pending.length === 0) break;
      // Group by the broker each destination is routed to now (a retry may go elsewhere).
      const groups = new Map<string, number[]>();
      for (const i of pending) {
        const address = router.table.addressFor(jobs[i]?.request.destination ?? '');
        const group = groups.get(address);
        if (group === undefined) groups.set(address, [i]);
        else group.push(i);
      }
      let retry = false;
      await Promise.all(
        [...groups].map(async ([address, indices]) => {
          const batch = indices.map((i) => jobs[i] as PublishJob);
          const deadlineMs = Math.max(...batch.map((j) => j.deadlineMs));
          try {
            const response = await this.#call(address, batch, deadlineMs);
            indices.forEach((jobIndex, k) => {
              const answer = response.responses[k];
              const job = jobs[jobIndex] as PublishJob;
              if (answer === undefined) {
                outcomes[jobIndex] = {
                  ok: false,
                  error: makeServiceError(status.INTERNAL, 'the broker answered a batch with too few responses'),
                };
                return;
              }
              // A duplicate of the sidecar's own dedup_id can only be its own earlier attempt.
              const ownRetry = job.sidecarDedup && answer.duplicate;
              outcomes[jobIndex] = { ok: true, value: ownRetry ? { ...answer, duplicate: false } : answer };
              router.confirmed(job.request.destination, address);
            });
          } catch (error) {
            const e = isServiceError(error) ? error : makeServiceError(status.INTERNAL, String(error));
            lastError = e;
            const pinned = batchFailureIndex(e.details);
            const pinnedJob = pinned === undefined ? undefined : indices[pinned.index];
            if (isRetryablePublish(e.code)) {
              router.failed(batch[0]?.request.destination ?? '', address, e);
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
        const soonestMs = Math.min(...pending.map((i) => jobs[i]?.deadlineMs ?? 0));
        await sleep(
          Math.max(0, Math.min(backoffDelayMs(retries - 1, this.#options.random.next()), soonestMs - Date.now())),
        );
      }
    }
    return outcomes.map(
      (o) =>
        o ?? {
          ok: false,
          error: makeServiceError(
            status.UNAVAILABLE,
            `no broker accepted the publish after ${ATTEMPTS_MAX} attempts${lastError === undefined ? '' : `: ${lastError.details}`}`,
          ),
        },
    );
  }

  #call(address: string, batch: readonly PublishJob[], deadlineMs: number): Promise<PublishBatchResponse__Output> {
    const { router, metrics } = this.#options;
    const upstream = router.upstream(address);
    const requests: PublishRequest[] = batch.map((j) => j.request);
    metrics.publishBatchRequests.observe(requests.length);
    const stopTimer = metrics.upstreamSeconds.startTimer({ method: 'PublishBatch' });
    return new Promise((resolve, reject) => {
      upstream.broker.makeUnaryRequest<PublishBatchRequest, PublishBatchResponse__Output>(
        PUBLISH_BATCH.path,
        serializePublishBatch,
        PUBLISH_BATCH.responseDeserialize,
        { requests },
        { deadline: deadlineMs },
        (error, value) => {
          stopTimer();
          if (error) reject(error);
          else if (value === undefined) reject(makeServiceError(status.INTERNAL, 'empty PublishBatch response'));
          else resolve(value);
        },
      );
    });
  }
}
