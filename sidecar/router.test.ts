import { describe, expect, it } from 'vitest';
import { hasQuorum, MEMBERS_MAX, ROUTES_MAX, RouteTable } from './router.ts';

const member = (address: string, leader = false) => ({ id: address, address, voter: true, leader, healthy: true });
const status = (members: ReturnType<typeof member>[]) => ({
  clusterId: 'c',
  members,
  version: 'v',
  queues: 0,
  topics: 0,
  commitIndex: 0,
  appliedIndex: 0,
});

describe('readiness', () => {
  it('needs a majority of healthy voters', () => {
    const m = (healthy: boolean, voter = true) => ({ ...member('x:1'), healthy, voter });
    expect(hasQuorum(status([m(true)]))).toBe(true);
    expect(hasQuorum(status([m(true), m(true), m(false)]))).toBe(true);
    expect(hasQuorum(status([m(true), m(false), m(false)]))).toBe(false);
    expect(hasQuorum(status([m(true), m(false), m(false, false)]))).toBe(false);
    expect(hasQuorum(status([]))).toBe(true);
  });
});

describe('RouteTable', () => {
  it('starts from the seeds and learns the members and the leader', () => {
    const t = new RouteTable(['seed:1']);
    expect(t.addressFor('shop/orders')).toBe('seed:1');
    t.learned(status([member('a:1'), member('b:1', true), member('c:1')]));
    expect(t.members).toEqual(['a:1', 'b:1', 'c:1', 'seed:1']);
    expect(t.addressFor('shop/orders')).toBe('b:1');
  });

  it('follows a leader hint on refusal, and tries the next member without one', () => {
    const t = new RouteTable(['a:1', 'b:1', 'c:1']);
    expect(t.addressFor('shop/orders')).toBe('a:1');
    t.failed('shop/orders', 'a:1', 'c:1');
    expect(t.addressFor('shop/orders')).toBe('c:1');
    expect(t.addressFor('shop/other')).toBe('a:1');
    t.failed('shop/orders', 'c:1', undefined);
    t.failed('shop/other', 'a:1', undefined);
    // Both forgot their route; the preferred member moved past the one that failed.
    expect(t.addressFor('shop/orders')).toBe('b:1');
    expect(t.addressFor('shop/other')).toBe('b:1');
    t.failed('shop/orders', 'z:9', 'new:1');
    expect(t.members).toContain('new:1');
    expect(t.addressFor('shop/orders')).toBe('new:1');
  });

  it('forgets routes to members that left, and stays bounded', () => {
    const t = new RouteTable(['a:1']);
    t.learned(status([member('a:1'), member('b:1')]));
    t.confirmed('shop/x', 'b:1');
    expect(t.addressFor('shop/x')).toBe('b:1');
    t.learned(status([member('a:1', true)]));
    expect(t.addressFor('shop/x')).toBe('a:1');
    for (let i = 0; i < ROUTES_MAX + 10; i++) t.confirmed(`shop/q${i}`, 'a:1');
    for (let i = 0; i < MEMBERS_MAX + 10; i++) t.failed('shop/q', 'a:1', `h${i}:1`);
    expect(t.members.length).toBeLessThanOrEqual(MEMBERS_MAX);
  });
});
