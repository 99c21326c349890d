// Kubernetes-style resource YAML → admin proto messages. A file holds one or more documents;
// Queue and Topic documents become resources, WharfCluster documents are skipped with a note (they
// are for Kubernetes), anything else is an error. Every error names the file, the document number
// (1-based), the field path and what is expected. Pure module: the caller reads the files.
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_NAMESPACE } from '../../common/names.ts';
import type { Queue } from '../../proto/gen/wharf/v1/Queue.ts';
import type { Topic } from '../../proto/gen/wharf/v1/Topic.ts';
import { describeValue } from './fields.ts';
import { type FieldIssue, issuesFromZod } from './issues.ts';
import { API_VERSION, type DeliveryInput, queueDocumentSchema, topicDocumentSchema } from './schema.ts';
import { qualify, queueToProto, topicToProto } from './to-proto.ts';

export interface ResourceSource {
  readonly file: string;
  /** 1-based position of the document in its file. */
  readonly document: number;
}

export interface QueueResource {
  readonly kind: 'Queue';
  /** "<namespace>/<name>". */
  readonly name: string;
  readonly source: ResourceSource;
  readonly queue: Queue;
}

export interface TopicResource {
  readonly kind: 'Topic';
  readonly name: string;
  readonly source: ResourceSource;
  readonly topic: Topic;
}

export type WharfResource = QueueResource | TopicResource;

export interface SkippedDocument {
  readonly source: ResourceSource;
  readonly kind: string;
  readonly name: string;
  readonly note: string;
}

export interface ParsedResources {
  readonly resources: readonly WharfResource[];
  readonly skipped: readonly SkippedDocument[];
}

export interface ResourceIssue extends FieldIssue {
  readonly source: ResourceSource;
}

