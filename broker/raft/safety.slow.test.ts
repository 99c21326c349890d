// Longer randomized safety runs (Ongaro & Ousterhout Figure 3, §5.2-§5.4, §7 snapshots): more
// seeds, longer schedules, harsher faults. Same checkers as safety.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClusterOptions, runRandomSchedule } from './testing/cluster.ts';

const base: ClusterOptions = {
  nodes: 5,
  dropRate: 0.2,
  duplicateRate: 0.15,
  crashRate: 0.02,
  compactEvery: 5,
  preVote: false,
  checkQuorum: false,
};

describe('Raft safety in long random schedules (slow)', () => {
  for (const [name, options] of [
    ['5 nodes, no pre-vote (§5.2, §5.4.2)', base],
    ['5 nodes, pre-vote + check-quorum (thesis §9.6, §6.2)', { ...base, preVote: true, checkQuorum: true }],
    ['3 nodes, frequent crashes (§5.4 with lost unpersisted state)', { ...base, nodes: 3, crashRate: 0.05 }],
    ['5 nodes, logs losing acknowledged entries (repaired corrupt logs)', { ...base, lossRate: 0.005 }],
  ] as const) {
    it(name, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const cluster = runRandomSchedule(seed, 20_000, options);
          expect(cluster.converge(5000)).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }
});
