// Pipelined publishing over BrokerService.PublishStream: each publish gets a request_id, responses
// are matched back by it, and at most `maxInFlight` publishes wait for an answer at a time (further
// publish() calls wait for a slot, so memory stays bounded).
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { PublishRequest } from '../proto/gen/wharf/v1/PublishRequest.ts';
import type { PublishResponse__Output } from '../proto/gen/wharf/v1/PublishResponse.ts';
import { serviceError } from './unary.ts';

export const DEFAULT_PUBLISH_WINDOW = 256;

export interface PublishStream {
  /** Sends one publish; resolves with its response, rejects if the stream fails first. */
  publish(request: PublishRequest): Promise<PublishResponse__Output>;
  /** Publishes waiting for their response. */
  readonly inFlight: number;
  /** Half-closes after the pending publishes are answered; resolves when the stream has ended. */
  end(): Promise<void>;
  /** Cancels the stream; pending publishes reject with CANCELLED. */
  cancel(): void;
}

type Duplex = grpc.ClientDuplexStream<PublishRequest, PublishResponse__Output>;

interface Pending {
  resolve: (response: PublishResponse__Output) => void;
  reject: (error: unknown) => void;
}

export function createPublishStream(stream: Duplex, maxInFlight = DEFAULT_PUBLISH_WINDOW): PublishStream {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlight must be at least 1');
  const idPrefix = randomUUID().slice(0, 8);
  let nextId = 0;
  const pending = new Map<string, Pending>();
  const slotWaiters: Array<() => void> = [];
  let failure: unknown;
  let ending = false;
  let ended = false;
  const endWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  const finish = (error: unknown): void => {
    if (ended) return;
    ended = true;
    failure ??= error;
    for (const entry of pending.values()) entry.reject(failure);
    pending.clear();
    for (const wake of slotWaiters.splice(0)) wake();
    for (const waiter of endWaiters.splice(0)) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  };

  stream.on('data', (response: PublishResponse__Output) => {
    const entry = pending.get(response.requestId);
    if (!entry) return; // an answer to nobody we know: ignore rather than crash the stream
    pending.delete(response.requestId);
    entry.resolve(response);
    slotWaiters.shift()?.();
    if (ending && pending.size === 0) stream.end();
  });
  stream.on('error', (error) => finish(error));
  stream.on('end', () => {
    const leftover = pending.size;
    finish(
      leftover > 0
        ? serviceError(status.UNAVAILABLE, `publish stream ended with ${leftover} publishes unanswered`)
        : undefined,
    );
  });

  const waitForSlot = async (): Promise<void> => {
    while (!ended && pending.size >= maxInFlight) {
      await new Promise<void>((wake) => slotWaiters.push(wake));
    }
  };

  return {
    get inFlight() {
      return pending.size;
    },
    async publish(request) {
      if (ending) throw serviceError(status.FAILED_PRECONDITION, 'publish stream is ending');
      await waitForSlot();
      if (ended) throw failure ?? serviceError(status.CANCELLED, 'publish stream has ended');
      let requestId = request.requestId ?? '';
      if (requestId === '') requestId = `${idPrefix}-${nextId++}`;
      if (pending.has(requestId)) {
        throw serviceError(status.INVALID_ARGUMENT, `request_id "${requestId}" is already in flight`);
      }
      const answered = new Promise<PublishResponse__Output>((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
      });
      stream.write({ ...request, requestId });
      return answered;
    },
    end() {
      if (ended) return failure === undefined ? Promise.resolve() : Promise.reject(failure);
      const done = new Promise<void>((resolve, reject) => endWaiters.push({ resolve, reject }));
      if (!ending) {
        ending = true;
        if (pending.size === 0) stream.end();
      }
      return done;
    },
    cancel() {
      finish(serviceError(status.CANCELLED, 'publish stream cancelled'));
      stream.cancel();
    },
  };
}
