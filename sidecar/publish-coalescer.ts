// Coalescing concurrent single publishes into upstream batches, Nagle-style without a timer: a
// publish goes out at once when nothing is in flight; publishes that arrive while a batch is in
// flight wait for it to return and leave together, unless enough of them wait to make a batch
// worth pipelining (the broker then appends it while the first is being fsynced). Queued
// requests and bytes are bounded: beyond them publishers wait in a bounded line, and beyond that
// are refused.
// The decisions are pure functions; the class only keeps the queue and calls `send`.
import { WharfError } from '../common/errors.ts';

export interface CoalescerLimits {
  readonly batchRequestsMax: number;
  /** Requests waiting that make a batch leave while another is in flight (≤ batchRequestsMax). */
  readonly pipelineRequestsMin: number;
  readonly queuedRequestsMax: number;
  readonly queuedBytesMax: number;
  readonly inFlightBatchesMax: number;
  /** Publishers waiting for room in the queue; beyond them RESOURCE_EXHAUSTED. */
  readonly waitingMax: number;
}

export interface LaneState {
  readonly queuedRequests: number;
  readonly queuedBytes: number;
  readonly inFlightBatches: number;
}

/** Send now when idle, or when a batch worth pipelining is ready and a slot is free. */
export function shouldSend(state: LaneState, limits: CoalescerLimits): boolean {
  if (state.queuedRequests === 0 || state.inFlightBatches >= limits.inFlightBatchesMax) return false;
  return (
    state.inFlightBatches === 0 || state.queuedRequests >= Math.min(limits.pipelineRequestsMin, limits.batchRequestsMax)
  );
}

/** Room for one more request of `bytes`; one request alone is always admitted to an empty queue. */
export function hasRoom(state: LaneState, bytes: number, limits: CoalescerLimits): boolean {
  if (state.queuedRequests === 0) return true;
  return state.queuedRequests < limits.queuedRequestsMax && state.queuedBytes + bytes <= limits.queuedBytesMax;
}

/** How many queued requests the next batch takes: up to the count limit and the byte limit. */
export function batchSize(bytesInOrder: readonly number[], limits: CoalescerLimits): number {
  let count = 0;
  let total = 0;
  for (const bytes of bytesInOrder) {
    if (count >= limits.batchRequestsMax) break;
    if (count > 0 && total + bytes > limits.queuedBytesMax) break;
    total += bytes;
    count++;
  }
  return count;
}

/** One request's fate in a batch: its answer, or the error meant for it alone. */
export type Outcome<Res> = { readonly ok: true; readonly value: Res } | { readonly ok: false; readonly error: unknown };

interface Entry<Req, Res> {
  readonly request: Req;
  readonly bytes: number;
  readonly resolve: (value: Res) => void;
  readonly reject: (error: unknown) => void;
  done: boolean;
}

/** Registers the withdraw function of a submitted request with whatever can cancel it. */
export type OnCancel = (withdraw: () => void) => void;

export type SendBatch<Req, Res> = (requests: readonly Req[]) => Promise<readonly Outcome<Res>[]>;

export class PublishCoalescer<Req, Res> {
  readonly #send: SendBatch<Req, Res>;
  readonly #limits: CoalescerLimits;
  readonly #queue: Entry<Req, Res>[] = [];
  readonly #waiting: Entry<Req, Res>[] = [];
  #queuedBytes = 0;
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(send: SendBatch<Req, Res>, limits: CoalescerLimits) {
    this.#send = send;
    this.#limits = limits;
  }

  get state(): LaneState {
    return { queuedRequests: this.#queue.length, queuedBytes: this.#queuedBytes, inFlightBatches: this.#inFlight };
  }

  /** Requests queued, waiting for room, or in flight: none means nothing is owed to a publisher. */
  get busy(): boolean {
    return this.#queue.length > 0 || this.#waiting.length > 0 || this.#inFlight > 0;
  }

  /**
   * Queues one request. `onCancel` receives the function that withdraws it, to call if the
   * caller goes away (cheaper than an AbortSignal per publish).
   */
  submit(request: Req, bytes: number, onCancel?: OnCancel): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const entry: Entry<Req, Res> = { request, bytes, resolve, reject, done: false };
      onCancel?.(() => this.#abort(entry));
      if (this.#waiting.length === 0 && hasRoom(this.state, bytes, this.#limits)) {
        this.#enqueue(entry);
        this.#pump();
      } else if (this.#waiting.length < this.#limits.waitingMax) {
        this.#waiting.push(entry);
      } else {
        entry.done = true;
        reject(
          new WharfError(
            'resourceExhausted',
            `the sidecar's publish queue is full (${this.#queue.length} requests, ${this.#queuedBytes} bytes queued, ${this.#waiting.length} waiting); slow down or retry`,
          ),
        );
      }
    });
  }

  /** Resolves once nothing is queued or in flight (used by drain). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #enqueue(entry: Entry<Req, Res>): void {
    this.#queue.push(entry);
    this.#queuedBytes += entry.bytes;
  }

  #abort(entry: Entry<Req, Res>): void {
    if (entry.done) return;
    // Only a request that has not left can be withdrawn; one in flight is answered (and dropped).
    const inQueue = this.#queue.indexOf(entry);
    const inWaiting = this.#waiting.indexOf(entry);
    if (inQueue < 0 && inWaiting < 0) return;
    if (inQueue >= 0) {
      this.#queue.splice(inQueue, 1);
      this.#queuedBytes -= entry.bytes;
    } else {
      this.#waiting.splice(inWaiting, 1);
    }
    entry.done = true;
    entry.reject(new WharfError('cancelled', 'publish cancelled by the caller'));
    this.#admitWaiting();
    this.#checkIdle();
  }

  #admitWaiting(): void {
    for (;;) {
      const next = this.#waiting[0];
      if (next === undefined || !hasRoom(this.state, next.bytes, this.#limits)) return;
      this.#waiting.shift();
      this.#enqueue(next);
    }
  }

  #pump(): void {
    while (shouldSend(this.state, this.#limits)) {
      const count = batchSize(
        this.#queue.slice(0, this.#limits.batchRequestsMax).map((e) => e.bytes),
        this.#limits,
      );
      const batch = this.#queue.splice(0, count);
      for (const entry of batch) this.#queuedBytes -= entry.bytes;
      this.#admitWaiting();
      this.#inFlight++;
      void this.#run(batch);
    }
  }

  async #run(batch: readonly Entry<Req, Res>[]): Promise<void> {
    let outcomes: readonly Outcome<Res>[] | undefined;
    let failure: unknown;
    try {
      outcomes = await this.#send(batch.map((e) => e.request));
    } catch (error) {
      failure = error;
    }
    this.#inFlight--;
    batch.forEach((entry, i) => {
      if (entry.done) return;
      entry.done = true;
      const outcome = outcomes?.[i];
      if (outcome === undefined) entry.reject(failure ?? new Error(`no outcome for request ${i} of a batch`));
      else if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
    this.#admitWaiting();
    this.#pump();
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.busy) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
