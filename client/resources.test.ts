import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Queue__Output } from '../proto/gen/wharf/v1/Queue.ts';
import type { Topic__Output } from '../proto/gen/wharf/v1/Topic.ts';
import {
  applyOrder,
  combineResources,
  parseResources,
  queueToResource,
  ResourceError,
  topicToResource,
  WHARF_CLUSTER_NOTE,
} from './resources.ts';

const HEAD = 'apiVersion: wharf.dev/v1alpha1\n';
const queueDoc = (spec: string, name = 'orders') => `${HEAD}kind: Queue\nmetadata: { name: ${name} }\nspec:\n${spec}`;
const topicDoc = (spec: string) => `${HEAD}kind: Topic\nmetadata: { name: payments }\nspec:\n${spec}`;

function errorOf(text: string, file = 'q.yaml'): string {
  try {
    parseResources(text, file);
  } catch (error) {
    if (error instanceof ResourceError) return error.message;
    throw error;
  }
  throw new Error('expected a ResourceError');
}

describe('parseResources: valid documents', () => {
  const cases: Array<{ name: string; yaml: string; expected: unknown }> = [
    {
      name: 'a queue with every field',
      yaml: `${HEAD}kind: Queue
metadata: { name: orders, namespace: shop }
spec:
  clusterRef: { name: wharf, namespace: messaging }
  replicas: 3
  ackDeadline: 30s
  maxDeliveries: 5
  deadLetterQueue: orders-dlq
  retryBackoff: { min: 1s, max: 5m }
  ordering: PerKey
  dedupWindow: 2m
  retention: { maxAge: 168h, maxMessages: 10000000, maxBytes: 10Gi }
  overflow: RejectPublish
  maxMessageBytes: 1Mi
  deletionPolicy: Drain
`,
      expected: {
        kind: 'Queue',
        name: 'shop/orders',
        source: { file: 'q.yaml', document: 1 },
        queue: {
          name: 'shop/orders',
          spec: {
            replicas: 3,
            ackDeadline: { seconds: 30, nanos: 0 },
            maxDeliveries: 5,
            deadLetterQueue: 'shop/orders-dlq',
            retryBackoff: { min: { seconds: 1, nanos: 0 }, max: { seconds: 300, nanos: 0 } },
            ordering: 'ORDERING_PER_KEY',
            dedupWindow: { seconds: 120, nanos: 0 },
            retention: { maxAge: { seconds: 604800, nanos: 0 }, maxMessages: 10_000_000, maxBytes: 10 * 1024 ** 3 },
            overflow: 'OVERFLOW_REJECT_PUBLISH',
            maxMessageBytes: 1024 ** 2,
            deletionPolicy: 'DELETION_POLICY_DRAIN',
          },
        },
      },
    },
    {
      name: 'a queue without spec, in the default namespace',
      yaml: `${HEAD}kind: Queue\nmetadata: { name: jobs }\n`,
      expected: {
        kind: 'Queue',
        name: 'default/jobs',
        source: { file: 'q.yaml', document: 1 },
        queue: { name: 'default/jobs', spec: {} },
      },
    },
    {
      name: 'null values count as unset; sub-second durations; plain byte counts; DLQ in another namespace',
      yaml: queueDoc(
        '  ackDeadline: 1500ms\n  deadLetterQueue: ops/dead\n  maxMessageBytes: 4096\n  overflow:\n  retention:\n',
      ),
      expected: {
        kind: 'Queue',
        name: 'default/orders',
        source: { file: 'q.yaml', document: 1 },
        queue: {
          name: 'default/orders',
          spec: { ackDeadline: { seconds: 1, nanos: 500_000_000 }, deadLetterQueue: 'ops/dead', maxMessageBytes: 4096 },
        },
      },
    },
    {
      name: 'a topic with subscriptions',
      yaml: `${HEAD}kind: Topic
metadata: { name: payments, namespace: shop }
spec:
  partitions: 3
  replicas: 3
  retention: { maxAge: 72h, maxBytes: 50Gi }
  dedupWindow: 1m
  deletionPolicy: Retain
  subscriptions:
    - name: ledger
      ackDeadline: 30s
      maxDeliveries: 10
      deadLetterQueue: ledger-dlq
      filter: "headers.type == 'invoice'"
      startAt: Earliest
      ordering: None
      retryBackoff: { min: 2s }
    - name: audit
      startAt: "2026-01-02T15:04:05Z"
`,
      expected: {
        kind: 'Topic',
        name: 'shop/payments',
        source: { file: 'q.yaml', document: 1 },
        topic: {
          name: 'shop/payments',
          spec: {
            partitions: 3,
            replicas: 3,
            retention: { maxAge: { seconds: 259200, nanos: 0 }, maxBytes: 50 * 1024 ** 3 },
            dedupWindow: { seconds: 60, nanos: 0 },
            deletionPolicy: 'DELETION_POLICY_RETAIN',
            subscriptions: [
              {
                name: 'ledger',
                ackDeadline: { seconds: 30, nanos: 0 },
                maxDeliveries: 10,
                deadLetterQueue: 'shop/ledger-dlq',
                filter: "headers.type == 'invoice'",
                startAt: 'Earliest',
                ordering: 'ORDERING_NONE',
                retryBackoff: { min: { seconds: 2, nanos: 0 } },
              },
              { name: 'audit', startAt: '2026-01-02T15:04:05Z' },
            ],
          },
        },
      },
    },
    {
      name: 'kubectl output: status and Kubernetes metadata are accepted and ignored',
      yaml: `${HEAD}kind: Queue
metadata:
  name: jobs
  namespace: ci
  uid: 1234
  resourceVersion: "7"
  labels: { team: a }
status: { depth: 3 }
spec: { maxDeliveries: 0 }
`,
      expected: {
        kind: 'Queue',
        name: 'ci/jobs',
        source: { file: 'q.yaml', document: 1 },
        queue: { name: 'ci/jobs', spec: { maxDeliveries: 0 } },
      },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const parsed = parseResources(testCase.yaml, 'q.yaml');
      expect(parsed.skipped).toEqual([]);
      expect(parsed.resources).toEqual([testCase.expected]);
    });
  }

  it('skips WharfCluster documents with a note, and empty documents, numbering documents by position', () => {
    const text = `---
${HEAD}kind: WharfCluster
metadata: { name: wharf, namespace: messaging }
spec: { replicas: 3 }
---
# only a comment
---
${HEAD}kind: Queue
metadata: { name: jobs }
---
`;
    const parsed = parseResources(text, 'all.yaml');
    expect(parsed.skipped).toEqual([
      { source: { file: 'all.yaml', document: 1 }, kind: 'WharfCluster', name: 'wharf', note: WHARF_CLUSTER_NOTE },
    ]);
    expect(parsed.resources.map((r) => [r.name, r.source.document])).toEqual([['default/jobs', 3]]);
  });

  it('parses an empty file to nothing', () => {
    expect(parseResources('', 'e.yaml')).toEqual({ resources: [], skipped: [] });
    expect(parseResources('# nothing\n', 'e.yaml')).toEqual({ resources: [], skipped: [] });
  });
});

