// Destination names: "<namespace>/<name>", each part a DNS-1123 label as in Kubernetes.
// Reply inboxes made by Call use the reserved name prefix "_inbox-", which users cannot apply.
// Pure module.
import { invalidArgument } from './errors.ts';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const INBOX_PREFIX = '_inbox-';
export const DEFAULT_NAMESPACE = 'default';

export interface DestinationName {
  readonly namespace: string;
  readonly name: string;
}

function checkLabel(part: string, what: string, full: string): void {
  if (part.length === 0 || part.length > 63 || !LABEL.test(part)) {
    throw invalidArgument(
      `${what} "${part}" in "${full}" must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
}

/**
 * Validates a destination name and fills in `defaultNamespace` when it has none.
 * Returns the canonical "<namespace>/<name>". Inbox names are accepted only with `allowInbox`.
 */
export function canonicalDestination(
  raw: string,
  defaultNamespace: string = DEFAULT_NAMESPACE,
  options: { allowInbox?: boolean } = {},
): string {
  if (raw.length === 0) throw invalidArgument('destination is empty (write "<namespace>/<name>" or "<name>")');
  const parts = raw.split('/');
  if (parts.length > 2)
    throw invalidArgument(`destination "${raw}" has more than one '/' (write "<namespace>/<name>")`);
  const namespace = parts.length === 2 ? (parts[0] ?? '') : defaultNamespace;
  const name = parts.length === 2 ? (parts[1] ?? '') : (parts[0] ?? '');
  checkLabel(namespace, 'namespace', raw);
  if (options.allowInbox === true && name.startsWith(INBOX_PREFIX)) {
    checkLabel(name.slice(INBOX_PREFIX.length), 'inbox id', raw);
  } else {
    checkLabel(name, 'name', raw);
  }
  return `${namespace}/${name}`;
}

export function splitDestination(canonical: string): DestinationName {
  const slash = canonical.indexOf('/');
  return { namespace: canonical.slice(0, slash), name: canonical.slice(slash + 1) };
}

export function isInbox(canonical: string): boolean {
  return splitDestination(canonical).name.startsWith(INBOX_PREFIX);
}

/** Subscription names follow the same label rule; empty means the Queue's own subscription. */
export function checkSubscriptionName(name: string): void {
  if (name === '') return;
  checkLabel(name, 'subscription', name);
}
