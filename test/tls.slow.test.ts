// TLS end to end with real processes on 127.0.0.1: three brokers serve their client ports with
// TLS and talk Raft over mutual TLS; a sidecar that trusts the CA publishes and consumes through
// them; a plaintext client is refused on a TLS port while probes still reach the plaintext health
// port; a member whose certificate another CA signed never replicates (and the same member with a
// good certificate catches up at once); renewed files reach new connections without a restart; the
// pod's preStop hook hands leadership over through the TLS port.

import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type WharfClient } from '../client/client.ts';
import { isServiceError } from '../client/unary.ts';
import { freeLoopbackPort } from '../common/net.ts';
import { TLS_CA_FILE } from '../common/tls.ts';
import { startTestSidecar, type TestSidecar } from '../sidecar/testing.ts';
import { type BrokerChild, spawnBrokerChild } from './broker-process.ts';
import { createTestCa, issueTestCert, type TestCa, type TestCert, writeTlsDir } from './tls-certs.ts';

interface Member {
  readonly id: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly healthPort: number;
  readonly tlsDir: string;
}

let dir: string;
let ca: TestCa;
let members: Member[];
let peers: string;
const running = new Map<string, BrokerChild>();
const clients: WharfClient[] = [];
let sidecar: TestSidecar | undefined;

const client = (address: string, tls = true): WharfClient => {
  const c = connect(address, { deadlineMs: 5_000, followLeader: false, ...(tls ? { tls: { ca: ca.certPem } } : {}) });
  clients.push(c);
  return c;
};

async function start(member: Member, dataDir = join(dir, member.id)): Promise<BrokerChild> {
  const child = await spawnBrokerChild(dataDir, member.clientPort, 30_000, [
    ...['--node-id', member.id, '--peers', peers, '--tls-dir', member.tlsDir],
    ...['--health-port', String(member.healthPort), '--metrics-port', '0'],
  ]);
  running.set(member.id, child);
  return child;
}

/** Polls `get` every 50 ms until it returns a value, for at most `ms`. */
async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const statusOf = (id: string) => {
  const member = members.find((m) => m.id === id) as Member;
  return client(`127.0.0.1:${member.clientPort}`).clusterStatus();
};

/** The fingerprint of the certificate a new TLS connection to `port` is shown. */
async function presented(port: number, as?: TestCert): Promise<string> {
  const socket = tlsConnect({
    host: '127.0.0.1',
    port,
    ca: ca.certPem,
    ALPNProtocols: ['h2'],
    ...(as === undefined ? {} : { cert: as.certPem, key: as.keyPem }),
  });
  try {
    await Promise.race([once(socket, 'secureConnect'), once(socket, 'error').then(([e]) => Promise.reject(e))]);
    return socket.getPeerX509Certificate()?.fingerprint256 ?? '';
  } finally {
    socket.destroy();
  }
}

const fingerprintOf = (cert: TestCert): string => new X509Certificate(cert.certPem).fingerprint256;
const codeName = (error: unknown): string => (isServiceError(error) ? grpc.status[error.code] : String(error));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-tls-e2e-'));
  ca = await createTestCa('wharf-e2e-ca');
  members = [];
  for (const id of ['wharf-1', 'wharf-2', 'wharf-3']) {
    members.push({
      id,
      clientPort: await freeLoopbackPort(),
      peerPort: await freeLoopbackPort(),
      healthPort: await freeLoopbackPort(),
      tlsDir: writeTlsDir(join(dir, `${id}-tls`), await issueTestCert(ca, { commonName: id }), ca.certPem),
    });
  }
  peers = members.map((m) => `${m.id}=127.0.0.1:${m.clientPort}:${m.peerPort}`).join(',');
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await sidecar?.close();
  await Promise.all([...running.values()].map((child) => child.kill9()));
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

it('keeps a member with a certificate of another CA out of the group, and lets it in with a good one', async () => {
  const [one, two, three] = members as [Member, Member, Member];
  // wharf-3 first starts with a certificate another CA signed. It trusts our CA too: what keeps it
  // out is that the members check the certificate it presents, as server and as client.
  const other = await createTestCa('intruder-ca');
  const intruderTls = writeTlsDir(join(dir, 'intruder-tls'), await issueTestCert(other), other.certPem + ca.certPem);
  await Promise.all([start(one), start(two), start({ ...three, tlsDir: intruderTls }, join(dir, 'intruder'))]);

  const admin = client(`127.0.0.1:${one.clientPort}`);
  const leader = await until('a leader', async () =>
    (await admin.clusterStatus()).members.find((m) => m.leader && m.healthy),
  );
  const onLeader = client(leader.address);
  await onLeader.applyQueue({ name: 'shop/orders', spec: {} });
  await until('wharf-3 known unhealthy', async () => {
    const status = await onLeader.clusterStatus();
    return status.members.find((m) => m.id === 'wharf-3')?.healthy === false && status.appliedIndex > 0
      ? status
      : undefined;
  });
  // Asked by a client that trusts its CA, the intruder says it has applied nothing and knows no leader.
  const intruder = connect(`127.0.0.1:${three.clientPort}`, {
    deadlineMs: 5_000,
    followLeader: false,
    tls: { ca: other.certPem },
  });
  clients.push(intruder);
  const seen = await intruder.clusterStatus();
  expect(seen.appliedIndex).toBe(0);
  expect(seen.members.some((m) => m.leader)).toBe(false);
  // Our clients refuse the intruder's certificate too.
  expect(
    await client(`127.0.0.1:${three.clientPort}`)
      .clusterStatus()
      .then(() => 'OK', codeName),
  ).toBe('UNAVAILABLE');

  // The same member with a certificate of our CA catches up with the group.
  await running.get('wharf-3')?.kill9();
  await start(three);
  await until('wharf-3 caught up', async () => {
    const status = await statusOf('wharf-3');
    return status.appliedIndex > 0 && status.members.some((m) => m.leader) ? status : undefined;
  });
  expect((await onLeader.clusterStatus()).members.every((m) => m.healthy)).toBe(true);
}, 90_000);

