// What the commands print, from given protos (no broker needed).
import { describe, expect, it } from 'vitest';
import type { Queue__Output } from '../../proto/gen/wharf/v1/Queue.ts';
import type { Topic__Output } from '../../proto/gen/wharf/v1/Topic.ts';
import { deliveryJson, deliveryLine } from './consume.ts';
import { devBannerText } from './dev.ts';
import { queuesTable, topicsTable } from './list.ts';
import { describePublish, messageTemplate, parseHeaders } from './publish.ts';
import { statusText } from './status.ts';

const NOW_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const created = { seconds: NOW_MS / 1000 - 3 * 3600, nanos: 0 };

function queue(name: string, depth: number, dlq = '', deadLettered = 0): Queue__Output {
  return {
    name,
    spec: {
      replicas: 1,
      ackDeadline: null,
      maxDeliveries: 5,
      deadLetterQueue: dlq,
      retryBackoff: null,
      ordering: 'ORDERING_NONE',
      dedupWindow: null,
      retention: null,
      overflow: 'OVERFLOW_REJECT_PUBLISH',
      maxMessageBytes: 0,
      deletionPolicy: 'DELETION_POLICY_DELETE',
    },
    status: {
      ready: true,
      leader: 'wharf-0',
      depth,
      inFlight: 2,
      consumers: 1,
      oldestMessageAge: depth > 0 ? { seconds: 12, nanos: 0 } : null,
      deadLettered,
      bytes: 0,
      delayed: 0,
      draining: false,
    },
    createTime: created,
  };
}

describe('queuesTable', () => {
  it('lists every namespace with full names', () => {
    expect(
      queuesTable(
        [queue('default/orders', 1204, 'default/orders-dlq', 2), queue('default/orders-dlq', 0)],
        undefined,
        NOW_MS,
      ),
    ).toBe(
      [
        'NAME                 READY   DEPTH   IN-FLIGHT   CONSUMERS   OLDEST   DLQ              AGE',
        'default/orders       True    1204    2           1           12s      orders-dlq (2)   3h',
        'default/orders-dlq   True    0       2           1           -        -                3h',
        '',
      ].join('\n'),
    );
  });

  it('shows local names inside one namespace, and says when there is nothing', () => {
    expect(queuesTable([queue('shop/a', 0, 'ops/dead')], 'shop', NOW_MS).split('\n')[1]).toBe(
      'a      True    0       2           1           -        ops/dead   3h',
    );
    expect(queuesTable([], undefined, NOW_MS)).toBe('no queues\n');
    expect(queuesTable([], 'shop', NOW_MS)).toBe('no queues in namespace shop\n');
  });
});

describe('topicsTable', () => {
  it('prints one row per subscription, marking ephemeral ones', () => {
    const topic: Topic__Output = {
      name: 'default/payments',
      spec: {
        partitions: 1,
        replicas: 1,
        retention: null,
        dedupWindow: null,
        maxMessageBytes: 0,
        deletionPolicy: 'DELETION_POLICY_DELETE',
        subscriptions: [
          {
            name: 'ledger',
            ackDeadline: null,
            maxDeliveries: 10,
            deadLetterQueue: 'default/ledger-dlq',
            filter: '',
            startAt: 'Earliest',
            retryBackoff: null,
            ordering: 'ORDERING_NONE',
          },
        ],
      },
      status: {
        ready: true,
        leader: '',
        messages: 3,
        bytes: 30,
        subscriptions: [
          {
            name: 'ledger',
            depth: 3,
            inFlight: 0,
            consumers: 0,
            oldestMessageAge: null,
            deadLettered: 0,
            ephemeral: false,
          },
          {
            name: 'eph-1',
            depth: 0,
            inFlight: 0,
            consumers: 1,
            oldestMessageAge: null,
            deadLettered: 0,
            ephemeral: true,
          },
        ],
      },
      createTime: created,
    };
    expect(topicsTable([topic], undefined, NOW_MS)).toBe(
      [
        'NAME               READY   SUBSCRIPTION        DEPTH   IN-FLIGHT   CONSUMERS   OLDEST   DLQ          AGE',
        'default/payments   True    ledger              3       0           0           -        ledger-dlq   3h',
        'default/payments   True    eph-1 (ephemeral)   0       0           1           -        -            3h',
        '',
      ].join('\n'),
    );
  });
});

