// Property tests: the engine against the naive reference model (testing/model.ts) on random
// command sequences; see testing/model-scenario.ts for what is checked.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { opArb, runScenario, specArb } from './testing/model-scenario.ts';

describe('queue engine against the reference model', () => {
  it('agrees on deliveries, outcomes and counters, and keeps the guarantees', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' }),
        fc.boolean(),
        (spec, ops, dlNacks) => {
          runScenario(spec, ops, dlNacks);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees on a long run', () => {
    fc.assert(
      fc.property(specArb, fc.array(opArb, { minLength: 200, maxLength: 400, size: 'max' }), (spec, ops) => {
        runScenario(spec, ops, true);
      }),
      { numRuns: 20 },
    );
  });
});
