// The webhook's HTTPS server: POST /mutate takes an AdmissionReview and answers with admit();
// GET /healthz for probes. The TLS certificate and key come either from files (a Secret mounted by
// the chart with cert-manager, or the test's own CA), read again every minute so a rotated
// certificate is served without a restart; or from the caller through setCertificate (the operator
// reads its own certificate Secret through the API: ../certs/webhook-certs.ts). Until a certificate
// is there, every handshake fails (and the API server applies the webhook's failurePolicy). Bodies
// are bounded. Before admitting a pod it asks `trust` for the CA of the pod's cluster (its brokers
// may serve TLS); when that cannot be read, the pod is refused with the reason.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../../common/logger.ts';
import { AdmissionRequestError, admissionTarget, admit, refuse } from './admission.ts';
import type { InjectorConfig, SidecarTrust } from './sidecar-patch.ts';

export const MUTATE_PATH = '/mutate';
/** How often the certificate files are read again (cert-manager rotates them in place). */
export const CERT_RELOAD_MS = 60_000;
const BODY_BYTES_MAX = 4 * 1024 * 1024;

export interface WebhookOptions {
  readonly host: string;
  readonly port: number;
  /** PEM files read at start and every certReloadMs; undefined: setCertificate() provides them. */
  readonly files?: { readonly certFile: string; readonly keyFile: string };
  readonly config: InjectorConfig;
  readonly logger: Logger;
  /** Default CERT_RELOAD_MS. */
  readonly certReloadMs?: number;
  /**
   * The CA of a WharfCluster's brokers when they serve TLS (undefined: plaintext); throws when it
   * cannot be read. Unset: sidecars are never told a CA.
   */
  readonly trust?: (cluster: {
    readonly namespace: string;
    readonly name: string;
  }) => Promise<SidecarTrust | undefined>;
}

export interface CertificatePair {
  /** PEM. */
  readonly cert: string;
  readonly key: string;
}

export interface RunningWebhook {
  readonly port: number;
  /** Serves this certificate from the next handshake on; throws (keeping the old one) on a bad pair. */
  setCertificate(pair: CertificatePair): void;
  /** Whether a certificate is being served. */
  hasCertificate(): boolean;
  close(): Promise<void>;
}

export async function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const { logger } = options;
  const { files } = options;
  const read = (): { cert: Buffer; key: Buffer } | undefined =>
    files === undefined ? undefined : { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  let current = read();
  const server: Server = createServer(current ?? {}, (req, res) => {
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/healthz') {
      reply(200, { ok: true });
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith(MUTATE_PATH)) {
      reply(404, { error: 'not found' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_BYTES_MAX) {
        reply(413, { error: 'request too large' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', async () => {
      try {
        const review: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const target = options.trust === undefined ? undefined : admissionTarget(review, options.config);
        let trust: SidecarTrust | undefined;
        if (target !== undefined && options.trust !== undefined) {
          try {
            trust = await options.trust(target);
          } catch (error) {
            // A sidecar that could not verify its brokers would never connect: say why instead.
            logger.warn({ err: error, cluster: target }, 'sidecar injection refused: no CA for the cluster');
            reply(200, refuse(review, 500, (error as Error).message));
            return;
          }
        }
        const answer = admit(review, options.config, (json) => Buffer.from(json).toString('base64'), trust);
        logger.debug({ uid: answer.response?.uid, allowed: answer.response?.allowed }, 'admission review');
        reply(200, answer);
      } catch (error) {
        const bad = error instanceof SyntaxError || error instanceof AdmissionRequestError;
        logger.warn({ err: error }, 'admission review failed');
        reply(bad ? 400 : 500, { error: bad ? (error as Error).message : 'internal error' });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port }, 'webhook listening');
  const serve = (next: { cert: Buffer; key: Buffer }): void => {
    createSecureContext(next); // throws on a half-written or mismatched pair: keep the old one
    server.setSecureContext(next);
    current = next;
  };
  const reload =
    files === undefined
      ? undefined
      : setInterval(() => {
          try {
            const next = read();
            if (next === undefined || (current?.cert.equals(next.cert) && current.key.equals(next.key))) return;
            serve(next);
            logger.info({ certFile: files.certFile }, 'webhook certificate reloaded');
          } catch (error) {
            logger.warn({ err: error, certFile: files.certFile }, 'webhook certificate not reloaded');
          }
        }, options.certReloadMs ?? CERT_RELOAD_MS);
  reload?.unref();
  return {
    port,
    setCertificate(pair) {
      const next = { cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) };
      if (current?.cert.equals(next.cert) && current.key.equals(next.key)) return;
      serve(next);
    },
    hasCertificate: () => current !== undefined,
    close: () =>
      new Promise((resolve) => {
        clearInterval(reload);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
