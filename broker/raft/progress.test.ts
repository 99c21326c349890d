// Progress.maybeDecrTo: stale rejections, the usual walk back, and a follower that lost entries it
// had acknowledged (its log now ends below match).
import { describe, expect, it } from 'vitest';
import { Progress } from './progress.ts';

function progress(state: 'probe' | 'replicate', match: number, next: number): Progress {
  const pr = new Progress(next, false, 4, 1 << 20);
  pr.match = match;
  if (state === 'replicate') pr.becomeReplicate();
  pr.next = next;
  return pr;
}

describe('Progress.maybeDecrTo', () => {
  it('replicate: a rejection of a prev below match is stale', () => {
    const pr = progress('replicate', 14, 20);
    expect(pr.maybeDecrTo(13, 5)).toBe('stale');
    expect(pr.describe()).toBe('replicate match=14 next=20 inflight=0');
  });

  it('replicate: a rejection at match naming a hint at or past match is stale', () => {
    const pr = progress('replicate', 14, 20);
    expect(pr.maybeDecrTo(14, 14)).toBe('stale');
    expect(pr.state).toBe('replicate');
  });

  it('replicate: a rejection above match with a hint at or past match walks back to match + 1', () => {
    const pr = progress('replicate', 14, 20);
    expect(pr.maybeDecrTo(18, 16)).toBe('backtrack');
    expect(pr.next).toBe(15);
    expect(pr.match).toBe(14);
  });

  it('replicate: a hint below match means lost entries: match 0, probe from hint + 1', () => {
    const pr = progress('replicate', 14, 20);
    pr.inflights.add(19, 10);
    expect(pr.maybeDecrTo(19, 11)).toBe('lost');
    expect(pr.describe()).toBe('probe match=0 next=12 inflight=0');
    // Probing again: not paused until the probe goes out.
    expect(pr.isPaused()).toBe(false);
  });

  it('replicate: a rejection of prev == match naming a shorter log is lost entries too', () => {
    const pr = progress('replicate', 14, 15);
    expect(pr.maybeDecrTo(14, 0)).toBe('lost');
    expect(pr.describe()).toBe('probe match=0 next=1 inflight=0');
  });

  it('probe: only the reply to the current probe counts', () => {
    const pr = progress('probe', 14, 15);
    pr.probeSent = true;
    expect(pr.maybeDecrTo(16, 11)).toBe('stale');
    expect(pr.maybeDecrTo(13, 11)).toBe('stale');
    expect(pr.describe()).toBe('probe match=14 next=15 paused inflight=0');
  });

  it('probe: the reply to the current probe with a hint below match is lost entries (was: resent forever)', () => {
    const pr = progress('probe', 14, 15);
    pr.probeSent = true;
    expect(pr.maybeDecrTo(14, 11)).toBe('lost');
    expect(pr.describe()).toBe('probe match=0 next=12 inflight=0');
    // The follower's log now walks back as usual, then an acknowledgement restores match.
    pr.probeSent = true;
    expect(pr.maybeDecrTo(11, 9)).toBe('backtrack');
    expect(pr.next).toBe(10);
    expect(pr.maybeUpdate(15)).toBe(true);
    expect(pr.match).toBe(15);
  });

  it('probe: an ordinary walk back never goes below match + 1', () => {
    const pr = progress('probe', 10, 20);
    expect(pr.maybeDecrTo(19, 12)).toBe('backtrack');
    expect(pr.next).toBe(13);
    pr.next = 12;
    expect(pr.maybeDecrTo(11, 10)).toBe('backtrack');
    expect(pr.next).toBe(11);
    expect(pr.match).toBe(10);
  });
});
