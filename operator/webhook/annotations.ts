// The sidecar's options as pod annotations, declared in one typed table (as Dapr's injector does):
// each entry names its annotation, how its value is parsed and its default. Pure module.

/** An annotation whose value cannot be used; the webhook refuses the pod with this message. */
export class AnnotationError extends Error {
  override name = 'AnnotationError';
  readonly annotation: string;
  constructor(annotation: string, message: string) {
    super(`annotation ${annotation}: ${message}`);
    this.annotation = annotation;
  }
}

export const ANNOTATION_PREFIX = 'wharf.dev/';
/** The label that sends a pod to the webhook (its objectSelector matches it). */
export const INJECT_LABEL = 'wharf.dev/inject';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const CLUSTER_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Option<T> {
  readonly annotation: string;
  readonly description: string;
  readonly parse: (raw: string, annotation: string) => T;
}

const port = (raw: string, annotation: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65_535)
    throw new AnnotationError(annotation, `"${raw}" is not a port 1..65535`);
  return n;
};
const quantity = (raw: string, annotation: string): string => {
  if (!QUANTITY.test(raw)) {
    throw new AnnotationError(annotation, `"${raw}" is not a Kubernetes quantity (e.g. 100m, 64Mi)`);
  }
  return raw;
};
const logLevel = (raw: string, annotation: string): LogLevel => {
  const level = LOG_LEVELS.find((l) => l === raw);
  if (level === undefined) throw new AnnotationError(annotation, `"${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
};
const clusterRef = (raw: string, annotation: string): string => {
  if (!CLUSTER_REF.test(raw)) {
    throw new AnnotationError(annotation, `"${raw}" is not a WharfCluster name (NAME or NAMESPACE/NAME)`);
  }
  return raw;
};

/** Every option of the sidecar a pod can set, in one table. */
export const SIDECAR_OPTIONS = {
  port: {
    annotation: 'wharf.dev/port',
    description: 'port of the sidecar on localhost (default 7070)',
    parse: port,
  },
  cluster: {
    annotation: 'wharf.dev/cluster',
    description: "the WharfCluster to talk to, NAME or NAMESPACE/NAME (default: the operator's default cluster)",
    parse: clusterRef,
  },
  cpuRequest: { annotation: 'wharf.dev/cpu-request', description: 'sidecar CPU request', parse: quantity },
  cpuLimit: { annotation: 'wharf.dev/cpu-limit', description: 'sidecar CPU limit', parse: quantity },
  memoryRequest: { annotation: 'wharf.dev/memory-request', description: 'sidecar memory request', parse: quantity },
  memoryLimit: { annotation: 'wharf.dev/memory-limit', description: 'sidecar memory limit', parse: quantity },
  logLevel: {
    annotation: 'wharf.dev/log-level',
    description: `sidecar log level (${LOG_LEVELS.join('|')})`,
    parse: logLevel,
  },
} as const satisfies Record<string, Option<unknown>>;

type Table = typeof SIDECAR_OPTIONS;
/** The options a pod's annotations set; absent ones are left out. */
export type SidecarOptions = { -readonly [K in keyof Table]?: ReturnType<Table[K]['parse']> };

/** Reads every option of the table from `annotations`; throws AnnotationError for the first bad one. */
export function readSidecarOptions(annotations: Readonly<Record<string, string>> | undefined): SidecarOptions {
  const options: SidecarOptions = {};
  const set = options as Record<string, unknown>;
  for (const [key, option] of Object.entries(SIDECAR_OPTIONS)) {
    const raw = annotations?.[option.annotation];
    if (raw === undefined) continue;
    set[key] = option.parse(raw.trim(), option.annotation);
  }
  return options;
}
