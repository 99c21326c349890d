// TLS files: what cannot be used is refused with the file named; grpc-js servers built on TlsFiles
// serve its certificate (and, mutual, refuse a client without one of the CA's), and a rewrite of
// the files reaches new connections without a restart while a half-done rewrite is not taken.
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueTestCert, type TestCa, type TestCert, writeTlsDir } from '../test/tls-certs.ts';
import { TlsFilesError } from './errors.ts';
import { silentLogger } from './logger.ts';
import {
  channelCredentials,
  readMaterial,
  serverCredentials,
  TLS_CA_FILE,
  TLS_CERT_FILE,
  TLS_KEY_FILE,
  TlsFiles,
  tlsDirPaths,
} from './tls.ts';

let ca: TestCa;
let other: TestCa;
let cert: TestCert;
const dirs: string[] = [];
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  ca = await createTestCa('wharf-test-ca');
  other = await createTestCa('someone-else');
  cert = await issueTestCert(ca);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-tls-'));
  dirs.push(dir);
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TlsFilesError);
    return (error as Error).message;
  }
  throw new Error('expected a TlsFilesError');
}

describe('readMaterial', () => {
  it('takes a consistent set and names the file at fault otherwise', async () => {
    const dir = writeTlsDir(tempDir(), cert, ca.certPem);
    const material = await readMaterial(tlsDirPaths(dir), 'server+client');
    expect(material.identity?.subject).toBe('CN=wharf-broker');

    const empty = tempDir();
    expect(await refusal(readMaterial(tlsDirPaths(empty)))).toBe(`${join(empty, TLS_CERT_FILE)}: no such file`);
    expect(await refusal(readMaterial({ caFile: join(empty, TLS_CA_FILE) }))).toBe(
      `${join(empty, TLS_CA_FILE)}: no such file`,
    );

    const foreignKey = await issueTestCert(ca);
    const mismatched = writeTlsDir(tempDir(), { certPem: cert.certPem, keyPem: foreignKey.keyPem }, ca.certPem);
    expect(await refusal(readMaterial(tlsDirPaths(mismatched)))).toMatch(
      /tls\.key: is not the private key of the certificate in .*tls\.crt$/,
    );

    const wrongCa = writeTlsDir(tempDir(), cert, other.certPem);
    expect(await refusal(readMaterial(tlsDirPaths(wrongCa)))).toMatch(
      /tls\.crt: is not signed by a CA in .*ca\.crt \(issuer CN=wharf-test-ca\)/,
    );

    const serverOnly = writeTlsDir(tempDir(), await issueTestCert(ca, { usages: ['server'] }), ca.certPem);
    expect(await readMaterial(tlsDirPaths(serverOnly), 'server')).toBeDefined();
    expect(await refusal(readMaterial(tlsDirPaths(serverOnly), 'server+client'))).toMatch(
      /does not allow "client auth".*usages: \[server auth, client auth\]/,
    );

    const garbage = writeTlsDir(tempDir(), cert, ca.certPem);
    writeFileSync(join(garbage, TLS_KEY_FILE), 'not a key\n');
    expect(await refusal(readMaterial(tlsDirPaths(garbage)))).toMatch(/tls\.key: is not a PEM private key/);
    writeFileSync(join(garbage, TLS_CERT_FILE), '\n');
    expect(await refusal(readMaterial(tlsDirPaths(garbage)))).toMatch(/tls\.crt: is empty$/);

    if (process.getuid?.() !== 0) {
      const locked = writeTlsDir(tempDir(), cert, ca.certPem);
      chmodSync(join(locked, TLS_KEY_FILE), 0o000);
      expect(await refusal(readMaterial(tlsDirPaths(locked)))).toMatch(
        /tls\.key: cannot be read \(permission denied\)/,
      );
    }
  });
});

/** A gRPC server with only the health service, on 127.0.0.1 with these credentials. */
async function healthServer(credentials: grpc.ServerCredentials): Promise<number> {
  const server = new grpc.Server();
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  cleanups.push(() => void server.forceShutdown());
  return port;
}

