// Filling in the pod's namespace: an app writes "orders", the brokers see "<namespace>/orders".
// Pure functions over the generated message types; they return new objects, never mutate input.
import { canonicalDestination } from '../common/names.ts';
import type { CallRequest__Output } from '../proto/gen/wharf/v1/CallRequest.ts';
import type { Message__Output } from '../proto/gen/wharf/v1/Message.ts';
import type { PublishRequest__Output } from '../proto/gen/wharf/v1/PublishRequest.ts';

/** A destination with its namespace (inboxes of Call replies allowed, as the broker does). */
export function qualify(raw: string, namespace: string): string {
  return canonicalDestination(raw, namespace, { allowInbox: true });
}

/** reply_to is optional: empty stays empty. */
export function qualifyReplyTo(raw: string, namespace: string): string {
  return raw === '' ? '' : qualify(raw, namespace);
}

export function qualifyMessage(message: Message__Output, namespace: string): Message__Output {
  const replyTo = qualifyReplyTo(message.replyTo, namespace);
  return replyTo === message.replyTo ? message : { ...message, replyTo };
}

export function qualifyPublish(request: PublishRequest__Output, namespace: string): PublishRequest__Output {
  return {
    ...request,
    destination: qualify(request.destination, namespace),
    message: request.message === null ? null : qualifyMessage(request.message, namespace),
  };
}

export function qualifyCall(request: CallRequest__Output, namespace: string): CallRequest__Output {
  return {
    ...request,
    destination: qualify(request.destination, namespace),
    message: request.message === null ? null : qualifyMessage(request.message, namespace),
  };
}
