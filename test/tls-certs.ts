// Certificates for TLS tests: a CA and certificates it signs, made with @peculiar/x509 (the X.509
// library the operator's webhook certificates use; node:crypto makes keys but not certificates),
// ECDSA P-256. Broker certificates are for 127.0.0.1 and localhost, usable as server and as client
// (the peer port's mutual TLS), as a cert-manager Certificate with usages [server auth, client auth].
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first
import { webcrypto } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE } from '../common/tls.ts';

const { subtle } = webcrypto;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface TestCa {
  readonly certPem: string;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly cert: x509.X509Certificate;
}

export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(2, '0');

export async function createTestCa(commonName = 'wharf-test-ca'): Promise<TestCa> {
  const keys = await subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 30 * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keys, cert };
}

export interface IssueOptions {
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  /** Default both: a broker certificate. */
  readonly usages?: readonly ('server' | 'client')[];
}

/** A leaf certificate signed by `ca` (default: for 127.0.0.1 and localhost, server and client). */
export async function issueTestCert(ca: TestCa, options: IssueOptions = {}): Promise<TestCert> {
  const keys = await subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const usages = options.usages ?? ['server', 'client'];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${options.commonName ?? 'wharf-broker'}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 7 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth)),
      ),
      new x509.SubjectAlternativeNameExtension([
        ...(options.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
        ...(options.ips ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/**
 * Writes tls.crt, tls.key and ca.crt into `dir` (made if missing), each through a temporary file
 * and a rename so a reader never sees half a file. Returns `dir`.
 */
export function writeTlsDir(dir: string, cert: TestCert, caPem: string): string {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, text: string) => {
    writeFileSync(join(dir, `.${name}.tmp`), text);
    renameSync(join(dir, `.${name}.tmp`), join(dir, name));
  };
  put(TLS_CA_FILE, caPem);
  put(TLS_CERT_FILE, cert.certPem);
  put(TLS_KEY_FILE, cert.keyPem);
  return dir;
}
