// The wharf.dev CRDs against a real kube-apiserver and etcd (test/k8s/control-plane.ts): they
// install with server-side apply and become Established; the example resources are accepted and
// defaulted; invalid ones are rejected with the CEL rule's message; printer columns show through
// the real kubectl and the Table API; the status and scale subresources work.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { wharf } from '../../cli/testing.ts';
import { DURATION_MESSAGE } from '../../crds/definitions.ts';
import {
  GROUP,
  QUEUE,
  type Queue,
  TOPIC,
  type Topic,
  VERSION,
  WHARF_CLUSTER,
  type WharfCluster,
} from '../../crds/types.ts';
import { type ControlPlane, installCrds, K8S_SETUP_TIMEOUT_MS, ROOT, startControlPlane } from './control-plane.ts';

// Unique, so a rerun against a reused control plane (WHARF_K8S_KUBECONFIG) starts clean.
const NS = `crds-test-${process.pid}`;
let cp: ControlPlane;
let api: CustomObjectsApi;

type Body = Record<string, unknown>;

const pathOf = (plural: string, name?: string, sub?: string): string =>
  `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${plural}${name === undefined ? '' : `/${name}`}${sub === undefined ? '' : `/${sub}`}`;

/** Creates an object through @kubernetes/client-node (the operator's path); returns what the server stored. */
async function create<T>(plural: string, body: Body): Promise<T> {
  return (await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, body })) as T;
}

/** The API server's answer to a create that should fail: status code and message. */
async function createError(plural: string, body: Body): Promise<{ code: number; message: string }> {
  try {
    await create(plural, body);
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const parsed = JSON.parse(String(error.body)) as { message?: string };
    return { code: error.code, message: parsed.message ?? '' };
  }
  throw new Error(`${plural}: the invalid object was accepted`);
}

/** A JSON merge patch of the main resource; returns status code and message or object. */
async function mergePatch(plural: string, name: string, patch: Body, sub?: string) {
  const response = await cp.request('PATCH', pathOf(plural, name, sub), {
    body: patch,
    contentType: 'application/merge-patch+json',
  });
  return { status: response.status, json: response.json as Body & { message?: string } };
}

/** kubectl's table output as rows of {COLUMN: cell}, cut at the header's column starts (cells may be empty). */
function parseTable(stdout: string): Record<string, string>[] {
  const [header = '', ...rows] = stdout.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((row) =>
    Object.fromEntries(
      starts.map((column, i) => [column.name, row.slice(column.at, starts[i + 1]?.at ?? row.length).trim()]),
    ),
  );
}

const queue = (name: string, spec: Body = {}): Body => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: QUEUE.kind,
  metadata: { name },
  spec,
});
const topic = (name: string, spec: Body = {}): Body => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: TOPIC.kind,
  metadata: { name },
  spec,
});

beforeAll(async () => {
  cp = await startControlPlane();
  await installCrds(cp);
  api = cp.kubeConfig().makeApiClient(CustomObjectsApi);
  const ns = await cp.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  });
  expect(ns.status).toBe(201);
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await cp?.stop();
});

