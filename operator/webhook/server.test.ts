// The webhook server on a loopback port with a real HTTPS client: AdmissionReview in, patch out;
// a rotated certificate is served without a restart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { type RunningWebhook, startWebhook } from './server.ts';

const dir = mkdtempSync(join(tmpdir(), 'wharf-webhook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for 127.0.0.1 written to NAME.crt / NAME.key. */
function selfSigned(name: string): { certFile: string; keyFile: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '1',
    ].concat(['-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1']),
    { cwd: dir, stdio: 'pipe' },
  );
  return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
}

function post(port: number, body: unknown): Promise<{ status: number; json: unknown; peerCn: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mutate',
        method: 'POST',
        agent: false, // a fresh connection and handshake each time, so a new certificate shows
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text), peerCn: String(peer.subject?.CN ?? '') }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const review = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u-7',
    kind: { kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'shop',
    object: { spec: { containers: [{ name: 'app' }] } },
  },
};

const injector = {
  sidecarImage: 'wharf/sidecar:test',
  defaultCluster: 'messaging/wharf',
  clusterDomain: 'cluster.local',
  serverVersion: { major: 1, minor: 28 },
  otlpEndpoint: '',
  defaultLogLevel: 'info',
};

describe('webhook server', () => {
  let webhook: RunningWebhook | undefined;
  let inMemory: RunningWebhook | undefined;
  afterAll(async () => {
    await webhook?.close();
    await inMemory?.close();
  });

  it('answers an AdmissionReview over HTTPS, refuses garbage, and serves a rotated certificate', async () => {
    const first = selfSigned('first');
    webhook = await startWebhook({
      host: '127.0.0.1',
      port: 0,
      files: first,
      certReloadMs: 20,
      logger: silentLogger(),
      config: injector,
    });
    const answer = await post(webhook.port, review);
    expect(answer.status).toBe(200);
    expect(answer.peerCn).toBe('first');
    const response = (answer.json as { response: { uid: string; patch: string } }).response;
    expect(response.uid).toBe('u-7');
    const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString()) as { path: string }[];
    expect(patch[0]?.path).toBe('/spec/containers/-'); // 1.28: a regular container
    expect((await post(webhook.port, { nope: true })).status).toBe(400);

    const second = selfSigned('second');
    renameSync(second.keyFile, first.keyFile);
    renameSync(second.certFile, first.certFile);
    const deadline = Date.now() + 5_000;
    let cn = '';
    while (cn !== 'second' && Date.now() < deadline) cn = (await post(webhook.port, review)).peerCn;
    expect(cn).toBe('second');
  });

  it('without files: refuses handshakes until setCertificate, then serves what it is given; a bad pair is refused', async () => {
    inMemory = await startWebhook({ host: '127.0.0.1', port: 0, logger: silentLogger(), config: injector });
    expect(inMemory.hasCertificate()).toBe(false);
    await expect(post(inMemory.port, review)).rejects.toThrow();
    const pem = (name: string) => {
      const files = selfSigned(name);
      return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') };
    };
    const one = pem('one');
    inMemory.setCertificate(one);
    expect(inMemory.hasCertificate()).toBe(true);
    expect((await post(inMemory.port, review)).peerCn).toBe('one');
    const two = pem('two');
    expect(() => inMemory?.setCertificate({ cert: two.cert, key: one.key })).toThrow();
    expect((await post(inMemory.port, review)).peerCn).toBe('one');
    inMemory.setCertificate(two);
    expect((await post(inMemory.port, review)).peerCn).toBe('two');
  });

  it("asks for the CA of the pod's cluster first: given one, the sidecar gets it; failing, the pod is refused", async () => {
    const asked: string[] = [];
    let failure: Error | undefined;
    const trusting = await startWebhook({
      host: '127.0.0.1',
      port: 0,
      files: selfSigned('trusting'),
      logger: silentLogger(),
      config: injector,
      trust: async (cluster) => {
        asked.push(`${cluster.namespace}/${cluster.name}`);
        if (failure !== undefined) throw failure;
        return { caPem: 'CA PEM' };
      },
    });
    try {
      const answer = (await post(trusting.port, review)).json as { response: { patch: string } };
      const patch = JSON.parse(Buffer.from(answer.response.patch, 'base64').toString()) as {
        value: { env?: { name: string; value?: string }[] };
      }[];
      expect(patch[0]?.value.env).toContainEqual({ name: 'WHARF_TLS_CA_PEM', value: 'CA PEM' });
      expect(asked).toEqual(['messaging/wharf']);
      failure = new Error(
        'WharfCluster messaging/wharf has TLS on, but its Secret messaging/wharf-tls does not exist (yet)',
      );
      const refused = (await post(trusting.port, review)).json as { response: unknown };
      expect(refused.response).toEqual({
        uid: 'u-7',
        allowed: false,
        status: { code: 500, message: `wharf sidecar injection: ${failure.message}` },
      });
    } finally {
      await trusting.close();
    }
  });
});