export function formatIssue(issue: ResourceIssue): string {
  const where = `${issue.source.file} doc ${issue.source.document}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** Invalid resource documents; `message` has one line per issue. */
export class ResourceError extends Error {
  override name = 'ResourceError';
  readonly issues: readonly ResourceIssue[];
  constructor(issues: readonly ResourceIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

export const WHARF_CLUSTER_NOTE = 'WharfCluster is for Kubernetes (the operator runs it); skipped';

export type DocumentResult =
  | { readonly resource: WharfResource; readonly issues: readonly [] }
  | { readonly skipped: SkippedDocument; readonly issues: readonly [] }
  | { readonly issues: readonly ResourceIssue[] };

function checkDelivery(input: DeliveryInput, owner: string, namespace: string, path: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const min = input.retryBackoff?.min;
  const max = input.retryBackoff?.max;
  if (min !== undefined && max !== undefined && min > max) {
    issues.push({ path: `${path}retryBackoff`, message: 'min is above max' });
  }
  if (qualify(input.deadLetterQueue, namespace) === owner) {
    issues.push({ path: `${path}deadLetterQueue`, message: `${owner} cannot be its own dead-letter queue` });
  }
  return issues;
}

function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { data: z.output<S>; issues: [] } | { issues: FieldIssue[] } {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? { data: result.data, issues: [] } : { issues: issuesFromZod(schema, result.error) };
}

/**
 * Validates one already-parsed document (from YAML, or a custom resource object read from the
 * Kubernetes API) and converts it.
 */
export function resourceFromObject(value: unknown, source: ResourceSource): DocumentResult {
  const fail = (issues: readonly FieldIssue[]): DocumentResult => ({
    issues: issues.map((issue) => ({ ...issue, source })),
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail([
      { path: '', message: `expected a mapping with apiVersion, kind, metadata and spec, got ${describeValue(value)}` },
    ]);
  }
  const doc = value as Record<string, unknown>;
  const kind = doc.kind;
  const metadata = doc.metadata as { name?: unknown } | undefined;
  if (kind === 'WharfCluster') {
    const name = typeof metadata?.name === 'string' ? metadata.name : '';
    return { skipped: { source, kind, name, note: WHARF_CLUSTER_NOTE }, issues: [] };
  }
  const envelopeIssues: FieldIssue[] = [];
  if (doc.apiVersion === undefined || doc.apiVersion === null) {
    envelopeIssues.push({ path: 'apiVersion', message: `required (${API_VERSION})` });
  } else if (doc.apiVersion !== API_VERSION) {
    envelopeIssues.push({
      path: 'apiVersion',
      message: `${describeValue(doc.apiVersion)} is not supported (expected ${API_VERSION})`,
    });
  }
  if (kind === undefined || kind === null) {
    envelopeIssues.push({ path: 'kind', message: 'required (Queue or Topic)' });
  } else if (kind !== 'Queue' && kind !== 'Topic') {
    envelopeIssues.push({
      path: 'kind',
      message: `${describeValue(kind)} is not a Wharf resource (expected Queue, Topic or WharfCluster)`,
    });
  }
  if (envelopeIssues.length > 0) return fail(envelopeIssues);

  if (kind === 'Queue') {
    const checked = validate(queueDocumentSchema, doc);
    if (!('data' in checked)) return fail(checked.issues);
    const namespace = checked.data.metadata.namespace ?? DEFAULT_NAMESPACE;
    const queue = queueToProto(checked.data, namespace);
    const name = queue.name ?? '';
    const issues = checkDelivery(checked.data.spec ?? {}, name, namespace, 'spec.');
    if (issues.length > 0) return fail(issues);
    return { resource: { kind: 'Queue', name, source, queue }, issues: [] };
  }

  const checked = validate(topicDocumentSchema, doc);
  if (!('data' in checked)) return fail(checked.issues);
  const namespace = checked.data.metadata.namespace ?? DEFAULT_NAMESPACE;
  const topic = topicToProto(checked.data, namespace);
  const name = topic.name ?? '';
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const [index, sub] of (checked.data.spec?.subscriptions ?? []).entries()) {
    const path = `spec.subscriptions[${index}].`;
    if (seen.has(sub.name)) issues.push({ path: `${path}name`, message: `"${sub.name}" is used twice` });
    seen.add(sub.name);
    issues.push(...checkDelivery(sub, `${name}:${sub.name}`, namespace, path));
  }
  if (issues.length > 0) return fail(issues);
  return { resource: { kind: 'Topic', name, source, topic }, issues: [] };
}

/** Parses every document of one YAML file; throws ResourceError listing every problem found. */
export function parseResources(text: string, file: string): ParsedResources {
  const resources: WharfResource[] = [];
  const skipped: SkippedDocument[] = [];
  const issues: ResourceIssue[] = [];
  const documents = parseAllDocuments(text);
  for (const [index, document] of documents.entries()) {
    const source = { file, document: index + 1 };
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = error.linePos?.[0];
        const where = line ? ` (line ${line.line}, column ${line.col})` : '';
        const firstLine = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        issues.push({ source, path: '', message: `invalid YAML: ${firstLine}${where}` });
      }
      continue;
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue; // an empty document (e.g. a trailing ---)
    const result = resourceFromObject(value, source);
    if ('resource' in result) resources.push(result.resource);
    else if ('skipped' in result) skipped.push(result.skipped);
    else issues.push(...result.issues);
  }
  if (issues.length > 0) throw new ResourceError(issues);
  return { resources, skipped };
}

/** Joins the resources of several files; the same Queue or Topic defined twice is an error. */
export function combineResources(parts: readonly ParsedResources[]): ParsedResources {
  const byKey = new Map<string, WharfResource>();
  const issues: ResourceIssue[] = [];
  for (const part of parts) {
    for (const resource of part.resources) {
      const key = `${resource.kind} ${resource.name}`;
      const first = byKey.get(key);
      if (first) {
        issues.push({
          source: resource.source,
          path: '',
          message: `${key} is also defined in ${first.source.file} doc ${first.source.document}`,
        });
      } else byKey.set(key, resource);
    }
  }
  if (issues.length > 0) throw new ResourceError(issues);
  return { resources: parts.flatMap((p) => p.resources), skipped: parts.flatMap((p) => p.skipped) };
}

function deadLetterQueues(resource: WharfResource): string[] {
  if (resource.kind === 'Queue') return [resource.queue.spec?.deadLetterQueue ?? ''].filter((n) => n !== '');
  return (resource.topic.spec?.subscriptions ?? []).map((s) => s.deadLetterQueue ?? '').filter((n) => n !== '');
}

/**
 * The order to apply in: queues that serve as dead-letter queues first, then the other queues,
 * then topics, each group in file order.
 */
export function applyOrder(resources: readonly WharfResource[]): WharfResource[] {
  const dlqs = new Set(resources.flatMap(deadLetterQueues));
  const rank = (r: WharfResource): number => (r.kind === 'Topic' ? 2 : dlqs.has(r.name) ? 0 : 1);
  return resources
    .map((resource, index) => ({ resource, index }))
    .sort((a, b) => rank(a.resource) - rank(b.resource) || a.index - b.index)
    .map((entry) => entry.resource);
}