describe('wharf.dev CRDs on a real kube-apiserver', () => {
  it('are Established and discoverable with short names and the wharf category', async () => {
    const result = await cp.kubectl(['api-resources', '--api-group', GROUP, '-o', 'wide']);
    expect(result.code, result.stderr).toBe(0);
    for (const kind of [WHARF_CLUSTER, QUEUE, TOPIC]) {
      const line = result.stdout.split('\n').find((l) => l.startsWith(`${kind.plural} `));
      expect(line, result.stdout).toBeDefined();
      expect(line).toContain(kind.shortNames.join(','));
      expect(line).toContain(kind.kind);
      expect(line).toContain('wharf');
    }
  });

  it('`wharf crds | kubectl apply --server-side -f -` applies (no change: installCrds applied the same)', async () => {
    const printed = await wharf(['crds']);
    const applied = await cp.kubectl(['apply', '--server-side', '--field-manager', 'wharf-test', '-f', '-'], {
      stdin: printed.stdout,
    });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim().split('\n')).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/wharfclusters.wharf.dev serverside-applied',
      'customresourcedefinition.apiextensions.k8s.io/queues.wharf.dev serverside-applied',
      'customresourcedefinition.apiextensions.k8s.io/topics.wharf.dev serverside-applied',
    ]);
    const diff = await cp.kubectl(['diff', '--server-side', '--field-manager', 'wharf-test', '-f', 'crds/']);
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);
  });

  it('accepts the example resources (examples/resources) and applies the defaults', async () => {
    const dir = join(ROOT, 'examples/resources');
    const created: (Queue | Topic)[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const body = document.toJS() as Body & { kind: string };
        const plural = body.kind === 'Queue' ? QUEUE.plural : TOPIC.plural;
        created.push(await create<Queue | Topic>(plural, body));
      }
    }
    expect(created.map((o) => o.metadata.name).sort()).toEqual(['ledger-dlq', 'orders', 'orders-dlq', 'payments']);

    // A queue written with no spec at all gets every default from the broker's table.
    const dlq = created.find((o): o is Queue => o.kind === 'Queue' && o.metadata.name === 'ledger-dlq');
    expect(dlq?.spec).toEqual({
      replicas: 3,
      ackDeadline: '30s',
      retryBackoff: { min: '1s', max: '5m' },
      ordering: 'None',
      dedupWindow: '2m',
      retention: { maxAge: '0s', maxMessages: 10_000_000, maxBytes: '10Gi' },
      overflow: 'RejectPublish',
      maxMessageBytes: '1Mi',
      deletionPolicy: 'Delete',
    });
    // Written values are kept; nested defaults fill the rest.
    const orders = created.find((o): o is Queue => o.kind === 'Queue' && o.metadata.name === 'orders');
    expect(orders?.spec?.ordering).toBe('PerKey');
    expect(orders?.spec?.retention).toEqual({ maxAge: '168h', maxMessages: 1_000_000, maxBytes: '1Gi' });
    const payments = created.find((o): o is Topic => o.kind === 'Topic');
    expect(payments?.spec?.replicas).toBe(3);
    const audit = payments?.spec?.subscriptions?.find((s) => s.name === 'audit');
    expect(audit).toEqual({
      name: 'audit',
      startAt: 'Earliest',
      ackDeadline: '30s',
      retryBackoff: { min: '1s', max: '5m' },
      ordering: 'None',
    });
  });

  it('rejects malformed values with the CEL rule’s message', async () => {
    const cases: [string, Body, string][] = [
      [QUEUE.plural, queue('bad-duration', { ackDeadline: '30 seconds' }), DURATION_MESSAGE],
      [QUEUE.plural, queue('days', { dedupWindow: '7d' }), DURATION_MESSAGE],
      [QUEUE.plural, queue('short-lease', { ackDeadline: '100ms' }), 'must be at least 1s'],
      [QUEUE.plural, queue('long-lease', { ackDeadline: '13h' }), 'must be at most 12h'],
      [QUEUE.plural, queue('self-dlq', { deadLetterQueue: 'self-dlq' }), 'a queue cannot be its own dead-letter queue'],
      [QUEUE.plural, queue('bad-dlq', { deadLetterQueue: 'a/b/c' }), 'must be "<name>" or "<namespace>/<name>"'],
      [QUEUE.plural, queue('backoff', { retryBackoff: { min: '10m', max: '1m' } }), 'min must not be longer than max'],
      [QUEUE.plural, queue('size', { maxMessageBytes: 'lots' }), 'must be a byte count or a size'],
      [QUEUE.plural, queue('dotted.name'), 'metadata.name names a broker destination'],
      [QUEUE.plural, queue('ordering', { ordering: 'Sometimes' }), 'supported values: "None", "PerKey"'],
      [
        TOPIC.plural,
        topic('loop', { subscriptions: [{ name: 'a', deadLetterQueue: 'loop' }] }),
        'a subscription’s dead-letter queue cannot be the topic itself',
      ],
      [
        TOPIC.plural,
        topic('start', { subscriptions: [{ name: 'a', startAt: 'yesterday' }] }),
        'must be Earliest, Latest or an RFC 3339 time',
      ],
      [TOPIC.plural, topic('dup', { subscriptions: [{ name: 'a' }, { name: 'a' }] }), 'Duplicate value'],
    ];
    for (const [plural, body, message] of cases) {
      const error = await createError(plural, body);
      expect(error.code, JSON.stringify(body)).toBe(422);
      expect(error.message, JSON.stringify(body)).toContain(message);
    }
  });

  it('accepts what the rules allow at their edges', async () => {
    await create(QUEUE.plural, queue('edges', { ackDeadline: '1s', dedupWindow: '1h30m', maxMessageBytes: 4096 }));
    await create(TOPIC.plural, topic('edges', { subscriptions: [{ name: 'a', startAt: '2026-01-02T15:04:05Z' }] }));
  });

  it('topic partitions may only grow', async () => {
    await create(TOPIC.plural, topic('grow', { partitions: 3 }));
    const grown = await mergePatch(TOPIC.plural, 'grow', { spec: { partitions: 4 } });
    expect(grown.status).toBe(200);
    const shrunk = await mergePatch(TOPIC.plural, 'grow', { spec: { partitions: 2 } });
    expect(shrunk.status).toBe(422);
    expect(shrunk.json.message).toContain('partitions may only grow');
  });

  it('immutable fields: clusterRef, a subscription’s startAt, a cluster’s storage', async () => {
    await create(QUEUE.plural, queue('pinned', { clusterRef: { name: 'wharf' } }));
    const moved = await mergePatch(QUEUE.plural, 'pinned', { spec: { clusterRef: { name: 'other' } } });
    expect(moved.status).toBe(422);
    expect(moved.json.message).toContain('clusterRef is immutable');
    // Other fields of the same object still change.
    expect((await mergePatch(QUEUE.plural, 'pinned', { spec: { maxDeliveries: 7 } })).status).toBe(200);

    await create(TOPIC.plural, topic('started', { subscriptions: [{ name: 'a', startAt: 'Latest' }] }));
    const restarted = await mergePatch(TOPIC.plural, 'started', {
      spec: { subscriptions: [{ name: 'a', startAt: 'Earliest' }] },
    });
    expect(restarted.status).toBe(422);
    expect(restarted.json.message).toContain('startAt is immutable');

    await create(WHARF_CLUSTER.plural, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'WharfCluster',
      metadata: { name: 'small' },
    });
    const resized = await mergePatch(WHARF_CLUSTER.plural, 'small', { spec: { storage: { size: '20Gi' } } });
    expect(resized.status).toBe(422);
    expect(resized.json.message).toContain('storage is immutable');
  });

  it('status is a subresource: kubectl get queues shows its live fields in the printer columns', async () => {
    await create(QUEUE.plural, queue('live'));
    // A status in a main-resource write is ignored; the status subresource takes it.
    const ignored = await mergePatch(QUEUE.plural, 'live', { status: { depth: 99 } });
    expect(ignored.status).toBe(200);
    expect((ignored.json as unknown as Queue).status).toBeUndefined();
    const status: Queue['status'] = {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Replicated',
          message: 'queue is replicated on 3 brokers',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      leader: 'wharf-1',
      depth: 1204,
      inFlight: 17,
      consumers: 4,
      oldestMessageAge: '12s',
      deadLettered: 2,
    };
    const written = await mergePatch(QUEUE.plural, 'live', { status }, 'status');
    expect(written.status).toBe(200);
    expect((written.json as unknown as Queue).metadata.generation).toBe(1);

    const table = await cp.kubectl(['get', 'queues', 'live', '-n', NS]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'NAME',
      'READY',
      'DEPTH',
      'IN-FLIGHT',
      'CONSUMERS',
      'OLDEST',
      'DLQ',
      'AGE',
    ]);
    expect(parseTable(table.stdout)[0]).toMatchObject({
      NAME: 'live',
      READY: 'True',
      DEPTH: '1204',
      'IN-FLIGHT': '17',
      CONSUMERS: '4',
      OLDEST: '12s',
      DLQ: '2',
    });
    const wide = await cp.kubectl(['get', 'wq', 'live', '-n', NS, '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toContain('LEADER');
    expect(wide.stdout.split('\n')[1]).toContain('wharf-1');

    // The same through the Table API (what kubectl asks for).
    const response = await cp.request('GET', pathOf(QUEUE.plural, 'live'), {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    const apiTable = response.json as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(apiTable.columnDefinitions.map((c) => c.name)).toContain('In-Flight');
    expect(apiTable.rows[0]?.cells.slice(0, 7)).toEqual(['live', 'True', 1204, 17, 4, '12s', 2]);
  });

  it('kubectl get wharf lists every kind of the category; topics show partitions and lag', async () => {
    await create(TOPIC.plural, topic('lagging', { partitions: 2, subscriptions: [{ name: 'a' }, { name: 'b' }] }));
    const topicStatus: Topic['status'] = { messages: 50, subscriptionCount: 2, maxSubscriptionDepth: 30 };
    expect((await mergePatch(TOPIC.plural, 'lagging', { status: topicStatus }, 'status')).status).toBe(200);
    const topics = await cp.kubectl(['get', 'topics', 'lagging', '-n', NS]);
    expect(topics.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'NAME',
      'READY',
      'PARTITIONS',
      'SUBSCRIPTIONS',
      'MESSAGES',
      'LAG',
      'AGE',
    ]);
    expect(parseTable(topics.stdout)[0]).toMatchObject({
      NAME: 'lagging',
      READY: '',
      PARTITIONS: '2',
      SUBSCRIPTIONS: '2',
      MESSAGES: '50',
      LAG: '30',
    });

    const all = await cp.kubectl(['get', 'wharf', '-n', NS, '-o', 'name']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('queue.wharf.dev/orders');
    expect(all.stdout).toContain('topic.wharf.dev/payments');
    expect(all.stdout).toContain('wharfcluster.wharf.dev/small');
  });

  it('WharfCluster has a scale subresource: kubectl scale changes spec.replicas', async () => {
    const cluster = await create<WharfCluster>(WHARF_CLUSTER.plural, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'WharfCluster',
      metadata: { name: 'wharf' },
      spec: { image: 'wharf/broker:0.1.0' },
    });
    expect(cluster.spec).toEqual({ replicas: 3, image: 'wharf/broker:0.1.0', storage: { size: '10Gi' } });
    const status: WharfCluster['status'] = {
      replicas: 3,
      readyReplicas: 2,
      selector: 'app.kubernetes.io/instance=wharf',
    };
    expect((await mergePatch(WHARF_CLUSTER.plural, 'wharf', { status }, 'status')).status).toBe(200);

    const scaled = await cp.kubectl(['scale', '-n', NS, 'wharfcluster/wharf', '--replicas', '5']);
    expect(scaled.code, scaled.stderr).toBe(0);
    const scale = await cp.request('GET', pathOf(WHARF_CLUSTER.plural, 'wharf', 'scale'));
    expect(scale.json).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 5 },
      status: { replicas: 3, selector: 'app.kubernetes.io/instance=wharf' },
    });
    const table = await cp.kubectl(['get', 'wc', 'wharf', '-n', NS]);
    expect(table.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'NAME',
      'READY',
      'REPLICAS',
      'READY-REPLICAS',
      'LEADER',
      'AGE',
    ]);
    expect(parseTable(table.stdout)[0]).toMatchObject({
      NAME: 'wharf',
      READY: '',
      REPLICAS: '5',
      'READY-REPLICAS': '2',
      LEADER: '',
    });
    // Replicas stay within the schema's bounds through the subresource too.
    const tooMany = await cp.kubectl(['scale', '-n', NS, 'wharfcluster/wharf', '--replicas', '99']);
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toContain('spec.replicas');
  });
});
