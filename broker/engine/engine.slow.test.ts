// Longer property runs of the engine (slow suite): model agreement and snapshot equivalence over
// many more and longer random command sequences than the fast suite.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { opArb, runScenario, specArb } from './testing/model-scenario.ts';
import { runDeterminismScenario, runRestoreScenario, stepArb } from './testing/snapshot-scenario.ts';

// Bounded by numRuns; the timeout only has to outlast a machine loaded by parallel suites and builds.
const RUN_TIMEOUT_MS = 300_000;

describe('engine, long property runs', () => {
  it(
    'agrees with the reference model',
    () => {
      fc.assert(
        fc.property(
          specArb,
          fc.array(opArb, { minLength: 50, maxLength: 600, size: 'max' }),
          fc.boolean(),
          (spec, ops, dlNacks) => {
            runScenario(spec, ops, dlNacks);
          },
        ),
        { numRuns: 1500 },
      );
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'restores snapshots to the same behaviour',
    () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 50, maxLength: 400, size: 'max' }), fc.nat(), (steps, cutSeed) => {
          runRestoreScenario(steps, cutSeed % (steps.length + 1));
        }),
        { numRuns: 1000 },
      );
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'is deterministic across replicas',
    () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 50, maxLength: 400, size: 'max' }), (steps) => {
          runDeterminismScenario(steps);
        }),
        { numRuns: 500 },
      );
    },
    RUN_TIMEOUT_MS,
  );
});
