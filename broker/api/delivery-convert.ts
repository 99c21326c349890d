// Engine deliveries + stored message bodies -> the wire's Delivery; PublishRequest -> PublishItem.
import { msToProtoDuration, msToProtoTimestamp, protoDurationMs } from '../../common/duration.ts';
import { invalidArgument } from '../../common/errors.ts';
import { canonicalDestination } from '../../common/names.ts';
import type { Delivery as ProtoDelivery } from '../../proto/gen/wharf/v1/Delivery.ts';
import type { Message__Output } from '../../proto/gen/wharf/v1/Message.ts';
import type { Delivery, PublishItem } from '../engine/types.ts';
import { SPEC_LIMITS } from './spec-defaults.ts';

export function toProtoDelivery(delivery: Delivery, item: PublishItem): ProtoDelivery {
  const extra = Object.keys(delivery.extraHeaders).length > 0;
  return {
    message: {
      id: delivery.messageId,
      payload: item.payload,
      headers: extra ? { ...item.headers, ...delivery.extraHeaders } : item.headers,
      key: item.key,
      dedupId: item.dedupId,
      priority: item.priority,
      delay: item.delayMs > 0 ? msToProtoDuration(item.delayMs) : null,
      ttl: item.ttlMs > 0 ? msToProtoDuration(item.ttlMs) : null,
      replyTo: item.replyTo,
      correlationId: item.correlationId,
      publishTime: msToProtoTimestamp(delivery.publishMs),
      sequence: delivery.sequence,
      partition: delivery.partition,
    },
    receipt: delivery.receipt,
    attempt: delivery.attempt,
    leaseExpires: msToProtoTimestamp(delivery.leaseExpiresMs),
    destination: delivery.destination,
    subscription: delivery.subscription,
  };
}

function checkHeaders(headers: Readonly<Record<string, string>>): void {
  const keys = Object.keys(headers);
  if (keys.length > SPEC_LIMITS.headersMax) {
    throw invalidArgument(`message.headers: ${keys.length} headers, at most ${SPEC_LIMITS.headersMax}`);
  }
  let bytes = 0;
  for (const key of keys) {
    if (key === '') throw invalidArgument('message.headers: empty header name');
    bytes += key.length + (headers[key]?.length ?? 0);
  }
  if (bytes > SPEC_LIMITS.headerBytesMax) {
    throw invalidArgument(`message.headers: ${bytes} bytes of headers, at most ${SPEC_LIMITS.headerBytesMax}`);
  }
}

/** Validates one message of a publish and turns it into the engine's item. */
export function toPublishItem(
  destination: string,
  message: Message__Output | null,
  defaultNamespace: string,
): PublishItem {
  const canonical = canonicalDestination(destination, defaultNamespace, { allowInbox: true });
  if (message === null) throw invalidArgument('message is missing');
  if (message.priority > SPEC_LIMITS.priorityMax) {
    throw invalidArgument(`message.priority: ${message.priority} is out of range (0..${SPEC_LIMITS.priorityMax})`);
  }
  const delayMs = protoDurationMs(message.delay, 'message.delay') ?? 0;
  if (delayMs > SPEC_LIMITS.delayMsMax) {
    throw invalidArgument(`message.delay: at most ${SPEC_LIMITS.delayMsMax / 86_400_000} days`);
  }
  const ttlMs = protoDurationMs(message.ttl, 'message.ttl') ?? 0;
  checkHeaders(message.headers);
  if (message.id.length > 256) throw invalidArgument('message.id: at most 256 characters');
  if (message.dedupId.length > 256) throw invalidArgument('message.dedup_id: at most 256 characters');
  if (message.key.length > 1024) throw invalidArgument('message.key: at most 1024 characters');
  return {
    destination: canonical,
    id: message.id,
    payload: message.payload,
    headers: message.headers,
    key: message.key,
    dedupId: message.dedupId,
    priority: message.priority,
    delayMs,
    ttlMs,
    replyTo:
      message.replyTo === '' ? '' : canonicalDestination(message.replyTo, defaultNamespace, { allowInbox: true }),
    correlationId: message.correlationId,
  };
}
