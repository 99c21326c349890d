// The children of a WharfCluster, as the list of builders the reconciler walks (one named builder
// per object, in apply order: the ConfigMap and Services before the pods that use them). Pure.
import type { BuildInput } from './build-input.ts';
import { buildClientService } from './client-service.ts';
import { buildConfigMap } from './config-map.ts';
import { buildHeadlessService } from './headless-service.ts';
import { buildPodDisruptionBudget } from './pod-disruption-budget.ts';
import { buildStatefulSet } from './statefulset.ts';

export interface ChildBuilder {
  readonly name: string;
  readonly build: (input: BuildInput) => Record<string, unknown>;
}

export const CHILD_BUILDERS: readonly ChildBuilder[] = [
  { name: 'config-map', build: buildConfigMap },
  { name: 'headless-service', build: buildHeadlessService },
  { name: 'client-service', build: buildClientService },
  { name: 'pod-disruption-budget', build: buildPodDisruptionBudget },
  { name: 'statefulset', build: buildStatefulSet },
];

export function buildChildren(input: BuildInput): Record<string, unknown>[] {
  return CHILD_BUILDERS.map((builder) => builder.build(input));
}
