// Which watch events are worth a reconcile (controller-runtime's GenerationChangedPredicate, plus
// the metadata a reconcile acts on). A status write of our own comes back as an update that
// changes neither the spec (generation) nor the finalizers nor the deletion mark: reconciling it
// again would read the broker and write status again, a loop as fast as the broker answers. Such
// updates are dropped; periodic requeues refresh status instead.

export interface ObjectMetaView {
  readonly metadata?: {
    readonly generation?: number;
    readonly deletionTimestamp?: unknown;
    readonly finalizers?: readonly string[];
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
}

/** The parts of an object whose change needs a reconcile, as one comparable string. */
export function reconcileFingerprint(object: ObjectMetaView): string {
  const m = object.metadata ?? {};
  return JSON.stringify([
    m.generation ?? 0,
    m.deletionTimestamp !== undefined && m.deletionTimestamp !== null,
    [...(m.finalizers ?? [])].sort(),
    Object.entries(m.labels ?? {}).sort(),
    Object.entries(m.annotations ?? {}).sort(),
  ]);
}

/** Remembers the fingerprint per key; says whether an event changed it. */
export class ChangeFilter {
  readonly #seen = new Map<string, string>();

  /** True for the first sight of `key`, a deletion, or a changed fingerprint. */
  admit(key: string, type: 'add' | 'update' | 'delete', object: ObjectMetaView): boolean {
    if (type === 'delete') {
      this.#seen.delete(key);
      return true;
    }
    const fingerprint = reconcileFingerprint(object);
    const previous = this.#seen.get(key);
    this.#seen.set(key, fingerprint);
    return previous !== fingerprint;
  }

  get size(): number {
    return this.#seen.size;
  }
}
