import { describe, expect, it } from 'vitest';
import { DeliveryLedger, type HeldDelivery } from './delivery-ledger.ts';

const entry = (receipt: string, streamId: number | undefined, leaseExpiresMs: number): HeldDelivery => ({
  receipt,
  destination: 'shop/orders',
  subscription: '',
  messageId: `m-${receipt}`,
  address: 'a:1',
  streamId,
  span: undefined,
  leaseExpiresMs,
});

describe('DeliveryLedger', () => {
  it('tracks held deliveries by receipt and by stream', () => {
    const ledger = new DeliveryLedger();
    ledger.add(entry('r1', 1, 1_000));
    ledger.add(entry('r2', undefined, 1_000));
    ledger.add(entry('', 1, 1_000));
    expect(ledger.size).toBe(2);
    expect(ledger.heldBy(1).map((e) => e.receipt)).toEqual(['r1']);
    expect(ledger.heldBy(undefined).map((e) => e.receipt)).toEqual(['r2']);
    expect(ledger.take('r1')?.messageId).toBe('m-r1');
    expect(ledger.take('r1')).toBeUndefined();
  });

  it('sweeps deliveries whose lease ran out, honouring extensions', () => {
    const ledger = new DeliveryLedger();
    ledger.add(entry('old', 1, 1_000));
    ledger.add(entry('extended', 1, 1_000));
    ledger.add(entry('fresh', 1, 9_000));
    ledger.extended('extended', 20_000);
    expect(ledger.expire(5_000, 2_000).map((e) => e.receipt)).toEqual(['old']);
    expect(ledger.heldBy(1).map((e) => e.receipt)).toEqual(['extended', 'fresh']);
  });

  it('stays bounded, forgetting the oldest', () => {
    const ledger = new DeliveryLedger(3);
    for (const r of ['a', 'b', 'c', 'd']) ledger.add(entry(r, undefined, 0));
    expect(ledger.size).toBe(3);
    expect(ledger.get('a')).toBeUndefined();
    expect(ledger.get('d')).toBeDefined();
  });
});
