// TLS material from PEM files: checked before it is used, and followed as the files change, so a
// certificate that cert-manager renews in place is served from the next handshake on without a
// restart. The layout is a kubernetes.io/tls Secret's as cert-manager writes it:
//   tls.crt  the certificate, then any intermediates
//   tls.key  its private key
//   ca.crt   the CA bundle: what the other side's certificate is checked against
// A client that only verifies servers needs ca.crt alone.
//
// Files are read again when their directory changes (fs.watch: a Secret volume swaps a `..data`
// symlink, an editor or a test rewrites the files) and every `pollMs` in case an event is missed.
// A change is taken only when the set is consistent again (a key written before its certificate
// is a mismatch until both are there): until then the last good material stays in use.
//
// TlsFiles is a grpc-js CertificateProvider (grpc.experimental, the way grpc-js 1.14 reloads
// credentials; see serverCredentials and channelCredentials below).
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TlsFilesError } from './errors.ts';
import type { Logger } from './logger.ts';

export const TLS_CERT_FILE = 'tls.crt';
export const TLS_KEY_FILE = 'tls.key';
export const TLS_CA_FILE = 'ca.crt';

/** Extended key usages (OIDs) a certificate may be limited to. */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Longest chain walked from tls.crt to a CA of the bundle. */
const CHAIN_LENGTH_MAX = 8;
export const TLS_POLL_MS_DEFAULT = 30_000;
/** Events for one rewrite come in bursts: read once they settle. */
const SETTLE_MS = 50;

export interface TlsPaths {
  /** With keyFile: the identity presented to the other side. Absent: verify the other side only. */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile: string;
}

/** The three files of a kubernetes.io/tls Secret mounted at `dir`. */
export function tlsDirPaths(dir: string): Required<TlsPaths> {
  return { certFile: join(dir, TLS_CERT_FILE), keyFile: join(dir, TLS_KEY_FILE), caFile: join(dir, TLS_CA_FILE) };
}

/**
 * What the certificate is used for, checked against its extended key usage when it lists one:
 * `server` (a client port), `server+client` (a peer port: each side presents it to the other).
 */
export type TlsRole = 'server' | 'server+client';

export interface TlsIdentity {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly subject: string;
  readonly fingerprint: string;
  readonly notAfterMs: number;
}

export interface TlsMaterial {
  /** The CA bundle, PEM. */
  readonly ca: Buffer;
  readonly identity: TlsIdentity | undefined;
}

interface FileTexts {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca: Buffer;
}

async function readOne(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TlsFilesError(file, 'no such file');
    if (code === 'EACCES' || code === 'EPERM') throw new TlsFilesError(file, 'cannot be read (permission denied)');
    if (code === 'EISDIR') throw new TlsFilesError(file, 'is a directory, not a PEM file');
    throw new TlsFilesError(file, `cannot be read (${(error as Error).message})`);
  }
  if (bytes.toString('utf8').trim() === '') throw new TlsFilesError(file, 'is empty');
  return bytes;
}

async function readTexts(paths: TlsPaths): Promise<FileTexts> {
  if ((paths.certFile === undefined) !== (paths.keyFile === undefined)) {
    throw new Error('a certificate file needs its key file and the other way round');
  }
  // One after the other, so the file named when several are missing is always the same one.
  const cert = paths.certFile === undefined ? undefined : await readOne(paths.certFile);
  const key = paths.keyFile === undefined ? undefined : await readOne(paths.keyFile);
  const ca = await readOne(paths.caFile);
  return { ca, ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
}

function certificates(bytes: Buffer, file: string): X509Certificate[] {
  const blocks = bytes.toString('utf8').match(CERT_PEM) ?? [];
  if (blocks.length === 0) throw new TlsFilesError(file, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new TlsFilesError(file, `certificate ${index + 1} cannot be parsed (${(error as Error).message})`);
    }
  });
}

const issuedBy = (cert: X509Certificate, issuer: X509Certificate): boolean =>
  cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/** The material in `texts`, checked; throws TlsFilesError naming the file at fault. */
