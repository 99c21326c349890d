// Snapshots: a restored engine must behave exactly like the one that wrote the snapshot (see
// testing/snapshot-scenario.ts for the random scenarios), and the format is compact and checked.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from './bytes.ts';
import { Engine } from './engine.ts';
import { Harness, item } from './testing/harness.ts';
import { runDeterminismScenario, runRestoreScenario, setup, stepArb } from './testing/snapshot-scenario.ts';
import type { Delivery } from './types.ts';

const Q = 's/q';
const DLQ = 's/dlq';

describe('snapshots', () => {
  it('restore + the rest of the log = the whole log (results and final bytes)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 120, size: 'max' }), fc.nat(), (steps, cutSeed) => {
        runRestoreScenario(steps, cutSeed % (steps.length + 1));
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic: the same log gives the same bytes, whatever queries ran in between', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 100, size: 'max' }), (steps) => {
        runDeterminismScenario(steps);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the applied index and the clock', () => {
    const h = new Harness();
    setup(h);
    h.tick(1234);
    const restored = Engine.restore(h.engine.snapshot());
    expect(restored.appliedIndex).toBe(h.index);
    expect(restored.clockMs).toBe(h.nowMs);
    expect(() => restored.apply(h.index, { type: 'tick', nowMs: h.nowMs })).toThrow();
  });

  it('refuses what is not a snapshot', () => {
    expect(() => Engine.restore(new Uint8Array(0))).toThrow(CodecError);
    expect(() => Engine.restore(Uint8Array.of(1, 2, 3, 4, 5))).toThrow(CodecError);
    const bytes = new Engine().snapshot();
    expect(() => Engine.restore(bytes.subarray(0, bytes.length - 1))).toThrow(CodecError);
  });

  it('is compact: about 10 bytes per waiting message', () => {
    const h = new Harness({ viaCodec: false });
    h.applyQueue(Q);
    for (let i = 0; i < 100; i++) h.publish(...Array.from({ length: 100 }, () => item(Q)));
    const bytes = h.engine.snapshot();
    expect(bytes.length).toBeLessThan(10_000 * 10);
    h.restart();
    expect(h.engine.getQueue(Q, h.nowMs)?.stats.depth).toBe(10_000);
  });

  it('carries in-flight leases, retries, delays, dead letters and dedup over a restart', () => {
    const h = new Harness();
    setup(h);
    h.publish(item(Q, { key: 'k', dedupId: 'once' }), item(Q, { key: 'k' }), item(Q, { delayMs: 1000 }));
    const [leased] = h.lease(Q, 10) as [Delivery];
    h.restart();
    expect(h.ack(leased)).toEqual(['ok']);
    expect(h.publish(item(Q, { dedupId: 'once' }))[0]).toMatchObject({ duplicate: true, sequence: 1 });
    const [second] = h.lease(Q, 10) as [Delivery];
    expect(second.sequence).toBe(2);
    h.settle('nack', [second.receipt], { deadLetter: true, reason: 'no' });
    h.restart();
    expect(h.lease(DLQ, 10).map((d) => d.extraHeaders['wharf-dlq-reason'])).toEqual(['no']);
    h.advance(1000);
    expect(h.lease(Q, 10).map((d) => d.sequence)).toEqual([3]);
  });
});
