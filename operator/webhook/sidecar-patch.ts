// The sidecar injection as a pure function of the pod and the injector's configuration (Dapr's
// sidecar_patcher shape): it returns the JSON Patch (RFC 6902) the webhook answers with, or says
// why nothing is injected. The admission plumbing (HTTPS, AdmissionReview) lives in server.ts.
//
// When the pod's WharfCluster serves TLS, the plumbing passes its CA (ca.crt of the cluster's TLS
// Secret) and the sidecar gets it inline as WHARF_TLS_CA_PEM, as Dapr's injector hands sidecars
// their trust anchors: the pod lives in the app's namespace and cannot mount a Secret of the
// cluster's, and a CA certificate is public. A pod keeps the CA it was created with; after a CA
// change, pods are restarted to take the new one (see docs/install.md).
import { readSidecarOptions, type SidecarOptions } from './annotations.ts';

export const SIDECAR_CONTAINER = 'wharf-sidecar';
export const DEFAULT_SIDECAR_PORT = 7070;
/** Broker client port (gRPC); the sidecar is seeded with the cluster's client Service on it. */
export const BROKER_CLIENT_PORT = 7400;

/** The few parts of a Pod the patch reads (a plain object from the AdmissionReview). */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly generateName?: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
  };
}

export interface ContainerLike {
  readonly name: string;
  readonly env?: readonly { readonly name: string }[];
}

export interface InjectorConfig {
  readonly sidecarImage: string;
  /** The WharfCluster used when a pod names none: NAMESPACE/NAME. */
  readonly defaultCluster: string;
  /** Kubernetes cluster domain of Service DNS names. */
  readonly clusterDomain: string;
  /** The API server's version: native sidecars (init containers with restartPolicy Always) from 1.29. */
  readonly serverVersion: { readonly major: number; readonly minor: number };
  /** OTLP endpoint for the sidecar's traces; empty for none. */
  readonly otlpEndpoint: string;
  readonly defaultLogLevel: string;
}

/** How the sidecar verifies its cluster's brokers: their CA bundle (PEM), when they serve TLS. */
export interface SidecarTrust {
  readonly caPem: string;
}

export type PatchOperation =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown };

export type InjectionResult =
  | { readonly kind: 'patch'; readonly patch: readonly PatchOperation[]; readonly native: boolean }
  | { readonly kind: 'skip'; readonly reason: string };

export function supportsNativeSidecars(version: InjectorConfig['serverVersion']): boolean {
  return version.major > 1 || (version.major === 1 && version.minor >= 29);
}

/** "wharf" in a pod of namespace "shop" → shop/wharf; "messaging/wharf" → messaging/wharf. */
function clusterKeyOf(ref: string, podNamespace: string): { readonly namespace: string; readonly name: string } {
  const [namespace, name] = ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [podNamespace, ref];
  return { namespace, name };
}

/** "wharf" → the client Service of messaging/wharf: "wharf.messaging.svc.cluster.local:7400". */
export function clusterAddress(ref: string, podNamespace: string, clusterDomain: string): string {
  const { namespace, name } = clusterKeyOf(ref, podNamespace);
  return `${name}.${namespace}.svc.${clusterDomain}:${BROKER_CLIENT_PORT}`;
}

/**
 * The WharfCluster `pod` would be given a sidecar for (its wharf.dev/cluster annotation, or the
 * default), or undefined when nothing would be injected. Throws AnnotationError as sidecarPatch.
 */
export function targetCluster(
  pod: PodLike,
  namespace: string,
  config: InjectorConfig,
): { readonly namespace: string; readonly name: string } | undefined {
  if (hasSidecar(pod.spec?.containers) || hasSidecar(pod.spec?.initContainers)) return undefined;
  return clusterKeyOf(readSidecarOptions(pod.metadata?.annotations).cluster ?? config.defaultCluster, namespace);
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: unknown };