export function checkMaterial(texts: FileTexts, paths: TlsPaths, role: TlsRole | undefined): TlsMaterial {
  const cas = certificates(texts.ca, paths.caFile);
  const { certFile, keyFile } = paths;
  if (texts.cert === undefined || texts.key === undefined || certFile === undefined || keyFile === undefined) {
    return { ca: texts.ca, identity: undefined };
  }
  const chain = certificates(texts.cert, certFile);
  const leaf = chain[0] as X509Certificate;
  let key: KeyObject;
  try {
    key = createPrivateKey(texts.key);
  } catch (error) {
    throw new TlsFilesError(keyFile, `is not a PEM private key (${(error as Error).message})`);
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsFilesError(keyFile, `is not the private key of the certificate in ${certFile}`);
  }
  // Walk up through the intermediates tls.crt carries until a CA of the bundle signed one.
  let current = leaf;
  for (let depth = 0; !cas.some((ca) => issuedBy(current, ca)); depth++) {
    const parent = chain.find((c) => c !== current && issuedBy(current, c));
    if (parent === undefined || depth >= CHAIN_LENGTH_MAX) {
      throw new TlsFilesError(
        certFile,
        `is not signed by a CA in ${paths.caFile} (issuer ${current.issuer.replace(/\n/g, ', ')}); ` +
          'the other side would refuse it',
      );
    }
    current = parent;
  }
  // Node lists the extended key usages (OIDs) here; a certificate without the extension has none.
  const usages = (leaf.keyUsage as string[] | undefined) ?? [];
  const needed = role === 'server+client' ? [SERVER_AUTH, CLIENT_AUTH] : role === 'server' ? [SERVER_AUTH] : [];
  for (const usage of needed) {
    if (usages.length > 0 && !usages.includes(usage)) {
      const name = usage === SERVER_AUTH ? 'server auth' : 'client auth';
      throw new TlsFilesError(
        certFile,
        `does not allow "${name}" (extended key usage ${usages.join(', ')}); peers present this certificate ` +
          'as server and as client (cert-manager: usages: [server auth, client auth])',
      );
    }
  }
  return {
    ca: texts.ca,
    identity: {
      cert: texts.cert,
      key: texts.key,
      subject: leaf.subject.replace(/\n/g, ', '),
      fingerprint: leaf.fingerprint256,
      notAfterMs: leaf.validToDate.getTime(),
    },
  };
}

/** Reads and checks the files once; throws TlsFilesError naming the file at fault. */
export async function readMaterial(paths: TlsPaths, role?: TlsRole): Promise<TlsMaterial> {
  return checkMaterial(await readTexts(paths), paths, role);
}

