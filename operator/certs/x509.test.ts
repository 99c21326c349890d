// Real certificates: a CA and a serving certificate made by ./x509.ts are read back as the facts
// ./rotation.ts decides on, a TLS client that trusts the bundle accepts the server for the
// Service's name only, and broken Secret contents are reported as missing or corrupt, never thrown.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { planRotation, serviceDnsNames } from './rotation.ts';
import {
  CA_BUNDLE_KEY,
  CA_KEY_KEY,
  CERT_KEY,
  carryOut,
  createCa,
  describeBundle,
  inspectSecret,
  issueServing,
  KEY_KEY,
  type SecretContents,
} from './x509.ts';

const NAMES = serviceDnsNames('wharf-webhook', 'wharf-system', 'cluster.local');
const nowMs = Date.now();
const DAY_MS = 86_400_000;
const validity = (days: number) => ({ notBeforeMs: nowMs - 60_000, notAfterMs: nowMs + days * DAY_MS });

async function handshake(contents: SecretContents, servername: string): Promise<string> {
  const server = createServer({ cert: contents[CERT_KEY], key: contents[KEY_KEY] }, (socket) => socket.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      ca: contents[CA_BUNDLE_KEY],
      servername,
    });
    const [data] = await Promise.race([once(socket, 'data'), once(socket, 'error').then(([e]) => Promise.reject(e))]);
    socket.destroy();
    return String(data);
  } finally {
    server.close();
  }
}

describe('x509', () => {
  it('makes an ECDSA P-256 CA and serving certificate that read back as the facts they were made from', async () => {
    const ca = await createCa('wharf-webhook-ca@1', validity(3650));
    const serving = await issueServing(ca, NAMES, validity(365));
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(caCert.subject).toBe('CN=wharf-webhook-ca@1');
    const cert = new X509Certificate(serving.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth

    const contents = {
      [CA_BUNDLE_KEY]: ca.certPem,
      [CA_KEY_KEY]: ca.keyPem,
      [CERT_KEY]: serving.certPem,
      [KEY_KEY]: serving.keyPem,
    };
    const { observed, caPems } = inspectSecret(contents);
    expect(observed.cas).toEqual({
      state: 'ok',
      value: [
        {
          notBeforeMs: Math.floor((nowMs - 60_000) / 1000) * 1000,
          notAfterMs: Math.floor((nowMs + 3650 * DAY_MS) / 1000) * 1000,
          fingerprint: caCert.fingerprint256,
          isCa: true,
          hasKey: true,
        },
      ],
    });
    expect(observed.serving).toMatchObject({
      state: 'ok',
      value: {
        dnsNames: NAMES,
        issuerFingerprint: caCert.fingerprint256,
        keyMatches: true,
        fingerprint: cert.fingerprint256,
      },
    });
    expect([...caPems.keys()]).toEqual([caCert.fingerprint256]);
    // A client trusting the bundle accepts the server for the Service's names, and only those.
    expect(await handshake(contents, 'wharf-webhook.wharf-system.svc')).toBe('ok');
    await expect(handshake(contents, 'other.wharf-system.svc')).rejects.toThrow(/altnames/);
  });

  it('reports missing, unparsable and mismatched parts without throwing', async () => {
    const ca = await createCa('ca', validity(10));
    const other = await createCa('other', validity(10));
    const serving = await issueServing(ca, NAMES, validity(5));
    expect(inspectSecret(undefined).observed).toEqual({
      exists: false,
      cas: { state: 'missing' },
      serving: { state: 'missing' },
    });
    expect(inspectSecret({}).observed).toEqual({
      exists: true,
      cas: { state: 'missing' },
      serving: { state: 'missing' },
    });
    const garbage = inspectSecret({
      [CA_BUNDLE_KEY]: 'not a pem',
      [CERT_KEY]: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    });
    expect(garbage.observed.cas.state).toBe('corrupt');
    expect(garbage.observed.serving.state).toBe('corrupt');
    // Keys that do not belong: ca.key of another CA, tls.key of another certificate, an RSA CA key.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const mismatched = inspectSecret({
      [CA_BUNDLE_KEY]: ca.certPem,
      [CA_KEY_KEY]: other.keyPem,
      [CERT_KEY]: serving.certPem,
      [KEY_KEY]: ca.keyPem,
    });
    expect(mismatched.observed.cas).toMatchObject({ state: 'ok', value: [{ hasKey: false }] });
    expect(mismatched.observed.serving).toMatchObject({ state: 'ok', value: { keyMatches: false } });
    expect(inspectSecret({ [CA_BUNDLE_KEY]: ca.certPem, [CA_KEY_KEY]: String(rsa) }).observed.cas).toMatchObject({
      value: [{ hasKey: false }],
    });
    // Signed by a CA that is not in the bundle.
    const untrusted = inspectSecret({
      [CA_BUNDLE_KEY]: other.certPem,
      [CERT_KEY]: serving.certPem,
      [KEY_KEY]: serving.keyPem,
    });
    expect(untrusted.observed.serving).toMatchObject({ state: 'ok', value: { issuerFingerprint: undefined } });
  });

  it('carries out a create, then a CA rotation that keeps the old CA in the bundle', async () => {
    const settings = {
      dnsNames: NAMES,
      servingValidityMs: 365 * DAY_MS,
      servingRenewBeforeMs: 30 * DAY_MS,
      caValidityMs: 3 * DAY_MS,
      overlapMs: 60_000,
    };
    const empty = inspectSecret(undefined);
    const created = await carryOut(planRotation(empty.observed, { ...settings, nowMs }), undefined, empty, 'ca@1');
    const first = inspectSecret(created);
    expect(planRotation(first.observed, { ...settings, nowMs }).changes).toEqual([]);
    // Two days later the 3-day CA has less than a third left: a new CA joins, in front.
    const laterMs = nowMs + 2 * DAY_MS;
    const plan = planRotation(first.observed, { ...settings, nowMs: laterMs });
    expect(plan.changes).toEqual([{ kind: 'ca-created', reason: 'rotation' }]);
    const rotated = await carryOut(plan, created, first, 'ca@2');
    expect(describeBundle(rotated[CA_BUNDLE_KEY] ?? '').map((c) => c.subject)).toEqual(['ca@2', 'ca@1']);
    expect(rotated[CERT_KEY]).toBe(created[CERT_KEY]);
    const second = inspectSecret(rotated);
    expect(second.observed.cas).toMatchObject({ value: [{ hasKey: true }, { hasKey: false }] });
    // After the overlap, the serving certificate moves to the new CA and still verifies.
    const switched = await carryOut(
      planRotation(second.observed, { ...settings, nowMs: laterMs + 60_000 }),
      rotated,
      second,
      'unused',
    );
    expect(switched[CERT_KEY]).not.toBe(created[CERT_KEY]);
    const third = inspectSecret(switched);
    const [signer] = third.observed.cas.state === 'ok' ? third.observed.cas.value : [];
    expect(third.observed.serving).toMatchObject({ value: { issuerFingerprint: signer?.fingerprint } });
    const newCa = new X509Certificate(
      `${(switched[CA_BUNDLE_KEY] ?? '').split('-----END CERTIFICATE-----')[0]}-----END CERTIFICATE-----`,
    );
    expect(new X509Certificate(switched[CERT_KEY] ?? '').verify(newCa.publicKey)).toBe(true);
  });
});