describe('statusText', () => {
  it('summarises the cluster and lists its members', () => {
    expect(
      statusText(
        {
          clusterId: 'c1',
          version: '0.1.0',
          queues: 3,
          topics: 1,
          commitIndex: 42,
          appliedIndex: 42,
          members: [{ id: 'wharf-0', address: '127.0.0.1:7070', voter: true, leader: true, healthy: true }],
        },
        '127.0.0.1:7070',
      ),
    ).toBe(
      [
        'cluster c1 at 127.0.0.1:7070 (wharf 0.1.0)',
        '3 queues, 1 topics; log committed 42, applied 42',
        '',
        'MEMBER    ADDRESS          VOTER   LEADER   HEALTHY',
        'wharf-0   127.0.0.1:7070   yes     yes      yes',
        '',
      ].join('\n'),
    );
  });
});

describe('publish flags', () => {
  it('parses headers and the shared message fields', () => {
    expect(parseHeaders(['type=invoice', 'empty=', 'eq=a=b'])).toEqual({ type: 'invoice', empty: '', eq: 'a=b' });
    expect(() => parseHeaders(['novalue'])).toThrow('--header: "novalue" is not key=value');
    expect(() => parseHeaders(['=x'])).toThrow('--header: "=x" is not key=value');
    expect(
      messageTemplate({
        addr: '',
        json: false,
        key: 'k',
        priority: '9',
        delay: '1m30s',
        ttl: '250ms',
        header: ['a=b'],
      }),
    ).toEqual({
      headers: { a: 'b' },
      key: 'k',
      priority: 9,
      delay: { seconds: 90, nanos: 0 },
      ttl: { seconds: 0, nanos: 250_000_000 },
    });
    expect(() => messageTemplate({ addr: '', json: false, priority: '10' })).toThrow(
      '--priority: "10" is not a whole number 0..9',
    );
    expect(() => messageTemplate({ addr: '', json: false, delay: '5 s' })).toThrow('--delay: "5 s" is not a duration');
  });

  it('describes a publish', () => {
    const response = { requestId: 'r', messageId: 'm1', sequence: 4, partition: 0, duplicate: true };
    expect(describePublish('default/orders', response)).toBe(
      'published to default/orders: id=m1 seq=4 (duplicate: stored once before)\n',
    );
  });
});

describe('deliveries', () => {
  const delivery = {
    message: {
      id: 'm1',
      payload: Buffer.from('hello'),
      headers: { type: 'invoice' },
      key: 'k1',
      dedupId: '',
      priority: 0,
      delay: null,
      ttl: null,
      replyTo: '',
      correlationId: '',
      publishTime: { seconds: NOW_MS / 1000, nanos: 0 },
      sequence: 12,
      partition: 0,
    },
    receipt: 'rc',
    attempt: 2,
    leaseExpires: null,
    destination: 'default/orders',
    subscription: '',
  };

  it('prints one line per delivery', () => {
    expect(deliveryLine(delivery)).toBe('#12 key=k1 attempt=2 type=invoice: hello\n');
  });

  it('writes JSON lines with the payload as text or base64', () => {
    expect(deliveryJson(delivery)).toEqual({
      destination: 'default/orders',
      id: 'm1',
      sequence: 12,
      partition: 0,
      attempt: 2,
      receipt: 'rc',
      key: 'k1',
      headers: { type: 'invoice' },
      publishTime: '2026-01-01T00:00:00.000Z',
      payload: 'hello',
      payloadEncoding: 'utf8',
    });
    const binary = { ...delivery, message: { ...delivery.message, payload: Buffer.from([0xff]) } };
    expect(deliveryJson(binary)).toMatchObject({ payload: '/w==', payloadEncoding: 'base64' });
  });
});

describe('devBannerText', () => {
  it('names the address, data directory, what was applied, and how to start', () => {
    const text = devBannerText({
      address: '127.0.0.1:17070',
      dataDir: '/tmp/w',
      files: ['examples/resources/orders.yaml'],
      applied: [
        {
          kind: 'Queue',
          name: 'default/orders-dlq',
          source: { file: 'examples/resources/orders.yaml', document: 2 },
          queue: { name: 'default/orders-dlq', spec: {} },
        },
        {
          kind: 'Queue',
          name: 'default/orders',
          source: { file: 'examples/resources/orders.yaml', document: 1 },
          queue: { name: 'default/orders', spec: { deadLetterQueue: 'default/orders-dlq' } },
        },
      ],
    });
    expect(text).toContain('on 127.0.0.1:17070\n');
    expect(text).toContain('  data:    /tmp/w (');
    expect(text).toContain('  applied: queue default/orders-dlq, queue default/orders\n');
    expect(text).toContain(
      "  npm run wharf -- publish orders --data 'hello' --key customer-1 --addr 127.0.0.1:17070\n",
    );
    expect(text).toContain('  npm run wharf -- consume orders --addr 127.0.0.1:17070\n');
  });
});