const same = (a: Buffer | undefined, b: Buffer | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.equals(b);

export interface TlsFilesOptions {
  readonly logger: Logger;
  /** What the certificate is used for (checked against its extended key usage). */
  readonly role?: TlsRole;
  /** How often the files are read again even without a change event. Default 30 s. */
  readonly pollMs?: number;
}

type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** TLS files, checked at open and followed as they change; a grpc-js CertificateProvider. */
export class TlsFiles implements grpc.experimental.CertificateProvider {
  readonly paths: TlsPaths;
  readonly #options: TlsFilesOptions;
  #material: TlsMaterial;
  #texts: FileTexts;
  readonly #caListeners = new Set<CaListener>();
  readonly #identityListeners = new Set<IdentityListener>();
  readonly #changeListeners = new Set<(material: TlsMaterial) => void>();
  readonly #watchers: FSWatcher[] = [];
  #poll: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;
  #reading: Promise<boolean> | undefined;
  #lastProblem = '';
  #closed = false;

  private constructor(paths: TlsPaths, options: TlsFilesOptions, texts: FileTexts, material: TlsMaterial) {
    this.paths = paths;
    this.#options = options;
    this.#texts = texts;
    this.#material = material;
  }

  /** Reads and checks the files (TlsFilesError when they cannot be used), then follows them. */
  static async open(paths: TlsPaths, options: TlsFilesOptions): Promise<TlsFiles> {
    const texts = await readTexts(paths);
    const material = checkMaterial(texts, paths, options.role);
    const identity = material.identity;
    if (identity !== undefined && identity.notAfterMs < Date.now()) {
      options.logger.warn(
        { certFile: paths.certFile, notAfter: new Date(identity.notAfterMs).toISOString() },
        'the TLS certificate has expired: the other side will refuse it until it is renewed',
      );
    }
    const files = new TlsFiles(paths, options, texts, material);
    files.#follow();
    return files;
  }

  /** The files of a kubernetes.io/tls Secret mounted at `dir`. */
  static openDir(dir: string, options: TlsFilesOptions): Promise<TlsFiles> {
    return TlsFiles.open(tlsDirPaths(dir), options);
  }

  get material(): TlsMaterial {
    return this.#material;
  }

  /** `listener` hears of every change taken (after the gRPC credentials were told). */
  onChange(listener: (material: TlsMaterial) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Reads the files now; resolves true when they changed and the new set was taken. */
  reload(): Promise<boolean> {
    this.#reading ??= this.#readOnce().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  close(): void {
    this.#closed = true;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    if (this.#settle !== undefined) clearTimeout(this.#settle);
    for (const watcher of this.#watchers.splice(0)) watcher.close();
  }

  // grpc.experimental.CertificateProvider. The first update goes out on the next tick, never from
  // inside add*Listener: grpc-js's server credentials register their own watcher only after adding
  // their listeners, and would miss an update delivered synchronously.
  addCaCertificateListener(listener: CaListener): void {
    this.#caListeners.add(listener);
    process.nextTick(() => {
      if (this.#caListeners.has(listener)) listener({ caCertificate: this.#material.ca });
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.add(listener);
    process.nextTick(() => {
      if (this.#identityListeners.has(listener)) listener(this.#identityUpdate());
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.delete(listener);
  }

  #identityUpdate(): grpc.experimental.IdentityCertificateUpdate | null {
    const identity = this.#material.identity;
    return identity === undefined ? null : { certificate: identity.cert, privateKey: identity.key };
  }

  #follow(): void {
    const dirs = new Set(
      [this.paths.caFile, this.paths.certFile, this.paths.keyFile].flatMap((f) => (f ? [dirname(f)] : [])),
    );
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#changed());
        watcher.on('error', () => {}); // the directory went away: polling still reads the files
        this.#watchers.push(watcher);
      } catch (error) {
        this.#options.logger.warn({ err: error, dir }, 'cannot watch the TLS directory; reading it on a timer only');
      }
    }
    this.#poll = setInterval(() => void this.reload(), this.#options.pollMs ?? TLS_POLL_MS_DEFAULT);
    this.#poll.unref();
  }

  #changed(): void {
    if (this.#closed) return;
    if (this.#settle !== undefined) clearTimeout(this.#settle);
    this.#settle = setTimeout(() => {
      this.#settle = undefined;
      void this.reload();
    }, SETTLE_MS);
    this.#settle.unref();
  }

  async #readOnce(): Promise<boolean> {
    const logger = this.#options.logger;
    let texts: FileTexts;
    let material: TlsMaterial;
    try {
      texts = await readTexts(this.paths);
      if (same(texts.ca, this.#texts.ca) && same(texts.cert, this.#texts.cert) && same(texts.key, this.#texts.key)) {
        this.#lastProblem = '';
        return false;
      }
      material = checkMaterial(texts, this.paths, this.#options.role);
    } catch (error) {
      // Mid-rotation (one file new, the other old) or broken: keep serving what worked, say so once.
      const problem = (error as Error).message;
      if (problem !== this.#lastProblem) {
        logger.warn({ problem }, 'TLS files changed but cannot be used (yet); keeping the current certificate');
        this.#lastProblem = problem;
      }
      return false;
    }
    if (this.#closed) return false;
    this.#lastProblem = '';
    const caChanged = !texts.ca.equals(this.#texts.ca);
    this.#texts = texts;
    this.#material = material;
    logger.info(
      {
        subject: material.identity?.subject,
        fingerprint: material.identity?.fingerprint,
        notAfter: material.identity === undefined ? undefined : new Date(material.identity.notAfterMs).toISOString(),
        caChanged,
      },
      'TLS files reloaded: new connections use them',
    );
    for (const listener of this.#caListeners) listener({ caCertificate: material.ca });
    for (const listener of this.#identityListeners) listener(this.#identityUpdate());
    for (const listener of this.#changeListeners) listener(material);
    return true;
  }
}

/**
 * Server credentials from `files` (plaintext when undefined). `mutual`: the client must present a
 * certificate signed by a CA of the bundle, or the handshake fails.
 */
export function serverCredentials(files: TlsFiles | undefined, mutual: boolean): grpc.ServerCredentials {
  if (files === undefined) return grpc.ServerCredentials.createInsecure();
  // grpc-js 1.14 declares the parameters as (caCertificateProvider, identityCertificateProvider,
  // ...) but hands the first to its credentials as the identity and the second as the CA (which
  // also decides whether a client certificate is asked for). tls.test.ts pins this down.
  return grpc.experimental.createCertificateProviderServerCredentials(files, mutual ? files : null, mutual);
}

/**
 * Channel credentials that verify the server against the CA bundle of `files` (and present its
 * certificate when `presentIdentity`: the peer port's mutual TLS). Plaintext when undefined.
 */
export function channelCredentials(files: TlsFiles | undefined, presentIdentity = false): grpc.ChannelCredentials {
  if (files === undefined) return grpc.credentials.createInsecure();
  return grpc.experimental.createCertificateProviderChannelCredentials(files, presentIdentity ? files : null);
}
