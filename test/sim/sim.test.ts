// Fast simulator checks: a handful of seeds, the kept regressions, and determinism (the same seed
// twice gives the same trace hash).
import { describe, expect, it } from 'vitest';
import { REGRESSIONS } from './regressions.ts';
import { rerunCommand, runSeed } from './run.ts';

function explain(result: { seed: number; steps: number; failure: string | undefined; summary: string }): string {
  return `${result.failure ?? ''}\n  rerun: ${rerunCommand(result.seed, result.steps, Number(/nodes=(\d+)/.exec(result.summary)?.[1] ?? 3))}`;
}

describe('deterministic simulation', () => {
  it.each([1, 2, 3, 4, 5, 6])('seed %i keeps every guarantee', async (seed) => {
    const result = await runSeed({ seed, steps: 2000 });
    expect(result.failure, explain(result)).toBeUndefined();
  });

  it.each(REGRESSIONS.map((r) => [r.seed, r] as const))('regression seed %i', async (_seed, regression) => {
    const result = await runSeed({
      seed: regression.seed,
      steps: regression.steps,
      ...(regression.nodes === undefined ? {} : { nodes: regression.nodes }),
    });
    expect(result.failure, `${regression.found}\n${explain(result)}`).toBeUndefined();
  });

  it('the same seed runs identically (equal trace hashes)', async () => {
    const a = await runSeed({ seed: 11, steps: 1500 });
    const b = await runSeed({ seed: 11, steps: 1500 });
    expect(b.trace).toBe(a.trace);
    expect(b.summary).toBe(a.summary);
    const c = await runSeed({ seed: 12, steps: 1500 });
    expect(c.trace).not.toBe(a.trace);
  });
});