it('serves publish and consume through a sidecar that trusts the CA; plaintext is refused, probes answer', async () => {
  sidecar = await startTestSidecar(
    members.map((m) => `127.0.0.1:${m.clientPort}`),
    { tlsCa: join((members[0] as Member).tlsDir, TLS_CA_FILE) },
  );
  const app = sidecar.client;
  await until('sidecar ready', async () => ((await app.clusterStatus()).members.length === 3 ? true : undefined));
  for (let i = 0; i < 20; i++) await app.publish('orders', { payload: Buffer.from(`order ${i}`) });
  const got: string[] = [];
  await until('20 deliveries', async () => {
    const { deliveries } = await app.receive({ destination: 'orders', maxMessages: 20, wait: { seconds: 2 } });
    got.push(...deliveries.map((d) => String(d.message?.payload)));
    if (deliveries.length > 0) await app.ack(deliveries.map((d) => d.receipt));
    return got.length >= 20 ? true : undefined;
  });
  expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `order ${i}`).sort());

  for (const m of members) {
    expect(
      await client(`127.0.0.1:${m.clientPort}`, false)
        .clusterStatus()
        .then(() => 'OK', codeName),
    ).toBe('UNAVAILABLE');
    // The kubelet's gRPC probe speaks plaintext to the health port.
    const health = new grpc.Client(`127.0.0.1:${m.healthPort}`, grpc.credentials.createInsecure());
    const answer = await new Promise<string>((resolve) =>
      health.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (v: Buffer) => v,
        (b: Buffer) => b,
        Buffer.alloc(0),
        { deadline: Date.now() + 5_000 },
        (error, value) => resolve(error === null ? (value?.toString('hex') ?? '') : codeName(error)),
      ),
    );
    health.close();
    expect(answer).toBe('0801'); // status: SERVING
  }
}, 60_000);

it('serves renewed certificates to new connections on both ports without a restart', async () => {
  const member = members[0] as Member;
  const pid = running.get(member.id)?.child.pid;
  const before = await presented(member.clientPort);
  const renewed = await issueTestCert(ca, { commonName: `${member.id}-renewed` });
  const want = fingerprintOf(renewed);
  expect(before).not.toBe(want);
  writeTlsDir(member.tlsDir, renewed, ca.certPem);
  await until('the renewed certificate on the client port', async () =>
    (await presented(member.clientPort)) === want ? true : undefined,
  );
  // The peer port asks for a client certificate of the CA: present one.
  const peerCert = await issueTestCert(ca);
  await until('the renewed certificate on the peer port', async () =>
    (await presented(member.peerPort, peerCert)) === want ? true : undefined,
  );
  expect(running.get(member.id)?.child.pid).toBe(pid);
  expect(running.get(member.id)?.exited).toBe(false);
  // Connections between members outlive a renewal; a restarted peer makes new ones both ways, and
  // they carry the renewed certificate as server and as client.
  const peer = members[1] as Member;
  await running.get(peer.id)?.stop();
  await start(peer);
  const app = (sidecar as TestSidecar).client;
  await app.publish('orders', { payload: Buffer.from('after renewal') });
  for (const id of [member.id, peer.id]) {
    await until(`${id} hears from every member`, async () => {
      const status = await statusOf(id);
      return status.members.length === 3 && status.members.every((m) => m.healthy) ? true : undefined;
    });
  }
}, 60_000);

it("runs the broker pod's preStop hook over TLS: leadership moves off the member", async () => {
  const admin = client(`127.0.0.1:${(members[0] as Member).clientPort}`);
  const leader = await until('a leader', async () =>
    (await admin.clusterStatus()).members.find((m) => m.leader && m.healthy),
  );
  const member = members.find((m) => m.id === leader.id) as Member;
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../operator/prestop.ts', import.meta.url))], {
    // As in the pod: the broker's own environment, the client port on loopback.
    env: {
      ...process.env,
      WHARF_NODE_ID: member.id,
      WHARF_PEERS: peers,
      WHARF_TLS_DIR: member.tlsDir,
      WHARF_PRESTOP_ADDR: `127.0.0.1:${member.clientPort}`,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.stderr).not.toMatch(/failed/);
  expect(result.stdout).toBe(`wharf preStop: leadership moved off ${member.id}\n`);
  await until('another leader', async () =>
    (await admin.clusterStatus()).members.find((m) => m.leader && m.id !== member.id),
  );
}, 60_000);
