// The CLI against a broker serving TLS: --tls-ca (or $WHARF_TLS_CA) verifies it, --tls-server-name
// names the certificate's host when --addr does not; failures say what to check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../broker/broker.ts';
import { silentLogger } from '../common/logger.ts';
import { TLS_CA_FILE } from '../common/tls.ts';
import { createTestCa, issueTestCert, writeTlsDir } from '../test/tls-certs.ts';
import { wharf } from './testing.ts';

let dir: string;
let broker: RunningBroker;
let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-cli-tls-'));
  const ca = await createTestCa();
  const tlsDir = writeTlsDir(
    join(dir, 'tls'),
    await issueTestCert(ca, { dnsNames: ['wharf.messaging.svc'] }),
    ca.certPem,
  );
  caFile = join(tlsDir, TLS_CA_FILE);
  broker = await startBroker({ dataDir: join(dir, 'data'), port: 0, tlsDir, logger: silentLogger(), stopGraceMs: 200 });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('talks TLS with --tls-ca or $WHARF_TLS_CA', async () => {
  const status = await wharf(['status', '--json', '--addr', broker.address, '--tls-ca', caFile]);
  expect(status.stderr).toBe('');
  expect(status.code).toBe(0);
  const fromEnv = await wharf(['queues', '--addr', broker.address], { env: { WHARF_TLS_CA: caFile } });
  expect(fromEnv.code).toBe(0);
  // The certificate names wharf.messaging.svc (and 127.0.0.1): a port-forward's address needs the name.
  const named = await wharf([
    'status',
    '--addr',
    broker.address,
    '--tls-ca',
    caFile,
    '--tls-server-name',
    'wharf.messaging.svc',
  ]);
  expect(named.code).toBe(0);
});

it('says what to check when TLS fails, and refuses a CA file it cannot use', async () => {
  const misnamed = await wharf([
    'status',
    '--addr',
    broker.address,
    '--tls-ca',
    caFile,
    '--tls-server-name',
    'other.svc',
  ]);
  expect(misnamed.code).toBe(1);
  expect(misnamed.stderr).toMatch(
    new RegExp(`^wharf: TLS to ${broker.address} failed \\(.*\\): check --tls-ca and --tls-server-name\\n$`),
  );
  const missing = await wharf(['status', '--addr', broker.address, '--tls-ca', join(dir, 'nope.crt')]);
  expect(missing).toEqual({ code: 2, stdout: '', stderr: `wharf: --tls-ca ${join(dir, 'nope.crt')}: no such file\n` });
  // Without --tls-ca the handshake never starts: to the client that is a broker it cannot reach.
  const plaintext = await wharf(['status', '--addr', broker.address]);
  expect(plaintext).toMatchObject({ code: 1, stderr: expect.stringMatching(/^wharf: cannot reach /) });
});
