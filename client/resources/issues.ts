// Turns zod issues into one-line messages "<field path>: <what is wrong>", suggesting the closest
// known field for a misspelt one. Pure module.
import type { z } from 'zod';
import { describeValue } from './fields.ts';

export interface FieldIssue {
  /** "spec.subscriptions[0].ackDeadline"; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** Follows optional/pipe wrappers down to the schema that does the checking. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(current);
    if (def.type === 'optional' && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.out && def.in) {
      current = defOf(def.out).type === 'transform' ? def.in : def.out;
    } else break;
  }
  return current;
}

/** The field names the schema accepts for the mapping at `path`. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const part of path) {
    const def = defOf(current);
    if (def.type === 'object' && def.shape && typeof part === 'string' && def.shape[part]) {
      current = unwrap(def.shape[part]);
    } else if (def.type === 'array' && def.element && typeof part === 'number') {
      current = unwrap(def.element);
    } else return [];
  }
  const def = defOf(current);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[y.length] ?? 0;
}

export function unknownFieldMessage(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))) {
    return `unknown field (did you mean "${best}"?)`;
  }
  return known.length > 0 ? `unknown field (expected one of ${known.join(', ')})` : 'unknown field';
}

export function issuesFromZod(schema: z.ZodType, error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    const input = (issue as { input?: unknown }).input;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      for (const key of issue.keys) out.push({ path: joinPath(path, key), message: unknownFieldMessage(key, known) });
    } else if (issue.code === 'invalid_type') {
      const expected =
        issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected;
      out.push({
        path,
        message: input === undefined ? `required (${expected})` : `expected ${expected}, got ${describeValue(input)}`,
      });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}
