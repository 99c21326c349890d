// Single publishes that arrive together become one command; each caller still gets its own outcome.
import { expect, it } from 'vitest';
import type { PublishItem, PublishOutcome } from '../engine/types.ts';
import { COALESCED_ITEMS_MAX, PublishCoalescer } from './publish-coalescer.ts';

const item = (n: number, bytes = 8): PublishItem =>
  ({ destination: 'default/q', payload: new Uint8Array(bytes), dedupId: `d${n}` }) as unknown as PublishItem;
const ok = (i: PublishItem): PublishOutcome =>
  ({ ok: true, messageId: `id-${i.dedupId}`, sequence: 1, partition: 0, duplicate: false }) as PublishOutcome;

it('proposes publishes of one turn as one command and answers each with its own outcome', async () => {
  const proposed: (readonly PublishItem[])[] = [];
  const coalescer = new PublishCoalescer(async (items) => {
    proposed.push(items);
    return items.map((i) =>
      i.dedupId === 'd2' ? { ok: false, kind: 'notFound', message: 'gone' } : ok(i),
    ) as PublishOutcome[];
  });
  const outcomes = await Promise.all([1, 2, 3].map((n) => coalescer.publish(item(n))));
  expect(proposed.map((items) => items.length)).toEqual([1 + 1 + 1]);
  expect(outcomes.map((o) => (o.ok ? o.messageId : o.message))).toEqual(['id-d1', 'gone', 'id-d3']);
  await coalescer.publish(item(4));
  expect(proposed).toHaveLength(2);
});

it('sends a full command at once and fails every caller of a failed command', async () => {
  const sizes: number[] = [];
  const coalescer = new PublishCoalescer(async (items) => {
    sizes.push(items.length);
    if (items.length < COALESCED_ITEMS_MAX) throw new Error('no leader');
    return items.map(ok);
  });
  const all = Array.from({ length: COALESCED_ITEMS_MAX + 2 }, (_, n) =>
    coalescer.publish(item(n)).catch((e: Error) => e.message),
  );
  const results = await Promise.all(all);
  expect(sizes).toEqual([COALESCED_ITEMS_MAX, 2]);
  expect(results.slice(-2)).toEqual(['no leader', 'no leader']);
  expect(results.filter((r) => typeof r !== 'string')).toHaveLength(COALESCED_ITEMS_MAX);
});

it('caps a command by payload bytes', async () => {
  const sizes: number[] = [];
  const coalescer = new PublishCoalescer(async (items) => {
    sizes.push(items.length);
    return items.map(ok);
  });
  await Promise.all([1, 2, 3].map((n) => coalescer.publish(item(n, 600 * 1024))));
  expect(sizes).toEqual([2, 1]);
});