async function openFiles(dir: string, role: 'server' | 'server+client' = 'server+client'): Promise<TlsFiles> {
  const files = await TlsFiles.openDir(dir, { logger: silentLogger(), role, pollMs: 60_000 });
  cleanups.push(() => files.close());
  return files;
}

/** The certificate the server at `port` presents to a new connection (fingerprint), or the error. */
async function handshake(port: number, options: { ca?: string; cert?: TestCert } = {}): Promise<string> {
  const socket: TLSSocket = tlsConnect({
    host: '127.0.0.1',
    port,
    ca: options.ca ?? ca.certPem,
    ALPNProtocols: ['h2'],
    ...(options.cert === undefined ? {} : { cert: options.cert.certPem, key: options.cert.keyPem }),
  });
  try {
    await Promise.race([once(socket, 'secureConnect'), once(socket, 'error').then(([e]) => Promise.reject(e))]);
    return socket.getPeerX509Certificate()?.fingerprint256 ?? '';
  } finally {
    socket.destroy();
  }
}

async function check(port: number, credentials: grpc.ChannelCredentials): Promise<string> {
  const client = new grpc.Client(`127.0.0.1:${port}`, credentials);
  try {
    return await new Promise<string>((resolve) => {
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (v: Buffer) => v,
        (b: Buffer) => b,
        Buffer.alloc(0),
        { deadline: Date.now() + 5_000 },
        (error) => resolve(error === null ? 'OK' : grpc.status[error.code]),
      );
    });
  } finally {
    client.close();
  }
}

describe('TLS servers on TlsFiles', () => {
  it('serve the certificate on a client port without asking the client for one', async () => {
    const files = await openFiles(writeTlsDir(tempDir(), cert, ca.certPem), 'server');
    const port = await healthServer(serverCredentials(files, false));
    const fingerprint = files.material.identity?.fingerprint;
    expect(await handshake(port)).toBe(fingerprint);
    const caOnly = await TlsFiles.open({ caFile: files.paths.caFile }, { logger: silentLogger() });
    cleanups.push(() => caOnly.close());
    expect(await check(port, channelCredentials(caOnly))).toBe('OK');
    expect(await check(port, grpc.credentials.createInsecure())).toBe('UNAVAILABLE');
    // A client trusting another CA refuses the server.
    await expect(handshake(port, { ca: other.certPem })).rejects.toThrow(/self-signed|unable to verify|signature/i);
  });

  it('refuse, on a mutual (peer) port, a client without a certificate or with one of another CA', async () => {
    const files = await openFiles(writeTlsDir(tempDir(), cert, ca.certPem));
    const port = await healthServer(serverCredentials(files, true));
    expect(await check(port, channelCredentials(files, true))).toBe('OK');
    expect(await check(port, channelCredentials(files, false))).toBe('UNAVAILABLE');
    const stranger = await issueTestCert(other);
    const strangerFiles = await openFiles(writeTlsDir(tempDir(), stranger, ca.certPem + other.certPem));
    // It trusts our CA too, so only our refusal of its certificate stops it.
    expect(await check(port, channelCredentials(strangerFiles, true))).toBe('UNAVAILABLE');
  });

  it('serve rewritten files to new connections, and keep the old ones through a half-done rewrite', async () => {
    const dir = writeTlsDir(tempDir(), cert, ca.certPem);
    const files = await openFiles(dir);
    const port = await healthServer(serverCredentials(files, true));
    const before = files.material.identity?.fingerprint;
    expect(await handshake(port, { cert })).toBe(before);

    const renewed = await issueTestCert(ca);
    // The certificate first: it does not match the key yet, so nothing changes.
    writeFileSync(join(dir, TLS_CERT_FILE), renewed.certPem);
    expect(await files.reload()).toBe(false);
    expect(await handshake(port, { cert })).toBe(before);
    // Then the key: the pair is consistent and taken (here through the directory watch).
    const changed = new Promise<void>((resolve) => files.onChange(() => resolve()));
    writeFileSync(join(dir, TLS_KEY_FILE), renewed.keyPem);
    await changed;
    const after = files.material.identity?.fingerprint;
    expect(after).not.toBe(before);
    expect(await handshake(port, { cert })).toBe(after);
    expect(await check(port, channelCredentials(files, true))).toBe('OK');
  });
});
