// The webhook certificate Secret's contents, at the edge: certificates are made with @peculiar/x509
// (node:crypto makes keys but not certificates) on Node's WebCrypto, ECDSA P-256 with SHA-256; they
// are read with node:crypto's X509Certificate into the plain facts ./rotation.ts decides on; and a
// plan is carried out into the next Secret data.
//
// Secret data (kubernetes.io/tls, so the cert-manager layout is kept):
//   ca.crt   the CA bundle, newest first: the MutatingWebhookConfiguration's caBundle
//   ca.key   the private key of the newest CA (the signer)
//   tls.crt  the serving certificate, signed by a CA of the bundle
//   tls.key  its private key
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first
import { createPrivateKey, type KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type {
  BundleEntry,
  CaFacts,
  CertFacts,
  ObservedSecret,
  Parsed,
  RotationPlan,
  ServingFacts,
  Validity,
} from './rotation.ts';

export const CA_BUNDLE_KEY = 'ca.crt';
export const CA_KEY_KEY = 'ca.key';
export const CERT_KEY = 'tls.crt';
export const KEY_KEY = 'tls.key';

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const CN_CHARS_MAX = 64;
const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const { subtle } = webcrypto;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Secret data with the PEM texts decoded (what `data` holds base64-encoded). */
export type SecretContents = Readonly<Record<string, string>>;

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

const dates = (v: Validity) => ({ notBefore: new Date(v.notBeforeMs), notAfter: new Date(v.notAfterMs) });

/** A self-signed CA (basicConstraints CA:TRUE, pathlen 0) for signing serving certificates. */
export async function createCa(commonName: string, validity: Validity): Promise<PemPair> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName.slice(0, CN_CHARS_MAX)}`,
    ...dates(validity),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** A TLS server certificate for `dnsNames`, signed by `ca`. */
export async function issueServing(ca: PemPair, dnsNames: readonly string[], validity: Validity): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.keyPem).export({ format: 'der', type: 'pkcs8' }),
    EC_ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${(dnsNames[0] ?? 'wharf-webhook').slice(0, CN_CHARS_MAX)}`,
    issuer: caCert.subject,
    ...dates(validity),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

function facts(cert: X509Certificate): CertFacts {
  return {
    notBeforeMs: cert.validFromDate.getTime(),
    notAfterMs: cert.validToDate.getTime(),
    fingerprint: cert.fingerprint256,
  };
}

function privateKey(pem: string | undefined): KeyObject | undefined {
  if (pem === undefined || pem.trim() === '') return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/** Only keys we can sign with count as a CA's key: ECDSA P-256. */
const isP256 = (key: KeyObject): boolean =>
  key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';

export interface InspectedSecret {
  readonly observed: ObservedSecret;
  /** The bundle's certificates by fingerprint, as PEM. */
  readonly caPems: ReadonlyMap<string, string>;
}

/** What `contents` holds, as facts; undefined contents: there is no Secret. */
export function inspectSecret(contents: SecretContents | undefined): InspectedSecret {
  const caPems = new Map<string, string>();
  if (contents === undefined) {
    return { observed: { exists: false, cas: { state: 'missing' }, serving: { state: 'missing' } }, caPems };
  }
  const caKey = privateKey(contents[CA_KEY_KEY]);
  let cas: Parsed<readonly CaFacts[]>;
  const parsedCas: X509Certificate[] = [];
  const bundle = contents[CA_BUNDLE_KEY] ?? '';
  const blocks = bundle.match(CERT_PEM) ?? [];
  if (bundle.trim() === '') cas = { state: 'missing' };
  else if (blocks.length === 0) cas = { state: 'corrupt', why: `${CA_BUNDLE_KEY} holds no PEM certificate` };
  else {
    try {
      for (const block of blocks) parsedCas.push(new X509Certificate(block));
      cas = {
        state: 'ok',
        value: parsedCas.map((cert) => {
          caPems.set(cert.fingerprint256, cert.toString());
          return {
            ...facts(cert),
            isCa: cert.ca,
            hasKey: caKey !== undefined && isP256(caKey) && cert.checkPrivateKey(caKey),
          };
        }),
      };
    } catch (error) {
      parsedCas.length = 0;
      caPems.clear();
      cas = { state: 'corrupt', why: `${CA_BUNDLE_KEY}: ${(error as Error).message}` };
    }
  }
  let serving: Parsed<ServingFacts>;
  const certText = contents[CERT_KEY] ?? '';
  const certBlock = certText.match(CERT_PEM)?.[0];
  if (certText.trim() === '') serving = { state: 'missing' };
  else if (certBlock === undefined) serving = { state: 'corrupt', why: `${CERT_KEY} holds no PEM certificate` };
  else {
    try {
      const cert = new X509Certificate(certBlock);
      const key = privateKey(contents[KEY_KEY]);
      const issuer = parsedCas.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
      serving = {
        state: 'ok',
        value: {
          ...facts(cert),
          dnsNames: dnsNamesOf(cert),
          issuerFingerprint: issuer?.fingerprint256,
          keyMatches: key !== undefined && cert.checkPrivateKey(key),
        },
      };
    } catch (error) {
      serving = { state: 'corrupt', why: `${CERT_KEY}: ${(error as Error).message}` };
    }
  }
  return { observed: { exists: true, cas, serving }, caPems };
}

/** "DNS:a, DNS:b, IP Address:…" → [a, b]. */
function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('DNS:'))
    .map((part) => part.slice('DNS:'.length));
}

/** The Secret contents after `plan`, making the CA and certificate it asks for. */
export async function carryOut(
  plan: RotationPlan,
  current: SecretContents | undefined,
  inspected: InspectedSecret,
  caCommonName: string,
): Promise<SecretContents> {
  let signer: PemPair | undefined;
  if (plan.newCa !== undefined) signer = await createCa(caCommonName, plan.newCa);
  const pemOf = (entry: BundleEntry): string => {
    const pem = entry.kind === 'new' ? signer?.certPem : inspected.caPems.get(entry.fingerprint);
    if (pem === undefined) throw new Error(`the plan names a CA the Secret does not hold: ${JSON.stringify(entry)}`);
    return pem.trim();
  };
  const bundlePem = `${plan.bundle.map(pemOf).join('\n')}\n`;
  const first = plan.bundle[0];
  if (first === undefined) throw new Error('the plan has an empty CA bundle');
  const caKeyPem = signer?.keyPem ?? current?.[CA_KEY_KEY] ?? '';
  let cert = current?.[CERT_KEY] ?? '';
  let key = current?.[KEY_KEY] ?? '';
  if (plan.newServing !== undefined) {
    const issued = await issueServing(
      { certPem: pemOf(first), keyPem: caKeyPem },
      plan.newServing.dnsNames,
      plan.newServing,
    );
    cert = issued.certPem;
    key = issued.keyPem;
  }
  return { [CA_BUNDLE_KEY]: bundlePem, [CA_KEY_KEY]: caKeyPem, [CERT_KEY]: cert, [KEY_KEY]: key };
}

/** The bundle's certificates, for logs: subject CN and expiry. */
export function describeBundle(bundlePem: string): { readonly subject: string; readonly notAfter: string }[] {
  return (bundlePem.match(CERT_PEM) ?? []).map((pem) => {
    const cert = new X509Certificate(pem);
    return { subject: cert.subject.replace(/^CN=/, ''), notAfter: cert.validToDate.toISOString() };
  });
}
