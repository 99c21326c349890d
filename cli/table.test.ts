import { describe, expect, it } from 'vitest';
import { formatTable } from './table.ts';

describe('formatTable', () => {
  it('pads columns to their widest cell, three spaces apart, without trailing spaces', () => {
    expect(
      formatTable(
        ['NAME', 'DEPTH', 'DLQ'],
        [
          ['orders', '1204', 'orders-dlq'],
          ['a', '0', '-'],
        ],
      ),
    ).toBe('NAME     DEPTH   DLQ\norders   1204    orders-dlq\na        0       -\n');
  });

  it('prints only the header for no rows and fills missing cells', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A   B\n');
    expect(formatTable(['A', 'B', 'C'], [['x']])).toBe('A   B   C\nx\n');
  });
});
