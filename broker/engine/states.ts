// One byte of delivery state per message of a subscription, indexed by the store's sequence
// number, in chunks that are freed when every message in them has left the subscription.

const CHUNK = 1024;

export class StateColumn {
  readonly #chunks = new Map<number, { bytes: Uint8Array; used: number }>();
  #count = 0;

  /** Messages with a non-zero state. */
  get count(): number {
    return this.#count;
  }

  get(seq: number): number {
    if (!Number.isSafeInteger(seq) || seq < 0) return 0;
    const chunk = this.#chunks.get(Math.floor(seq / CHUNK));
    return chunk === undefined ? 0 : (chunk.bytes[seq % CHUNK] as number);
  }

  set(seq: number, state: number): void {
    const no = Math.floor(seq / CHUNK);
    let chunk = this.#chunks.get(no);
    if (chunk === undefined) {
      if (state === 0) return;
      chunk = { bytes: new Uint8Array(CHUNK), used: 0 };
      this.#chunks.set(no, chunk);
    }
    const o = seq % CHUNK;
    const old = chunk.bytes[o] as number;
    if (old === state) return;
    chunk.bytes[o] = state;
    if (old === 0) {
      chunk.used++;
      this.#count++;
    } else if (state === 0) {
      this.#count--;
      if (--chunk.used === 0) this.#chunks.delete(no);
    }
  }

  /** The first sequence number >= from with a non-zero state, or undefined. */
  next(from: number): number | undefined {
    if (this.#count === 0) return undefined;
    let best: number | undefined;
    const fromNo = Math.floor(from / CHUNK);
    // Chunks are few (a 4096th of the messages); scan them for the lowest candidate.
    for (const [no, chunk] of this.#chunks) {
      if (no < fromNo || (best !== undefined && no * CHUNK >= best)) continue;
      const start = no === fromNo ? from % CHUNK : 0;
      for (let o = start; o < CHUNK; o++) {
        if (chunk.bytes[o] !== 0) {
          const seq = no * CHUNK + o;
          if (best === undefined || seq < best) best = seq;
          break;
        }
      }
    }
    return best;
  }

  /** Calls `visit(seq, state)` for every non-zero state, ascending. `visit` must not change the column. */
  forEach(visit: (seq: number, state: number) => void): void {
    const nos = [...this.#chunks.keys()].sort((a, b) => a - b);
    for (const no of nos) {
      const bytes = this.#chunks.get(no)?.bytes;
      if (bytes === undefined) continue;
      for (let o = 0; o < CHUNK; o++) {
        const state = bytes[o] as number;
        if (state !== 0) visit(no * CHUNK + o, state);
      }
    }
  }

  /** Sequence numbers with a non-zero state, ascending. */
  *entries(): IterableIterator<number> {
    const nos = [...this.#chunks.keys()].sort((a, b) => a - b);
    for (const no of nos) {
      const chunk = this.#chunks.get(no);
      if (chunk === undefined) continue;
      for (let o = 0; o < CHUNK; o++) if (chunk.bytes[o] !== 0) yield no * CHUNK + o;
    }
  }
}
