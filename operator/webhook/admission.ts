// AdmissionReview (admission.k8s.io/v1) in and out, around the pure patch: decode the request,
// call sidecarPatch, encode the answer (a base64 JSONPatch, or a refusal naming the bad
// annotation). No I/O here; server.ts serves it over HTTPS.
import { AnnotationError } from './annotations.ts';
import { type InjectorConfig, type PodLike, sidecarPatch } from './sidecar-patch.ts';

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

/** The AdmissionReview answer to `review`; `encode` turns the patch JSON into base64. */
export function admit(review: unknown, config: InjectorConfig, encode: (json: string) => string): AdmissionReview {
  const request = (review as AdmissionReview | null)?.request;
  if (typeof request?.uid !== 'string') throw new AdmissionRequestError('not an admission.k8s.io/v1 AdmissionReview');
  const answer = (response: Omit<AdmissionResponse, 'uid'>): AdmissionReview => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: request.uid, ...response },
  });
  if (request.kind?.kind !== 'Pod' || request.operation !== 'CREATE') return answer({ allowed: true });
  const pod = (request.object ?? {}) as PodLike;
  try {
    const result = sidecarPatch(pod, request.namespace ?? pod.metadata?.namespace ?? 'default', config);
    if (result.kind === 'skip') return answer({ allowed: true });
    return answer({ allowed: true, patchType: 'JSONPatch', patch: encode(JSON.stringify(result.patch)) });
  } catch (error) {
    if (!(error instanceof AnnotationError)) throw error;
    return answer({ allowed: false, status: { code: 400, message: `wharf sidecar injection: ${error.message}` } });
  }
}
