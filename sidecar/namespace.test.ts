import { describe, expect, it } from 'vitest';
import type { PublishRequest__Output } from '../proto/gen/wharf/v1/PublishRequest.ts';
import { qualify, qualifyPublish, qualifyReplyTo } from './namespace.ts';

const message = (replyTo: string) => ({
  id: '',
  payload: Buffer.from('x'),
  headers: {},
  key: '',
  dedupId: '',
  priority: 0,
  delay: null,
  ttl: null,
  replyTo,
  correlationId: '',
  publishTime: null,
  sequence: 0,
  partition: 0,
});

describe('namespace filling', () => {
  it('adds the pod namespace only where none is written', () => {
    expect(qualify('orders', 'shop')).toBe('shop/orders');
    expect(qualify('ops/orders', 'shop')).toBe('ops/orders');
    expect(qualify('_inbox-abc', 'shop')).toBe('shop/_inbox-abc');
    expect(() => qualify('Orders', 'shop')).toThrow(/lowercase/);
    expect(qualifyReplyTo('', 'shop')).toBe('');
    expect(qualifyReplyTo('replies', 'shop')).toBe('shop/replies');
  });

  it('fills destination and reply_to of a publish without touching the input', () => {
    const request: PublishRequest__Output = { destination: 'orders', message: message('replies'), requestId: 'r1' };
    const out = qualifyPublish(request, 'shop');
    expect(out.destination).toBe('shop/orders');
    expect(out.message?.replyTo).toBe('shop/replies');
    expect(out.requestId).toBe('r1');
    expect(request.destination).toBe('orders');
    expect(request.message?.replyTo).toBe('replies');
  });
});
