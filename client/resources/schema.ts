// Zod schemas of the Queue and Topic resources (DESIGN §1), strict: unknown fields are errors.
// Leaves use the parsers in fields.ts, so every message says what was found and what is expected.
// Pure module.
import { z } from 'zod';
import { bytes, destinationRef, durationMs, FieldError, label, oneOf, startAt, text, wholeNumber } from './fields.ts';

export const API_VERSION = 'wharf.dev/v1alpha1';

function leaf<T>(parse: (value: unknown) => T) {
  return z.unknown().transform((value, ctx) => {
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });
}

/** A field that must be present. */
function required<T>(parse: (value: unknown) => T) {
  return leaf((value) => {
    if (value === undefined || value === null) throw new FieldError('required');
    return parse(value);
  });
}

/** A field that may be left out; null (an empty YAML value) counts as left out, as in Kubernetes. */
function optional<T>(parse: (value: unknown) => T) {
  return leaf((value) => (value === null ? undefined : parse(value))).optional();
}

/** A nested mapping that may be left out or empty. */
function section<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess((value) => value ?? undefined, z.strictObject(shape).optional());
}

const ORDERINGS = ['None', 'PerKey'] as const;
const OVERFLOWS = ['RejectPublish', 'DropOldest'] as const;
const DELETION_POLICIES = ['Delete', 'Retain', 'Drain'] as const;

const count = optional(wholeNumber(0));
const positive = optional(wholeNumber(1));
const duration = optional(durationMs);
const size = optional(bytes);

const retryBackoff = section({ min: duration, max: duration });
const retention = section({ maxAge: duration, maxMessages: count, maxBytes: size });
const clusterRef = section({ name: optional(label), namespace: optional(label) });

const metadata = z.strictObject({
  name: required(label),
  namespace: optional(label),
  // Kubernetes bookkeeping, accepted so `kubectl get -o yaml` output can be applied; ignored here.
  labels: z.unknown().optional(),
  annotations: z.unknown().optional(),
  uid: z.unknown().optional(),
  resourceVersion: z.unknown().optional(),
  generation: z.unknown().optional(),
  creationTimestamp: z.unknown().optional(),
  deletionTimestamp: z.unknown().optional(),
  deletionGracePeriodSeconds: z.unknown().optional(),
  finalizers: z.unknown().optional(),
  managedFields: z.unknown().optional(),
  ownerReferences: z.unknown().optional(),
});

const deliveryFields = {
  ackDeadline: duration,
  maxDeliveries: count,
  deadLetterQueue: optional(destinationRef),
  retryBackoff,
  ordering: optional(oneOf(ORDERINGS)),
};

export const queueSpecSchema = section({
  clusterRef,
  replicas: positive,
  ...deliveryFields,
  dedupWindow: duration,
  retention,
  overflow: optional(oneOf(OVERFLOWS)),
  maxMessageBytes: size,
  deletionPolicy: optional(oneOf(DELETION_POLICIES)),
});

export const subscriptionSchema = z.strictObject({
  name: required(label),
  ...deliveryFields,
  filter: optional(text),
  startAt: optional(startAt),
});

export const topicSpecSchema = section({
  clusterRef,
  partitions: positive,
  replicas: positive,
  retention,
  subscriptions: z.preprocess((value) => value ?? undefined, z.array(subscriptionSchema).optional()),
  dedupWindow: duration,
  maxMessageBytes: size,
  deletionPolicy: optional(oneOf(DELETION_POLICIES)),
});

const envelope = {
  apiVersion: z.unknown(),
  kind: z.unknown(),
  metadata,
  // Written by the broker or the operator; accepted so exported objects can be applied again.
  status: z.unknown().optional(),
};

export const queueDocumentSchema = z.strictObject({ ...envelope, spec: queueSpecSchema });
export const topicDocumentSchema = z.strictObject({ ...envelope, spec: topicSpecSchema });

export type QueueDocument = z.output<typeof queueDocumentSchema>;
export type TopicDocument = z.output<typeof topicDocumentSchema>;
export type DeliveryInput = Pick<
  NonNullable<QueueDocument['spec']>,
  'ackDeadline' | 'maxDeliveries' | 'deadLetterQueue' | 'retryBackoff' | 'ordering'
>;
export type RetentionInput = NonNullable<NonNullable<QueueDocument['spec']>['retention']>;
