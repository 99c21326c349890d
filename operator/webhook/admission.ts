// AdmissionReview (admission.k8s.io/v1) in and out, around the pure patch: decode the request,
// call sidecarPatch, encode the answer (a base64 JSONPatch, or a refusal naming the bad
// annotation). No I/O here; server.ts serves it over HTTPS, and looks up first, through
// admissionTarget, the CA of the cluster a sidecar is for (its brokers may serve TLS).
import { AnnotationError } from './annotations.ts';
import { type InjectorConfig, type PodLike, type SidecarTrust, sidecarPatch, targetCluster } from './sidecar-patch.ts';

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: {
    uid: string;
    kind?: { group?: string; version?: string; kind?: string };
    namespace?: string;
    operation?: string;
    object?: unknown;
  };
  response?: AdmissionResponse;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
  status?: { code: number; message: string };
  warnings?: string[];
}

export class AdmissionRequestError extends Error {
  override name = 'AdmissionRequestError';
}

type Request = NonNullable<AdmissionReview['request']>;

function requestOf(review: unknown): Request {
  const request = (review as AdmissionReview | null)?.request;
  if (typeof request?.uid !== 'string') throw new AdmissionRequestError('not an admission.k8s.io/v1 AdmissionReview');
  return request;
}

const answerTo =
  (request: Request) =>
  (response: Omit<AdmissionResponse, 'uid'>): AdmissionReview => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: request.uid, ...response },
  });

const podNamespace = (request: Request, pod: PodLike): string =>
  request.namespace ?? pod.metadata?.namespace ?? 'default';

/**
 * The WharfCluster whose sidecar `review` would add (so its CA can be looked up before admit), or
 * undefined: not a pod being created, a sidecar already there, or an annotation admit refuses.
 */
export function admissionTarget(
  review: unknown,
  config: InjectorConfig,
): { readonly namespace: string; readonly name: string } | undefined {
  const request = requestOf(review);
  if (request.kind?.kind !== 'Pod' || request.operation !== 'CREATE') return undefined;
  const pod = (request.object ?? {}) as PodLike;
  try {
    return targetCluster(pod, podNamespace(request, pod), config);
  } catch (error) {
    if (error instanceof AnnotationError) return undefined;
    throw error;
  }
}

/** A refusal of `review` (e.g. its cluster's CA cannot be read), with a message for the user. */
export function refuse(review: unknown, code: number, message: string): AdmissionReview {
  return answerTo(requestOf(review))({
    allowed: false,
    status: { code, message: `wharf sidecar injection: ${message}` },
  });
}

/**
 * The AdmissionReview answer to `review`; `encode` turns the patch JSON into base64; `trust` is
 * the CA of the target cluster's brokers when they serve TLS.
 */
export function admit(
  review: unknown,
  config: InjectorConfig,
  encode: (json: string) => string,
  trust?: SidecarTrust,
): AdmissionReview {
  const request = requestOf(review);
  const answer = answerTo(request);
  if (request.kind?.kind !== 'Pod' || request.operation !== 'CREATE') return answer({ allowed: true });
  const pod = (request.object ?? {}) as PodLike;
  try {
    const result = sidecarPatch(pod, podNamespace(request, pod), config, trust);
    if (result.kind === 'skip') return answer({ allowed: true });
    return answer({ allowed: true, patchType: 'JSONPatch', patch: encode(JSON.stringify(result.patch)) });
  } catch (error) {
    if (!(error instanceof AnnotationError)) throw error;
    return answer({ allowed: false, status: { code: 400, message: `wharf sidecar injection: ${error.message}` } });
  }
}
