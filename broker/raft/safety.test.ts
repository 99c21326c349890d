// Randomized safety properties (Ongaro & Ousterhout, Figure 3 and §5.2-§5.4) on an in-memory
// cluster whose schedule reorders, drops and duplicates messages, crashes nodes (losing what was
// not persisted) and restarts them from storage, and compacts logs (§7). Longer runs: *.slow.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClusterOptions, runRandomSchedule } from './testing/cluster.ts';

const scheduleOptions: ClusterOptions = {
  nodes: 3,
  dropRate: 0.1,
  duplicateRate: 0.1,
  crashRate: 0.01,
  compactEvery: 8,
  preVote: true,
  checkQuorum: true,
};

describe('Raft safety in random schedules', () => {
  it('election safety, log matching, leader completeness, state machine safety (§5.2, §5.3, §5.4) — 3 nodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const cluster = runRandomSchedule(seed, 4000, scheduleOptions);
        expect(cluster.converge(3000)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('same properties without pre-vote and check-quorum, 5 nodes, more faults (§5.2, §5.4.2)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const options = {
          ...scheduleOptions,
          nodes: 5,
          preVote: false,
          checkQuorum: false,
          dropRate: 0.2,
          crashRate: 0.02,
        };
        const cluster = runRandomSchedule(seed, 4000, options);
        expect(cluster.converge(3000)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('a follower that loses acknowledged entries (a repaired corrupt log) is repaired by the leader — 3 and 5 nodes', () => {
    let cut = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(3, 5), (seed, nodes) => {
        // Random losses along the way (safety must hold: the node does not vote until repaired)...
        const cluster = runRandomSchedule(seed, 3000, { ...scheduleOptions, nodes, lossRate: 0.01 });
        expect(cluster.converge(3000)).toBe(true);
        // ...then a follower whose log now ends below the leader's match for it. Before the leader
        // took such rejections for lost entries, it resent the same append forever: no convergence.
        if (cluster.loseAcknowledgedEntries()) cut++;
        expect(cluster.converge(3000)).toBe(true);
        cluster.checkLogMatching();
      }),
      { numRuns: 25 },
    );
    expect(cut).toBeGreaterThan(20);
  });

  it('makes progress: some seeds commit, elect and snapshot', () => {
    const cluster = runRandomSchedule(1, 3000, scheduleOptions);
    expect(cluster.stats.commits).toBeGreaterThan(10);
    expect(cluster.stats.elections).toBeGreaterThan(0);
  });
});
