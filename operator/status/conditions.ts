// Status conditions as Kubernetes API conventions describe them (metav1.Condition): one entry per
// type; lastTransitionTime changes only when the status flips; observedGeneration says which spec
// the condition describes. Pure: the caller passes the time as an RFC 3339 string.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

/** A condition as a reconcile computes it, before the transition time is settled. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/** Condition types the operator writes. */
export const CONDITION = {
  ready: 'Ready',
  progressing: 'Progressing',
  degraded: 'Degraded',
  /** A spec change the broker cannot apply in place (e.g. fewer topic partitions). */
  specHeld: 'SpecHeld',
  /** Deleting: waiting for the queue to drain (deletionPolicy Drain). */
  draining: 'Draining',
} as const;

/**
 * Merges freshly computed conditions into the existing ones: a type that keeps its status keeps
 * its lastTransitionTime; conditions of other types are kept as they were; order is by type name,
 * so equal sets compare equal.
 */
export function mergeConditions(
  existing: readonly Condition[],
  computed: readonly ConditionInput[],
  observedGeneration: number,
  nowTime: string,
): Condition[] {
  const byType = new Map<string, Condition>(existing.map((c) => [c.type, c]));
  for (const input of computed) {
    const previous = byType.get(input.type);
    const lastTransitionTime =
      previous !== undefined && previous.status === input.status ? previous.lastTransitionTime : nowTime;
    byType.set(input.type, { ...input, observedGeneration, lastTransitionTime });
  }
  return [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Removes conditions of `type` (e.g. SpecHeld once the spec is applied). */
export function withoutCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export function findCondition<C extends { readonly type: string }>(
  conditions: readonly C[],
  type: string,
): C | undefined {
  return conditions.find((c) => c.type === type);
}

export function isTrue(
  conditions: readonly { readonly type: string; readonly status: string }[],
  type: string,
): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Structural equality of JSON-like values, key order ignored (for "only write status when it changed"). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, i) => jsonEqual(value, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual(ra[k], rb[k]));
}

/** The status to write, or undefined when the stored one already says the same. */
export function statusToWrite<S>(stored: unknown, desired: S): S | undefined {
  return jsonEqual(stored ?? {}, desired) ? undefined : desired;
}
