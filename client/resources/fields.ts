// Leaf parsers for resource YAML fields. Each takes the raw YAML value and returns the parsed one
// or throws a FieldError whose message says what was found and what is expected; the caller adds
// the file, document and field path. Pure module.
import { parseDurationMs } from '../../common/duration.ts';
import { parseBytes } from '../../common/quantity.ts';

export class FieldError extends Error {
  override name = 'FieldError';
}

/** How a value looks in a message: strings quoted, mappings and lists by name. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

export function durationMs(value: unknown): number {
  if (value === 0) return 0;
  if (typeof value === 'string') {
    try {
      return parseDurationMs(value);
    } catch {
      // fall through to the message below
    }
  }
  throw new FieldError(`${describeValue(value)} is not a duration (write e.g. "30s")`);
}

export function bytes(value: unknown): number {
  if (typeof value === 'string' || typeof value === 'number') {
    try {
      return parseBytes(value);
    } catch {
      // fall through to the message below
    }
  }
  throw new FieldError(`${describeValue(value)} is not a size (write e.g. "1Mi", "10Gi" or 4096)`);
}

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown) => number {
  return (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new FieldError(`${describeValue(value)} is not a whole number`);
    }
    if (value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}..${max}`;
      throw new FieldError(`${value} is out of range (expected ${range})`);
    }
    return value;
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): (value: unknown) => T {
  return (value) => {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    throw new FieldError(`${describeValue(value)} is not one of ${choices.join(', ')}`);
  };
}

export function text(value: unknown): string {
  if (typeof value !== 'string') throw new FieldError(`expected a string, got ${describeValue(value)}`);
  return value;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_RULE = "1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";

/** A Kubernetes-style name (DNS-1123 label). */
export function label(value: unknown): string {
  const name = text(value);
  if (name.length === 0 || name.length > 63 || !LABEL.test(name)) {
    throw new FieldError(`${describeValue(value)} is not a valid name (${LABEL_RULE})`);
  }
  return name;
}

/** "<name>" or "<namespace>/<name>"; returned as written (the resource's namespace is filled in later). */
export function destinationRef(value: unknown): string {
  const ref = text(value);
  const parts = ref.split('/');
  const valid = parts.length <= 2 && parts.every((part) => part.length > 0 && part.length <= 63 && LABEL.test(part));
  if (!valid) {
    throw new FieldError(
      `${describeValue(value)} is not a queue name (write "<name>" or "<namespace>/<name>", each ${LABEL_RULE})`,
    );
  }
  return ref;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** "Earliest", "Latest" or an RFC 3339 time. */
export function startAt(value: unknown): string {
  if (value === 'Earliest' || value === 'Latest') return value;
  if (typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new FieldError(
    `${describeValue(value)} is not Earliest, Latest or an RFC 3339 time (write e.g. "2026-01-02T15:04:05Z")`,
  );
}