/** The sidecar container for one pod. */
export function sidecarContainer(
  options: SidecarOptions,
  config: InjectorConfig,
  podNamespace: string,
  native: boolean,
  trust?: SidecarTrust,
): Record<string, unknown> {
  const port = options.port ?? DEFAULT_SIDECAR_PORT;
  const cluster = options.cluster ?? config.defaultCluster;
  const env: EnvVar[] = [
    { name: 'WHARF_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'WHARF_SIDECAR_PORT', value: String(port) },
    { name: 'WHARF_BROKERS', value: clusterAddress(cluster, podNamespace, config.clusterDomain) },
    { name: 'WHARF_LOG_LEVEL', value: options.logLevel ?? config.defaultLogLevel },
    { name: 'OTEL_SERVICE_NAME', value: SIDECAR_CONTAINER },
  ];
  if (config.otlpEndpoint !== '') env.push({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: config.otlpEndpoint });
  if (trust !== undefined) env.push({ name: 'WHARF_TLS_CA_PEM', value: trust.caPem });
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (options.cpuRequest !== undefined) requests.cpu = options.cpuRequest;
  if (options.memoryRequest !== undefined) requests.memory = options.memoryRequest;
  if (options.cpuLimit !== undefined) limits.cpu = options.cpuLimit;
  if (options.memoryLimit !== undefined) limits.memory = options.memoryLimit;
  return {
    name: SIDECAR_CONTAINER,
    image: config.sidecarImage,
    ...(native ? { restartPolicy: 'Always' } : {}),
    ports: [{ name: 'wharf', containerPort: port, protocol: 'TCP' }],
    env,
    resources: {
      ...(Object.keys(requests).length > 0 ? { requests } : {}),
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
    },
    // The restricted Pod Security Standard, so injecting never makes a pod inadmissible.
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

const hasSidecar = (containers: readonly ContainerLike[] | undefined): boolean =>
  (containers ?? []).some((c) => c.name === SIDECAR_CONTAINER);

/**
 * The patch that adds the sidecar to `pod` (and WHARF_ADDR to each app container that has none).
 * `namespace` is the request's namespace (a pod being created may not carry one yet); `trust` the
 * CA of the target cluster's brokers when they serve TLS. Throws AnnotationError for an unusable
 * `wharf.dev/*` annotation.
 */
export function sidecarPatch(
  pod: PodLike,
  namespace: string,
  config: InjectorConfig,
  trust?: SidecarTrust,
): InjectionResult {
  if (hasSidecar(pod.spec?.containers) || hasSidecar(pod.spec?.initContainers)) {
    return { kind: 'skip', reason: `the pod already has a ${SIDECAR_CONTAINER} container` };
  }
  const options = readSidecarOptions(pod.metadata?.annotations);
  const native = supportsNativeSidecars(config.serverVersion);
  const container = sidecarContainer(options, config, namespace, native, trust);
  const patch: PatchOperation[] = [];
  if (native) {
    // First among the init containers, so the others can already reach the broker.
    patch.push(
      pod.spec?.initContainers === undefined || pod.spec.initContainers.length === 0
        ? { op: 'add', path: '/spec/initContainers', value: [container] }
        : { op: 'add', path: '/spec/initContainers/0', value: container },
    );
  } else {
    patch.push({ op: 'add', path: '/spec/containers/-', value: container });
  }
  const address = `127.0.0.1:${options.port ?? DEFAULT_SIDECAR_PORT}`;
  for (const [index, app] of (pod.spec?.containers ?? []).entries()) {
    if (app.env?.some((e) => e.name === 'WHARF_ADDR')) continue;
    const value = { name: 'WHARF_ADDR', value: address };
    patch.push(
      app.env === undefined
        ? { op: 'add', path: `/spec/containers/${index}/env`, value: [value] }
        : { op: 'add', path: `/spec/containers/${index}/env/-`, value },
    );
  }
  return { kind: 'patch', patch, native };
}