describe('parseResources: invalid documents', () => {
  const cases: Array<{ name: string; yaml: string; message: string }> = [
    {
      name: 'a malformed duration',
      yaml: `${queueDoc('  ackDeadline: 30s')}\n---\n${queueDoc('  ackDeadline: 30 s', 'other')}`,
      message: 'q.yaml doc 2: spec.ackDeadline: "30 s" is not a duration (write e.g. "30s")',
    },
    {
      name: 'a duration without unit',
      yaml: queueDoc('  dedupWindow: 30'),
      message: 'q.yaml doc 1: spec.dedupWindow: 30 is not a duration (write e.g. "30s")',
    },
    {
      name: 'a nested duration in a subscription',
      yaml: topicDoc('  subscriptions:\n    - name: a\n      retryBackoff: { max: soon }'),
      message: 'q.yaml doc 1: spec.subscriptions[0].retryBackoff.max: "soon" is not a duration (write e.g. "30s")',
    },
    {
      name: 'a malformed size',
      yaml: queueDoc('  maxMessageBytes: 1MB'),
      message: 'q.yaml doc 1: spec.maxMessageBytes: "1MB" is not a size (write e.g. "1Mi", "10Gi" or 4096)',
    },
    {
      name: 'a misspelt field',
      yaml: queueDoc('  ackDeadlin: 30s'),
      message: 'q.yaml doc 1: spec.ackDeadlin: unknown field (did you mean "ackDeadline"?)',
    },
    {
      name: 'an unknown field far from any known one',
      yaml: queueDoc('  retention: { color: blue }'),
      message: 'q.yaml doc 1: spec.retention.color: unknown field (expected one of maxAge, maxMessages, maxBytes)',
    },
    {
      name: 'a topic-only field on a queue',
      yaml: queueDoc('  partitions: 3'),
      message:
        'q.yaml doc 1: spec.partitions: unknown field (expected one of clusterRef, replicas, ackDeadline, maxDeliveries, deadLetterQueue, retryBackoff, ordering, dedupWindow, retention, overflow, maxMessageBytes, deletionPolicy)',
    },
    {
      name: 'an unknown top-level field',
      yaml: `${queueDoc('  replicas: 1')}\nspecs: {}`,
      message: 'q.yaml doc 1: specs: unknown field (did you mean "spec"?)',
    },
    {
      name: 'a bad enum value',
      yaml: queueDoc('  ordering: perKey'),
      message: 'q.yaml doc 1: spec.ordering: "perKey" is not one of None, PerKey',
    },
    {
      name: 'a bad overflow',
      yaml: queueDoc('  overflow: Block'),
      message: 'q.yaml doc 1: spec.overflow: "Block" is not one of RejectPublish, DropOldest',
    },
    {
      name: 'a bad deletion policy',
      yaml: queueDoc('  deletionPolicy: Keep'),
      message: 'q.yaml doc 1: spec.deletionPolicy: "Keep" is not one of Delete, Retain, Drain',
    },
    {
      name: 'a count that is not a number',
      yaml: queueDoc('  maxDeliveries: five'),
      message: 'q.yaml doc 1: spec.maxDeliveries: "five" is not a whole number',
    },
    {
      name: 'a fractional count',
      yaml: queueDoc('  maxDeliveries: 2.5'),
      message: 'q.yaml doc 1: spec.maxDeliveries: 2.5 is not a whole number',
    },
    {
      name: 'zero replicas',
      yaml: queueDoc('  replicas: 0'),
      message: 'q.yaml doc 1: spec.replicas: 0 is out of range (expected at least 1)',
    },
    {
      name: 'a negative count',
      yaml: queueDoc('  retention: { maxMessages: -1 }'),
      message: 'q.yaml doc 1: spec.retention.maxMessages: -1 is out of range (expected at least 0)',
    },
    {
      name: 'a missing name',
      yaml: `${HEAD}kind: Queue\nmetadata: { namespace: shop }\n`,
      message: 'q.yaml doc 1: metadata.name: required',
    },
    {
      name: 'missing metadata',
      yaml: `${HEAD}kind: Queue\n`,
      message: 'q.yaml doc 1: metadata: required (a mapping)',
    },
    {
      name: 'an invalid name',
      yaml: `${HEAD}kind: Queue\nmetadata: { name: Orders }\n`,
      message:
        'q.yaml doc 1: metadata.name: "Orders" is not a valid name (1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit)',
    },
    {
      name: 'an invalid namespace',
      yaml: `${HEAD}kind: Queue\nmetadata: { name: a, namespace: my_ns }\n`,
      message:
        'q.yaml doc 1: metadata.namespace: "my_ns" is not a valid name (1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit)',
    },
    {
      name: 'an invalid dead-letter queue',
      yaml: queueDoc('  deadLetterQueue: a/b/c'),
      message:
        'q.yaml doc 1: spec.deadLetterQueue: "a/b/c" is not a queue name (write "<name>" or "<namespace>/<name>", each 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit)',
    },
    {
      name: 'a queue that is its own dead-letter queue',
      yaml: queueDoc('  deadLetterQueue: default/orders'),
      message: 'q.yaml doc 1: spec.deadLetterQueue: default/orders cannot be its own dead-letter queue',
    },
    {
      name: 'retry backoff min above max',
      yaml: queueDoc('  retryBackoff: { min: 1m, max: 1s }'),
      message: 'q.yaml doc 1: spec.retryBackoff: min is above max',
    },
    {
      name: 'a spec that is not a mapping',
      yaml: queueDoc('  - 1'),
      message: 'q.yaml doc 1: spec: expected a mapping, got a list',
    },
    {
      name: 'subscriptions that are not a list',
      yaml: topicDoc('  subscriptions: { name: a }'),
      message: 'q.yaml doc 1: spec.subscriptions: expected a list, got a mapping',
    },
    {
      name: 'a subscription without a name',
      yaml: topicDoc('  subscriptions:\n    - ackDeadline: 5s'),
      message: 'q.yaml doc 1: spec.subscriptions[0].name: required',
    },
    {
      name: 'two subscriptions with one name',
      yaml: topicDoc('  subscriptions:\n    - name: a\n    - name: a'),
      message: 'q.yaml doc 1: spec.subscriptions[1].name: "a" is used twice',
    },
    {
      name: 'a bad startAt',
      yaml: topicDoc('  subscriptions:\n    - name: a\n      startAt: yesterday'),
      message:
        'q.yaml doc 1: spec.subscriptions[0].startAt: "yesterday" is not Earliest, Latest or an RFC 3339 time (write e.g. "2026-01-02T15:04:05Z")',
    },
    {
      name: 'a filter that is not a string',
      yaml: topicDoc('  subscriptions:\n    - name: a\n      filter: 3'),
      message: 'q.yaml doc 1: spec.subscriptions[0].filter: expected a string, got 3',
    },
    {
      name: 'an unknown kind',
      yaml: `${HEAD}kind: Stream\nmetadata: { name: s }\n`,
      message: 'q.yaml doc 1: kind: "Stream" is not a Wharf resource (expected Queue, Topic or WharfCluster)',
    },
    {
      name: 'a missing kind',
      yaml: `${HEAD}metadata: { name: s }\n`,
      message: 'q.yaml doc 1: kind: required (Queue or Topic)',
    },
    {
      name: 'a wrong apiVersion',
      yaml: 'apiVersion: wharf.dev/v1\nkind: Queue\nmetadata: { name: s }\n',
      message: 'q.yaml doc 1: apiVersion: "wharf.dev/v1" is not supported (expected wharf.dev/v1alpha1)',
    },
    {
      name: 'a document that is not a mapping',
      yaml: '- a\n- b\n',
      message: 'q.yaml doc 1: expected a mapping with apiVersion, kind, metadata and spec, got a list',
    },
    {
      name: 'broken YAML',
      yaml: `${HEAD}kind: Queue\nmetadata: { name: a\n`,
      message:
        'q.yaml doc 1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a } (line 4, column 1)',
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(errorOf(testCase.yaml)).toBe(testCase.message);
    });
  }

  it('reports every problem of every document, one per line', () => {
    const text = `${queueDoc('  ackDeadline: x\n  ordering: fifo')}\n---\n${topicDoc('  partitions: 0')}`;
    expect(errorOf(text, 'f.yaml').split('\n')).toEqual([
      'f.yaml doc 1: spec.ackDeadline: "x" is not a duration (write e.g. "30s")',
      'f.yaml doc 1: spec.ordering: "fifo" is not one of None, PerKey',
      'f.yaml doc 2: spec.partitions: 0 is out of range (expected at least 1)',
    ]);
  });
});

