// Push consumption over BrokerService.Consume: the first frame subscribes; deliveries arrive within
// the in-flight window (max_in_flight plus granted credit) and are read with `for await`; ack, nack
// and extend travel on the same stream and resolve when the broker's `settled` frame for each
// receipt arrives.
import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { msToProtoDuration } from '../common/duration.ts';
import type { ConsumeRequest } from '../proto/gen/wharf/v1/ConsumeRequest.ts';
import type { ConsumeResponse__Output } from '../proto/gen/wharf/v1/ConsumeResponse.ts';
import type { Delivery__Output } from '../proto/gen/wharf/v1/Delivery.ts';
import type { SettleResult__Output } from '../proto/gen/wharf/v1/SettleResult.ts';
import { AsyncQueue } from './async-queue.ts';
import { serviceError } from './unary.ts';

export interface ConsumeOptions {
  destination: string;
  /** Empty (default) for a Queue; a topic subscription's name otherwise. */
  subscription?: string;
  /** Unsettled deliveries the broker may push at once; 0 lets the broker choose. */
  maxInFlight?: number;
  /** Lease length; unset takes the destination's ackDeadline. */
  ackDeadlineMs?: number;
}

export interface NackOptions {
  /** Redelivery delay; unset takes the destination's retry backoff. */
  delayMs?: number;
  /** Move straight to the dead-letter queue. */
  deadLetter?: boolean;
  reason?: string;
}

export interface Consumer extends AsyncIterable<Delivery__Output> {
  ack(receipts: readonly string[]): Promise<SettleResult__Output[]>;
  nack(receipts: readonly string[], options?: NackOptions): Promise<SettleResult__Output[]>;
  extend(receipts: readonly string[], extensionMs: number): Promise<SettleResult__Output[]>;
  /** Grants `count` more deliveries beyond the in-flight window. */
  credit(count: number): void;
  /** Deliveries received but not yet taken by the iterator. */
  readonly buffered: number;
  /** Ends the stream (unsettled deliveries go back to the broker when their leases run out). */
  close(): Promise<void>;
}

type Duplex = grpc.ClientDuplexStream<ConsumeRequest, ConsumeResponse__Output>;

interface Waiter {
  remaining: Set<string>;
  results: SettleResult__Output[];
  resolve: (results: SettleResult__Output[]) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

const CLOSE_GRACE_MS = 2000;

export function createConsumer(stream: Duplex, options: ConsumeOptions, settleTimeoutMs: number): Consumer {
  const deliveries = new AsyncQueue<Delivery__Output>();
  // Receipts may be settled in several frames at once; each receipt's result goes to every waiter
  // that asked for it (normally exactly one).
  const waiters = new Set<Waiter>();
  let closedError: unknown;
  let closing = false;
  let closed = false;
  const closeWaiters: Array<() => void> = [];

  const shutdown = (error: unknown): void => {
    if (closed) return;
    closed = true;
    closedError = error ?? serviceError(status.CANCELLED, 'consumer closed');
    if (error === undefined || closing) deliveries.end();
    else deliveries.fail(error);
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(closedError);
    }
    waiters.clear();
    for (const wake of closeWaiters.splice(0)) wake();
  };

  stream.on('data', (response: ConsumeResponse__Output) => {
    if (response.delivery) {
      deliveries.push(response.delivery);
    } else if (response.settled) {
      const result = response.settled;
      for (const waiter of waiters) {
        if (!waiter.remaining.delete(result.receipt)) continue;
        waiter.results.push(result);
        if (waiter.remaining.size === 0) {
          clearTimeout(waiter.timer);
          waiters.delete(waiter);
          waiter.resolve(waiter.results);
        }
      }
    }
  });
  stream.on('error', (error: grpc.ServiceError) => {
    shutdown(closing && error.code === status.CANCELLED ? undefined : error);
  });
  stream.on('end', () => shutdown(undefined));

  const settle = (frame: ConsumeRequest, receipts: readonly string[]): Promise<SettleResult__Output[]> => {
    if (closed || closing) return Promise.reject(closedError ?? serviceError(status.CANCELLED, 'consumer is closing'));
    if (receipts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        remaining: new Set(receipts),
        results: [],
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(
            serviceError(
              status.DEADLINE_EXCEEDED,
              `no settle result for ${waiter.remaining.size} receipt(s) within ${settleTimeoutMs}ms`,
            ),
          );
        }, settleTimeoutMs),
      };
      waiters.add(waiter);
      stream.write(frame);
    });
  };

  stream.write({
    subscribe: {
      destination: options.destination,
      subscription: options.subscription ?? '',
      maxInFlight: options.maxInFlight ?? 0,
      ...(options.ackDeadlineMs === undefined ? {} : { ackDeadline: msToProtoDuration(options.ackDeadlineMs) }),
    },
  });

  return {
    [Symbol.asyncIterator]: () => deliveries[Symbol.asyncIterator](),
    get buffered() {
      return deliveries.size;
    },
    ack: (receipts) => settle({ ack: { receipts: [...receipts] } }, receipts),
    nack: (receipts, nackOptions = {}) =>
      settle(
        {
          nack: {
            receipts: [...receipts],
            ...(nackOptions.delayMs === undefined ? {} : { delay: msToProtoDuration(nackOptions.delayMs) }),
            deadLetter: nackOptions.deadLetter ?? false,
            reason: nackOptions.reason ?? '',
          },
        },
        receipts,
      ),
    extend: (receipts, extensionMs) =>
      settle({ extend: { receipts: [...receipts], delay: msToProtoDuration(extensionMs) } }, receipts),
    credit(count) {
      if (!Number.isInteger(count) || count < 1) throw new RangeError('credit must be a positive integer');
      if (!closed && !closing) stream.write({ credit: count });
    },
    close() {
      if (closed) return Promise.resolve();
      const done = new Promise<void>((resolve) => closeWaiters.push(resolve));
      if (!closing) {
        closing = true;
        stream.end();
        // The broker ends its side when it sees ours; if it does not, cancel.
        const timer = setTimeout(() => stream.cancel(), CLOSE_GRACE_MS);
        void done.then(() => clearTimeout(timer));
      }
      return done;
    },
  };
}
