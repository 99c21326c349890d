import { describe, expect, it } from 'vitest';
import { buildInput } from './build-input.ts';
import { DEFAULT_SETTINGS } from './cluster-spec.ts';
import { CHILDREN_SELECTOR, owningCluster } from './names.ts';
import { buildStatefulSet } from './statefulset.ts';
import { sampleCluster } from './testing.ts';

/** Whether `labels` match a selector of the form "k=v,k=v". */
const matches = (selector: string, labels: Record<string, string>): boolean =>
  selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels[key] === value;
  });

describe('the brokers of a cluster, found from their labels', () => {
  const cluster = sampleCluster();
  const statefulSet = buildStatefulSet(buildInput(cluster, DEFAULT_SETTINGS)) as {
    metadata: { namespace: string; labels: Record<string, string> };
    spec: { template: { metadata: { labels: Record<string, string> } } };
  };
  const pod = {
    metadata: { namespace: statefulSet.metadata.namespace, labels: statefulSet.spec.template.metadata.labels },
  };

  it('selects the StatefulSet and its pods, and maps both back to their WharfCluster', () => {
    const expected = { namespace: cluster.metadata.namespace, name: cluster.metadata.name };
    expect(matches(CHILDREN_SELECTOR, statefulSet.metadata.labels)).toBe(true);
    expect(matches(CHILDREN_SELECTOR, pod.metadata.labels)).toBe(true);
    expect(owningCluster(statefulSet)).toEqual(expected);
    expect(owningCluster(pod)).toEqual(expected);
  });

  it('ignores objects another manager made, or that name no cluster', () => {
    const labels = statefulSet.metadata.labels;
    expect(
      owningCluster({ metadata: { namespace: 'shop', labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' } } }),
    ).toBeUndefined();
    expect(
      owningCluster({
        metadata: { namespace: 'shop', labels: { ...labels, 'app.kubernetes.io/component': 'operator' } },
      }),
    ).toBeUndefined();
    expect(
      owningCluster({ metadata: { namespace: 'shop', labels: { ...labels, 'app.kubernetes.io/instance': '' } } }),
    ).toBeUndefined();
    expect(owningCluster({ metadata: { labels } })).toBeUndefined();
    expect(owningCluster({})).toBeUndefined();
  });
});
