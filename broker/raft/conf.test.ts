// Membership changes: the entry encoding (with the replicated context) and the one-at-a-time rules.
import { expect, it } from 'vitest';
import { applyConfChange, confChangeProblem, decodeConfChange, encodeConfChange, makeConf } from './conf.ts';

it('round-trips changes, the addLearner context included', () => {
  for (const change of [
    { type: 'addLearner', member: 'n4', context: '127.0.0.1:7404:7504' },
    { type: 'addLearner', member: 'n4' },
    { type: 'promote', member: 'n4' },
    { type: 'remove', member: 'n1' },
  ] as const) {
    expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
  }
  expect(() => decodeConfChange(new TextEncoder().encode('promote n4 extra'))).toThrow(/malformed/);
  expect(() => decodeConfChange(new TextEncoder().encode('grow n4'))).toThrow(/malformed/);
});

it('adds through a learner and never removes the last voter', () => {
  const conf = makeConf(['n1']);
  expect(confChangeProblem(conf, { type: 'promote', member: 'n2' })).toMatch(/not a learner/);
  const withLearner = applyConfChange(conf, { type: 'addLearner', member: 'n2' });
  expect(withLearner).toEqual({ voters: ['n1'], learners: ['n2'] });
  expect(applyConfChange(withLearner, { type: 'promote', member: 'n2' })).toEqual({
    voters: ['n1', 'n2'],
    learners: [],
  });
  expect(confChangeProblem(conf, { type: 'remove', member: 'n1' })).toMatch(/last voter/);
});
