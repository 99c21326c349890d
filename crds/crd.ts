// The CustomResourceDefinitions of WharfCluster, Queue and Topic, built from the typed schemas in
// definitions.ts, and their YAML (what `wharf crds` prints and crds/*.yaml holds). Pure module.
import { stringify } from 'yaml';
import {
  queueRules,
  queueSpecSchema,
  queueStatusSchema,
  topicRules,
  topicSpecSchema,
  topicStatusSchema,
  wharfClusterRules,
  wharfClusterSpecSchema,
  wharfClusterStatusSchema,
} from './definitions.ts';
import type { JsonSchema, Schema, ValidationRule } from './schema.ts';
import { CATEGORY, GROUP, type KindNames, QUEUE, TOPIC, VERSION, WHARF_CLUSTER } from './types.ts';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

/** apiextensions.k8s.io/v1 CustomResourceDefinition, as far as we use it. */
export interface CustomResourceDefinition {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: {
    readonly group: string;
    readonly names: {
      readonly kind: string;
      readonly listKind: string;
      readonly plural: string;
      readonly singular: string;
      readonly shortNames: readonly string[];
      readonly categories: readonly string[];
    };
    readonly scope: 'Namespaced';
    readonly versions: readonly {
      readonly name: string;
      readonly served: true;
      readonly storage: true;
      readonly subresources: {
        readonly status: Readonly<Record<string, never>>;
        readonly scale?: {
          readonly specReplicasPath: string;
          readonly statusReplicasPath: string;
          readonly labelSelectorPath: string;
        };
      };
      readonly additionalPrinterColumns: readonly PrinterColumn[];
      readonly schema: { readonly openAPIV3Schema: JsonSchema };
    }[];
  };
}

const READY: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the resource is ready',
};
const LEADER: PrinterColumn = {
  name: 'Leader',
  type: 'string',
  jsonPath: '.status.leader',
  description: 'Pod of the Raft group leader',
};
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

interface KindDefinition {
  readonly names: KindNames;
  readonly description: string;
  readonly spec: Schema<unknown>;
  readonly status: Schema<unknown>;
  readonly rules: readonly ValidationRule[];
  readonly columns: readonly PrinterColumn[];
  readonly scale?: {
    readonly specReplicasPath: string;
    readonly statusReplicasPath: string;
    readonly labelSelectorPath: string;
  };
}

const DEFINITIONS: readonly KindDefinition[] = [
  {
    names: WHARF_CLUSTER,
    description: 'A Wharf broker cluster: a StatefulSet of Raft-replicated brokers and its Services.',
    spec: wharfClusterSpecSchema,
    status: wharfClusterStatusSchema,
    rules: wharfClusterRules,
    columns: [
      READY,
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired broker pods' },
      { name: 'Ready-Replicas', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Ready broker pods' },
      { ...LEADER, description: 'Pod of the metadata group leader' },
      { name: 'Endpoint', type: 'string', jsonPath: '.status.endpoint', priority: 1 },
      AGE,
    ],
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  },
  {
    names: QUEUE,
    description: 'A Wharf queue: point-to-point, each message goes to one consumer.',
    spec: queueSpecSchema,
    status: queueStatusSchema,
    rules: queueRules,
    columns: [
      READY,
      { name: 'Depth', type: 'integer', jsonPath: '.status.depth', description: 'Messages not yet settled' },
      { name: 'In-Flight', type: 'integer', jsonPath: '.status.inFlight', description: 'Messages leased' },
      { name: 'Consumers', type: 'integer', jsonPath: '.status.consumers', description: 'Connected consumers' },
      { name: 'Oldest', type: 'string', jsonPath: '.status.oldestMessageAge', description: 'Oldest message age' },
      { name: 'DLQ', type: 'integer', jsonPath: '.status.deadLettered', description: 'Messages dead-lettered' },
      { ...LEADER, priority: 1 },
      AGE,
    ],
  },
  {
    names: TOPIC,
    description: 'A Wharf topic: publish/subscribe, each subscription gets every message.',
    spec: topicSpecSchema,
    status: topicStatusSchema,
    rules: topicRules,
    columns: [
      READY,
      { name: 'Partitions', type: 'integer', jsonPath: '.spec.partitions' },
      { name: 'Subscriptions', type: 'integer', jsonPath: '.status.subscriptionCount' },
      { name: 'Messages', type: 'integer', jsonPath: '.status.messages', description: 'Messages retained' },
      {
        name: 'Lag',
        type: 'integer',
        jsonPath: '.status.maxSubscriptionDepth',
        description: 'Most messages a subscription has not settled',
      },
      { ...LEADER, priority: 1 },
      AGE,
    ],
  },
];

function crd(definition: KindDefinition): CustomResourceDefinition {
  const { names } = definition;
  const root: JsonSchema = {
    description: definition.description,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'wharf.dev/v1alpha1' },
      kind: { type: 'string', description: names.kind },
      metadata: { type: 'object' },
      spec: definition.spec.json,
      status: definition.status.json,
    },
    'x-kubernetes-validations': definition.rules,
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${names.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'wharf', 'app.kubernetes.io/component': 'crd' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames: names.shortNames,
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {}, ...(definition.scale === undefined ? {} : { scale: definition.scale }) },
          additionalPrinterColumns: definition.columns,
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}

/** The three CRDs: WharfCluster, Queue, Topic. */
export function customResourceDefinitions(): readonly CustomResourceDefinition[] {
  return DEFINITIONS.map(crd);
}

const HEADER = '# Generated from crds/definitions.ts by `node crds/generate.ts`; do not edit.\n';

/** One CRD as a YAML file's text. */
export function crdYaml(definition: CustomResourceDefinition): string {
  return HEADER + stringify(definition, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** File name in crds/ of a CRD, as controller-gen names them. */
export function crdFileName(definition: CustomResourceDefinition): string {
  return `${GROUP}_${definition.spec.names.plural}.yaml`;
}

/** All CRDs as one multi-document YAML stream. */
export function allCrdsYaml(): string {
  return customResourceDefinitions()
    .map((definition) => `---\n${crdYaml(definition)}`)
    .join('');
}
