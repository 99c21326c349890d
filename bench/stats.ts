// Latency percentiles and rate formatting for the benchmark report.

export class LatencyRecorder {
  readonly #samplesMs: number[] = [];
  readonly #samplesMax: number;

  constructor(samplesMax = 1_000_000) {
    this.#samplesMax = samplesMax;
  }

  record(ms: number): void {
    if (this.#samplesMs.length < this.#samplesMax) this.#samplesMs.push(ms);
  }

  percentile(p: number): number {
    if (this.#samplesMs.length === 0) return Number.NaN;
    const sorted = [...this.#samplesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  }
}

export interface Row {
  readonly name: string;
  readonly msgsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The ceiling row it is compared with ("unary 64 8"), if any. */
  readonly ceilingRow?: string;
  /** CPU microseconds per message of each measured process (broker, sidecar) during the timed part. */
  readonly cpuUsPerMsg?: Readonly<Record<string, number>>;
}
