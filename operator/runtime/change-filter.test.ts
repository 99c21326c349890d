import { describe, expect, it } from 'vitest';
import { ChangeFilter } from './change-filter.ts';

const obj = (metadata: Record<string, unknown>) => ({ metadata });

describe('ChangeFilter', () => {
  it('admits the first sight, spec, finalizer, deletion and label changes; drops status-only updates', () => {
    const filter = new ChangeFilter();
    const base = { generation: 1, finalizers: ['a'], labels: { x: '1' } };
    expect(filter.admit('k', 'add', obj(base))).toBe(true);
    expect(filter.admit('k', 'update', obj({ ...base, resourceVersion: '9' }))).toBe(false); // our status write
    expect(filter.admit('k', 'update', obj({ ...base, generation: 2 }))).toBe(true);
    expect(filter.admit('k', 'update', obj({ ...base, generation: 2, finalizers: [] }))).toBe(true);
    expect(filter.admit('k', 'update', obj({ ...base, generation: 2, finalizers: [], deletionTimestamp: 't' }))).toBe(
      true,
    );
    expect(filter.admit('k', 'update', obj({ ...base, generation: 2, finalizers: [], deletionTimestamp: 't' }))).toBe(
      false,
    );
    expect(filter.admit('k', 'delete', obj(base))).toBe(true);
    expect(filter.size).toBe(0);
  });

  it('ignores the order of finalizers and labels', () => {
    const filter = new ChangeFilter();
    filter.admit('k', 'add', obj({ finalizers: ['a', 'b'], labels: { x: '1', y: '2' } }));
    expect(filter.admit('k', 'update', obj({ finalizers: ['b', 'a'], labels: { y: '2', x: '1' } }))).toBe(false);
  });
});
