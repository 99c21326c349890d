// The operator's connections to a cluster's brokers: plaintext when spec.tls is off; with it on,
// TLS verified against ca.crt of the cluster's Secret (read through the API, again after a while so
// a new CA is followed); a missing Secret or ca.crt is a FAILED_PRECONDITION that says which.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../broker/broker.ts';
import { isServiceError } from '../../client/unary.ts';
import { WharfError } from '../../common/errors.ts';
import { silentLogger } from '../../common/logger.ts';
import type { WharfCluster } from '../../crds/types.ts';
import { createTestCa, issueTestCert, type TestCa, writeTlsDir } from '../../test/tls-certs.ts';
import { KubeApiError, type KubeClient } from '../runtime/kube-client.ts';
import { BrokerDirectory, parseBrokerOverrides, TRUST_TTL_MS } from './broker-directory.ts';

let dir: string;
let ca: TestCa;
let broker: RunningBroker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-directory-'));
  ca = await createTestCa();
  const tlsDir = writeTlsDir(join(dir, 'tls'), await issueTestCert(ca, { usages: ['server'] }), ca.certPem);
  broker = await startBroker({ dataDir: join(dir, 'data'), port: 0, tlsDir, logger: silentLogger(), stopGraceMs: 200 });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cluster = (tls?: { enabled: boolean; secretName?: string }): WharfCluster =>
  ({
    apiVersion: 'wharf.dev/v1alpha1',
    kind: 'WharfCluster',
    metadata: { name: 'wharf', namespace: 'messaging' },
    spec: tls === undefined ? {} : { tls },
  }) as WharfCluster;

function setup() {
  const secrets = new Map<string, Record<string, string>>();
  const reads: string[] = [];
  const kube = {
    get: async (path: string) => {
      reads.push(path);
      if (path.endsWith('/forbidden')) throw new KubeApiError('GET', path, 403, 'Forbidden', 'secrets is forbidden');
      const data = secrets.get(path);
      return data === undefined ? undefined : { data };
    },
  } as unknown as KubeClient;
  let nowMs = 1_000;
  const directory = new BrokerDirectory(
    parseBrokerOverrides([`messaging/wharf=wharf-0=${broker.address}:1`]),
    'cluster.local',
    kube,
    () => nowMs,
  );
  const key = { namespace: 'messaging', name: 'wharf' };
  const status = () =>
    directory
      .admin(key)
      .clusterStatus()
      .then(
        () => 'OK',
        (error: unknown) => (isServiceError(error) ? grpc.status[error.code] : String(error)),
      );
  return {
    directory,
    key,
    status,
    reads,
    setCa: (pem: string, name = 'wharf-tls') =>
      secrets.set(`/api/v1/namespaces/messaging/secrets/${name}`, { 'ca.crt': Buffer.from(pem).toString('base64') }),
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

it('reaches a TLS cluster with the CA of its Secret, and never falls back to plaintext', async () => {
  const t = setup();
  try {
    expect(() => t.directory.admin(t.key)).toThrow(/prepare\(\) was not called for messaging\/wharf/);
    t.setCa(ca.certPem);
    await t.directory.prepare(cluster({ enabled: true }));
    expect(t.reads).toEqual(['/api/v1/namespaces/messaging/secrets/wharf-tls']);
    expect(await t.status()).toBe('OK');
    expect(await t.directory.isReady(t.key, 0)).toBe(true);
    // Within the TTL the Secret is not read again.
    await t.directory.prepare(cluster({ enabled: true }));
    expect(t.reads).toHaveLength(1);
    // spec.tls off: plaintext, which this broker refuses.
    await t.directory.prepare(cluster());
    expect(await t.status()).toBe('UNAVAILABLE');
  } finally {
    t.directory.close();
  }
});

it('follows a new CA in the Secret once the TTL is over', async () => {
  const t = setup();
  try {
    t.setCa((await createTestCa('not-the-brokers')).certPem, 'custom');
    await t.directory.prepare(cluster({ enabled: true, secretName: 'custom' }));
    expect(await t.status()).toBe('UNAVAILABLE');
    t.setCa(ca.certPem, 'custom');
    await t.directory.prepare(cluster({ enabled: true, secretName: 'custom' }));
    expect(await t.status()).toBe('UNAVAILABLE'); // still the old CA: read again only after the TTL
    t.advance(TRUST_TTL_MS);
    await t.directory.prepare(cluster({ enabled: true, secretName: 'custom' }));
    expect(t.reads).toHaveLength(2);
    expect(await t.status()).toBe('OK');
  } finally {
    t.directory.close();
  }
});

it('says which Secret or key is missing', async () => {
  const t = setup();
  const refusal = (c: WharfCluster) =>
    t.directory.prepare(c).then(
      () => undefined,
      (e: unknown) => e,
    );
  const missing = await refusal(cluster({ enabled: true }));
  expect(missing).toBeInstanceOf(WharfError);
  expect((missing as WharfError).status).toBe('FAILED_PRECONDITION');
  expect((missing as Error).message).toBe(
    'WharfCluster messaging/wharf has TLS on, but its Secret messaging/wharf-tls does not exist (yet)',
  );
  t.setCa('', 'wharf-tls');
  expect(((await refusal(cluster({ enabled: true }))) as Error).message).toBe(
    'WharfCluster messaging/wharf has TLS on, but its Secret messaging/wharf-tls has no ca.crt to verify the brokers with',
  );
  expect(((await refusal(cluster({ enabled: true, secretName: 'forbidden' }))) as Error).message).toBe(
    'WharfCluster messaging/wharf has TLS on, but its Secret messaging/forbidden may not be read by the operator: ' +
      'give its ServiceAccount get on it (a Role in messaging with resourceNames [forbidden], and a RoleBinding)',
  );
});
