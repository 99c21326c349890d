import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { wharf } from '../cli/testing.ts';
import { allCrdsYaml, crdFileName, crdYaml, customResourceDefinitions } from './crd.ts';
import type { JsonSchema } from './schema.ts';
import type { Queue, Topic, WharfCluster } from './types.ts';

const crds = customResourceDefinitions();

describe('CRDs', () => {
  it('the committed YAML in crds/ is what the typed source generates (run node crds/generate.ts)', () => {
    for (const definition of crds) {
      const committed = readFileSync(new URL(crdFileName(definition), import.meta.url), 'utf8');
      expect(committed, crdFileName(definition)).toBe(crdYaml(definition));
      // Plain YAML for every reader (Helm, kustomize, people): no anchors or aliases.
      expect(committed).not.toMatch(/(^|\s)[&*]a\d+(\s|$)/m);
    }
  });

  it('wharf crds prints the three as one multi-document stream', async () => {
    const result = await wharf(['crds']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(allCrdsYaml());
    const documents = result.stdout
      .split(/^---$/m)
      .filter((text) => text.trim() !== '')
      .map((text) => parse(text) as { metadata: { name: string } });
    expect(documents.map((d) => d.metadata.name)).toEqual([
      'wharfclusters.wharf.dev',
      'queues.wharf.dev',
      'topics.wharf.dev',
    ]);
  });

  it('every property has a description, every object is structural (typed), and defaults are valid enum values', () => {
    const walk = (schema: JsonSchema, path: string): void => {
      if (schema['x-kubernetes-int-or-string'] !== true) expect(schema.type, path).toBeDefined();
      if (schema.enum !== undefined && schema.default !== undefined)
        expect(schema.enum, path).toContain(schema.default);
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        if (!['apiVersion', 'kind', 'metadata'].includes(key)) expect(child.description, `${path}.${key}`).toBeTruthy();
        walk(child, `${path}.${key}`);
      }
      if (schema.items !== undefined) walk(schema.items, `${path}[]`);
      if (schema.additionalProperties !== undefined) walk(schema.additionalProperties, `${path}{}`);
    };
    for (const definition of crds) {
      const version = definition.spec.versions[0];
      expect(version).toBeDefined();
      if (version !== undefined) walk(version.schema.openAPIV3Schema, definition.spec.names.kind);
    }
  });

  it('names, categories and subresources', () => {
    const byKind = new Map(crds.map((c) => [c.spec.names.kind, c]));
    for (const crd of crds) {
      expect(crd.spec.group).toBe('wharf.dev');
      expect(crd.spec.names.categories).toEqual(['wharf']);
      expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
      expect(crd.spec.versions[0]?.subresources.status).toEqual({});
    }
    expect(byKind.get('WharfCluster')?.spec.versions[0]?.subresources.scale).toEqual({
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    });
    expect(byKind.get('Queue')?.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual([
      'Ready',
      'Depth',
      'In-Flight',
      'Consumers',
      'Oldest',
      'DLQ',
      'Leader',
      'Age',
    ]);
  });

  it('the types take the resource YAML of DESIGN §1 (a compile-time check)', () => {
    const cluster: WharfCluster = {
      apiVersion: 'wharf.dev/v1alpha1',
      kind: 'WharfCluster',
      metadata: { name: 'wharf', namespace: 'messaging' },
      spec: {
        replicas: 3,
        image: 'wharf/broker:0.1.0',
        storage: { size: '10Gi', storageClassName: 'standard' },
        resources: { requests: { cpu: '500m', memory: '512Mi' } },
        tracing: { otlpEndpoint: 'http://jaeger-collector.observability:4317', samplingRatio: 1.0 },
        tls: { enabled: true, secretName: 'wharf-tls' },
      },
      status: {
        replicas: 3,
        readyReplicas: 3,
        selector: 'app=wharf',
        leader: 'wharf-1',
        members: [{ name: 'wharf-0' }],
      },
    };
    const queue: Queue = {
      apiVersion: 'wharf.dev/v1alpha1',
      kind: 'Queue',
      metadata: { name: 'orders', namespace: 'shop' },
      spec: {
        clusterRef: { name: 'wharf', namespace: 'messaging' },
        replicas: 3,
        ackDeadline: '30s',
        maxDeliveries: 5,
        deadLetterQueue: 'orders-dlq',
        retryBackoff: { min: '1s', max: '5m' },
        ordering: 'PerKey',
        dedupWindow: '2m',
        retention: { maxAge: '168h', maxMessages: 10_000_000, maxBytes: '10Gi' },
        overflow: 'RejectPublish',
        maxMessageBytes: '1Mi',
        deletionPolicy: 'Delete',
      },
      status: {
        observedGeneration: 3,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Replicated',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
        leader: 'wharf-1',
        depth: 1204,
        inFlight: 17,
        consumers: 4,
        oldestMessageAge: '12s',
        deadLettered: 2,
      },
    };
    const topic: Topic = {
      apiVersion: 'wharf.dev/v1alpha1',
      kind: 'Topic',
      metadata: { name: 'payments', namespace: 'shop' },
      spec: {
        partitions: 3,
        replicas: 3,
        retention: { maxAge: '72h', maxBytes: '50Gi' },
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
    };
    expect([cluster.kind, queue.kind, topic.kind]).toEqual(['WharfCluster', 'Queue', 'Topic']);
  });
});
