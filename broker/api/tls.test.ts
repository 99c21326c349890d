// A broker started with TLS files serves its client port with TLS only: a client that trusts the
// CA gets answers, a plaintext one does not; the plaintext health port answers grpc.health.v1 for
// probes and nothing else; files that cannot be used stop the start with the file named.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../client/client.ts';
import { isServiceError } from '../../client/unary.ts';
import { TlsFilesError } from '../../common/errors.ts';
import { silentLogger } from '../../common/logger.ts';
import { TLS_KEY_FILE } from '../../common/tls.ts';
import { createTestCa, issueTestCert, type TestCa, writeTlsDir } from '../../test/tls-certs.ts';
import { type RunningBroker, startBroker } from '../broker.ts';

let dir: string;
let ca: TestCa;
let broker: RunningBroker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-broker-tls-'));
  ca = await createTestCa();
  writeTlsDir(join(dir, 'tls'), await issueTestCert(ca, { usages: ['server'] }), ca.certPem);
  broker = await startBroker({
    dataDir: join(dir, 'data'),
    port: 0,
    healthPort: 0,
    tlsDir: join(dir, 'tls'),
    logger: silentLogger(),
    stopGraceMs: 200,
  });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const codeOf = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'OK',
    (error: unknown) => (isServiceError(error) ? grpc.status[error.code] : String(error)),
  );

function healthCheck(address: string, credentials: grpc.ChannelCredentials, method = 'Check'): Promise<string> {
  const client = new grpc.Client(address, credentials);
  return new Promise<string>((resolve) => {
    client.makeUnaryRequest(
      `/grpc.health.v1.Health/${method}`,
      (v: Buffer) => v,
      (b: Buffer) => b,
      Buffer.alloc(0),
      { deadline: Date.now() + 5_000 },
      (error, value) => {
        client.close();
        // HealthCheckResponse { status = 1 (SERVING) }: field 1, varint.
        resolve(
          error === null ? (value?.equals(Buffer.from([8, 1])) ? 'SERVING' : 'NOT SERVING') : grpc.status[error.code],
        );
      },
    );
  });
}

it('serves the client port with TLS to a client that trusts the CA, and refuses plaintext', async () => {
  expect(broker.tls).toBe(true);
  const secure = connect(broker.address, { tls: { ca: ca.certPem }, deadlineMs: 5_000 });
  const plain = connect(broker.address, { deadlineMs: 2_000 });
  const stranger = connect(broker.address, { tls: { ca: (await createTestCa('other')).certPem }, deadlineMs: 2_000 });
  try {
    expect(await codeOf(secure.clusterStatus())).toBe('OK');
    expect(await codeOf(plain.clusterStatus())).toBe('UNAVAILABLE');
    expect(await codeOf(stranger.clusterStatus())).toBe('UNAVAILABLE');
    // The name the certificate carries is checked, not only the CA.
    const misnamed = connect(broker.address, { tls: { ca: ca.certPem, serverName: 'elsewhere' }, deadlineMs: 2_000 });
    expect(await codeOf(misnamed.clusterStatus())).toBe('UNAVAILABLE');
    misnamed.close();
  } finally {
    secure.close();
    plain.close();
    stranger.close();
  }
});

it('answers probes in plaintext on the health port, and serves nothing else there', async () => {
  const healthAddress = broker.healthAddress ?? '';
  expect(healthAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(await healthCheck(healthAddress, grpc.credentials.createInsecure())).toBe('SERVING');
  const onHealthPort = connect(healthAddress, { deadlineMs: 2_000 });
  expect(await codeOf(onHealthPort.clusterStatus())).toBe('UNIMPLEMENTED');
  onHealthPort.close();
});

it('does not start with TLS files it cannot use, and names the file', async () => {
  const bad = writeTlsDir(join(dir, 'bad'), await issueTestCert(ca), ca.certPem);
  writeFileSync(join(bad, TLS_KEY_FILE), (await issueTestCert(ca)).keyPem);
  const started = startBroker({ dataDir: join(dir, 'data-bad'), port: 0, tlsDir: bad, logger: silentLogger() });
  await expect(started).rejects.toThrow(TlsFilesError);
  await expect(started).rejects.toThrow(`${join(bad, TLS_KEY_FILE)}: is not the private key of the certificate`);
});