describe('combineResources and applyOrder', () => {
  it('rejects the same resource in two files', () => {
    const a = parseResources(queueDoc('  replicas: 1'), 'a.yaml');
    const b = parseResources(`${queueDoc('  replicas: 1', 'x')}\n---\n${queueDoc('  replicas: 3')}`, 'b.yaml');
    expect(() => combineResources([a, b])).toThrow(
      'b.yaml doc 2: Queue default/orders is also defined in a.yaml doc 1',
    );
  });

  it('applies dead-letter queues first, then queues, then topics', () => {
    const text = [
      topicDoc('  subscriptions:\n    - name: s\n      deadLetterQueue: t-dlq'),
      queueDoc('  deadLetterQueue: orders-dlq'),
      queueDoc('', 'orders-dlq'),
      queueDoc('', 't-dlq'),
    ].join('\n---\n');
    const order = applyOrder(parseResources(text, 'x.yaml').resources).map((r) => r.name);
    expect(order).toEqual(['default/orders-dlq', 'default/t-dlq', 'default/orders', 'default/payments']);
  });
});

describe('queueToResource and topicToResource', () => {
  const stored: Queue__Output = {
    name: 'shop/orders',
    spec: {
      replicas: 3,
      ackDeadline: { seconds: 30, nanos: 0 },
      maxDeliveries: 5,
      deadLetterQueue: 'shop/orders-dlq',
      retryBackoff: { min: { seconds: 1, nanos: 0 }, max: { seconds: 300, nanos: 0 } },
      ordering: 'ORDERING_PER_KEY',
      dedupWindow: { seconds: 120, nanos: 0 },
      retention: { maxAge: { seconds: 604800, nanos: 0 }, maxMessages: 0, maxBytes: 10 * 1024 ** 3 },
      overflow: 'OVERFLOW_REJECT_PUBLISH',
      maxMessageBytes: 1024 ** 2,
      deletionPolicy: 'DELETION_POLICY_DELETE',
    },
    status: {
      ready: true,
      leader: 'node-1',
      depth: 12,
      inFlight: 2,
      consumers: 1,
      oldestMessageAge: { seconds: 12, nanos: 0 },
      deadLettered: 0,
      bytes: 300,
      delayed: 0,
      draining: false,
    },
    createTime: { seconds: 1_767_225_600, nanos: 0 },
  };

  it('writes a queue the way a person would', () => {
    expect(queueToResource(stored)).toEqual({
      apiVersion: 'wharf.dev/v1alpha1',
      kind: 'Queue',
      metadata: { name: 'orders', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00.000Z' },
      spec: {
        replicas: 3,
        ackDeadline: '30s',
        maxDeliveries: 5,
        deadLetterQueue: 'orders-dlq',
        retryBackoff: { min: '1s', max: '5m' },
        ordering: 'PerKey',
        dedupWindow: '2m',
        retention: { maxAge: '168h', maxBytes: '10Gi' },
        overflow: 'RejectPublish',
        maxMessageBytes: '1Mi',
        deletionPolicy: 'Delete',
      },
      status: {
        ready: true,
        leader: 'node-1',
        depth: 12,
        inFlight: 2,
        consumers: 1,
        oldestMessageAge: '12s',
        bytes: 300,
      },
    });
  });

  it('round-trips: the written spec parses back to the same proto spec', () => {
    const written = queueToResource(stored);
    const parsed = parseResources(stringify(written), 'rt.yaml').resources[0];
    expect(parsed?.kind === 'Queue' ? parsed.queue.spec : undefined).toEqual({
      ...stored.spec,
      retention: { maxAge: { seconds: 604800, nanos: 0 }, maxBytes: 10 * 1024 ** 3 },
    });
  });

  it('writes a topic with its subscriptions and their status', () => {
    const topic: Topic__Output = {
      name: 'default/payments',
      spec: {
        partitions: 3,
        replicas: 1,
        retention: null,
        subscriptions: [
          {
            name: 'ledger',
            ackDeadline: { seconds: 30, nanos: 0 },
            maxDeliveries: 10,
            deadLetterQueue: 'default/ledger-dlq',
            filter: "headers.type == 'invoice'",
            startAt: 'Earliest',
            retryBackoff: null,
            ordering: 'ORDERING_UNSPECIFIED',
          },
        ],
        dedupWindow: null,
        maxMessageBytes: 0,
        deletionPolicy: 'DELETION_POLICY_UNSPECIFIED',
      },
      status: {
        ready: true,
        leader: '',
        messages: 4,
        bytes: 40,
        subscriptions: [
          {
            name: 'ledger',
            depth: 1,
            inFlight: 0,
            consumers: 0,
            oldestMessageAge: null,
            deadLettered: 0,
            ephemeral: false,
          },
        ],
      },
      createTime: null,
    };
    expect(topicToResource(topic)).toEqual({
      apiVersion: 'wharf.dev/v1alpha1',
      kind: 'Topic',
      metadata: { name: 'payments', namespace: 'default' },
      spec: {
        partitions: 3,
        replicas: 1,
        subscriptions: [
          {
            name: 'ledger',
            ackDeadline: '30s',
            maxDeliveries: 10,
            deadLetterQueue: 'ledger-dlq',
            filter: "headers.type == 'invoice'",
            startAt: 'Earliest',
          },
        ],
      },
      status: {
        ready: true,
        messages: 4,
        bytes: 40,
        subscriptions: [{ name: 'ledger', depth: 1, inFlight: 0, consumers: 0 }],
      },
    });
  });
});
