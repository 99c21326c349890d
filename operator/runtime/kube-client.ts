// A small REST client for the Kubernetes API on top of @kubernetes/client-node's KubeConfig
// (authentication, TLS) and its fetch: we choose the content type of every call ourselves, so
// server-side apply really is `application/apply-patch+yaml` with a field manager and force, and
// status goes through the /status subresource. Failures are KubeApiError with the HTTP status and
// the API server's reason.
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  PatchStrategy,
  RequestContext,
} from '@kubernetes/client-node';

export const REQUEST_TIMEOUT_MS = 30_000;

export class KubeApiError extends Error {
  override name = 'KubeApiError';
  readonly statusCode: number;
  /** metav1.Status reason (NotFound, Conflict, AlreadyExists, Invalid, ...), or '' when none came. */
  readonly reason: string;
  constructor(method: string, path: string, statusCode: number, reason: string, message: string) {
    super(`${method} ${path}: ${statusCode} ${reason}${message === '' ? '' : `: ${message}`}`);
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.statusCode === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.statusCode === 409;

export interface ListResult<T> {
  readonly items: T[];
  readonly metadata: { readonly resourceVersion?: string };
}

export interface KubeClient {
  /** Undefined on 404. */
  get<T>(path: string): Promise<T | undefined>;
  list<T>(path: string, labelSelector?: string): Promise<ListResult<T>>;
  create<T>(path: string, body: unknown): Promise<T>;
  /** PUT: optimistic concurrency through metadata.resourceVersion in `body`. */
  replace<T>(path: string, body: unknown): Promise<T>;
  /** Server-side apply as `fieldManager`, with force (the operator owns the fields it sends). */
  apply<T>(path: string, body: unknown, fieldManager: string): Promise<T>;
  /** JSON merge patch (RFC 7386). */
  mergePatch<T>(path: string, body: unknown): Promise<T>;
  /** Undefined when the object was already gone. */
  delete(path: string, propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'): Promise<void>;
  /** GET of a non-resource path such as /version. */
  raw<T>(path: string): Promise<T>;
}

export function createKubeClient(config: KubeConfig): KubeClient {
  const http = new IsomorphicFetchHttpLibrary();
  const server = (): string => {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    return cluster.server.replace(/\/$/, '');
  };
  const request = async <T>(
    method: HttpMethod,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Record<string, string> } = {},
  ): Promise<T> => {
    const url = new URL(server() + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const context = new RequestContext(url.toString(), method);
    await config.applySecurityAuthentication(context);
    context.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(JSON.stringify(options.body));
    }
    context.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    const response = await http.send(context).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode >= 300) {
      let reason = '';
      let message = text.slice(0, 500);
      try {
        const status = JSON.parse(text) as { reason?: string; message?: string };
        reason = status.reason ?? '';
        message = status.message ?? message;
      } catch {
        // not a metav1.Status: keep the text
      }
      throw new KubeApiError(method, path, response.httpStatusCode, reason, message);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    async get<T>(path: string) {
      try {
        return await request<T>(HttpMethod.GET, path);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    list: <T>(path: string, labelSelector?: string) =>
      request<ListResult<T>>(HttpMethod.GET, path, labelSelector === undefined ? {} : { query: { labelSelector } }),
    create: (path, body) => request(HttpMethod.POST, path, { body }),
    replace: (path, body) => request(HttpMethod.PUT, path, { body }),
    apply: (path, body, fieldManager) =>
      request(HttpMethod.PATCH, path, {
        body,
        contentType: PatchStrategy.ServerSideApply,
        query: { fieldManager, force: 'true' },
      }),
    mergePatch: (path, body) => request(HttpMethod.PATCH, path, { body, contentType: PatchStrategy.MergePatch }),
    async delete(path, propagationPolicy = 'Background') {
      try {
        await request(HttpMethod.DELETE, path, { query: { propagationPolicy } });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    raw: (path) => request(HttpMethod.GET, path),
  };
}
