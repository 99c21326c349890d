// Seeds that once failed, kept so the bug they found stays fixed. Each line: the seed, the steps
// it needs, and what it found.
export interface Regression {
  readonly seed: number;
  readonly steps: number;
  readonly nodes?: number;
  readonly found: string;
}

export const REGRESSIONS: readonly Regression[] = [
  {
    seed: 173,
    steps: 6000,
    found:
      'leader completeness: a replica repairing a corrupt log restarted, found its quarantined log merely short, ' +
      'forgot it was repairing and voted (fixed: the repair marker is durable)',
  },
  {
    seed: 258,
    steps: 6000,
    found:
      'assertion: a leader re-elected proposed at an index where its overwritten proposal of an older term still waited',
  },
  {
    seed: 79,
    steps: 3000,
    found:
      'liveness: a follower that repaired a corrupt log rejected appends below its old match index; the Raft core ' +
      'took the rejects for stale ones and retried the same append forever (fixed in broker/raft: a reject below match means lost entries, back to probing)',
  },
  {
    seed: 1579,
    steps: 10_000,
    found:
      'state-machine safety at 10,000 steps: a committed entry went missing after crashes (suspected: a whole last record ' +
      'failing its checksum was cut as a torn tail; storage now reports that as corruption; the seed also passes since ' +
      "the leader's early send changed its run, so the cause is not proven)",
  },
  { seed: 1113, steps: 10_000, found: 'failed at 10,000 steps before the same storage change' },
  { seed: 1947, steps: 10_000, found: 'failed at 10,000 steps before the same storage change' },
  {
    seed: 553,
    steps: 10_000,
    found:
      'liveness: a simulated client waited forever for a message read on a replica that crashed mid-read ' +
      '(fixed in the workload: reads are bounded like every other call)',
  },
  {
    seed: 331,
    steps: 10_000,
    found:
      'leader completeness: a replica crashed after moving its corrupt log to quarantine and before writing the repair ' +
      'marker; it restarted empty, not repairing, and voted (fixed: the marker is durable before anything is quarantined)',
  },
  { seed: 1334, steps: 10_000, found: 'leader completeness, found beside seed 331 with the same change' },
  {
    seed: 998,
    steps: 10_000,
    found:
      'open failed (append leaves a gap): a crash between quarantining a corrupt snapshot and its log left a compacted ' +
      'log with no snapshot (fixed: a log that starts after its snapshot is quarantined too, and repaired)',
  },
  { seed: 155, steps: 10_000, found: 'the same as seed 998' },
];
