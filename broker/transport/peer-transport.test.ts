// Two peer transports on loopback: messages arrive in order, batched, with entry data intact; a
// peer that is down costs dropped messages, not errors, and the link recovers when it comes back.
// With TLS files the link is mutual TLS: members with certificates of the CA exchange messages, a
// member whose certificate another CA signed neither sends nor receives any.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { TlsFiles } from '../../common/tls.ts';
import { createTestCa, issueTestCert, writeTlsDir } from '../../test/tls-certs.ts';
import type { RaftMessage } from '../raft/messages.ts';
import { PeerTransport } from './peer-transport.ts';

const open: PeerTransport[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function pair(
  bPort = 0,
  tls: { a?: TlsFiles; b?: TlsFiles } = {},
): Promise<{ a: PeerTransport; b: PeerTransport; got: RaftMessage[] }> {
  const b = await PeerTransport.start({
    self: 'b',
    peers: new Map([['a', '127.0.0.1:1']]),
    host: '127.0.0.1',
    port: bPort,
    logger: silentLogger(),
    ...(tls.b === undefined ? {} : { tls: tls.b }),
  });
  const a = await PeerTransport.start({
    self: 'a',
    peers: new Map([['b', `127.0.0.1:${b.port}`]]),
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    backoffMsMin: 10,
    backoffMsMax: 50,
    ...(tls.a === undefined ? {} : { tls: tls.a }),
  });
  open.push(a, b);
  const got: RaftMessage[] = [];
  b.onReceive((m) => got.push(m));
  return { a, b, got };
}

const app = (i: number): RaftMessage => ({
  type: 'MsgApp',
  from: 'a',
  to: 'b',
  term: 1,
  logTerm: 1,
  index: i,
  commit: i,
  entries: [{ term: 1, index: i + 1, type: 'normal', data: new Uint8Array([i % 256, 7, 7]) }],
});

it('delivers every message in order, several to a batch, with the data intact', async () => {
  const { a, b, got } = await pair();
  for (let i = 0; i < 2_000; i++) a.send(app(i));
  await until(() => got.length === 2_000);
  expect(got.map((m) => (m.type === 'MsgApp' ? m.index : -1))).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
  const last = got[1_999];
  expect(last?.type === 'MsgApp' && [...(last.entries[0]?.data ?? [])]).toEqual([1_999 % 256, 7, 7]);
  expect(a.stats.sentBatches).toBeLessThan(2_000 / 4);
  expect(b.stats.receivedMessages).toBe(2_000);
  // The sender hears acknowledgements, the receiver the batches.
  await until(() => a.healthy('b'));
  expect(b.healthy('a')).toBe(true);
});

it('drops messages while the peer is down, then reconnects when it is back', async () => {
  const { a, b } = await pair();
  const port = b.port;
  await b.close();
  for (let i = 0; i < 20; i++) {
    a.send(app(i));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(a.stats.droppedMessages).toBeGreaterThan(0);
  const again = await PeerTransport.start({
    self: 'b',
    peers: new Map([['a', '127.0.0.1:1']]),
    host: '127.0.0.1',
    port,
    logger: silentLogger(),
  });
  open.push(again);
  const got: RaftMessage[] = [];
  again.onReceive((m) => got.push(m));
  // Raft retransmits: keep sending until one gets through.
  for (let i = 0; i < 200 && got.length === 0; i++) {
    a.send(app(i));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(got.length).toBeGreaterThan(0);
  expect(a.stats.reconnects).toBeGreaterThan(0);
});

it('bounds the queue towards a peer that never answers', async () => {
  const { a } = await pair();
  // Nothing listens on port 1: every message is dropped, none throws, memory stays bounded.
  const lonely = await PeerTransport.start({
    self: 'x',
    peers: new Map([['y', '127.0.0.1:1']]),
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    queueMessagesMax: 10,
  });
  open.push(lonely);
  for (let i = 0; i < 100; i++) lonely.send({ ...app(i), from: 'x', to: 'y' });
  expect(lonely.stats.droppedMessages).toBeGreaterThanOrEqual(90);
  expect(a.healthy('nobody')).toBe(false);
});

it('speaks mutual TLS: a member with a certificate of another CA neither sends nor is sent anything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-peer-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createTestCa('wharf-ca');
  const other = await createTestCa('other-ca');
  const files = async (name: string, signer: typeof ca, trusted: string) => {
    const opened = await TlsFiles.openDir(writeTlsDir(join(dir, name), await issueTestCert(signer), trusted), {
      logger: silentLogger(),
      role: 'server+client',
    });
    cleanups.push(() => opened.close());
    return opened;
  };
  const good = await pair(0, { a: await files('a', ca, ca.certPem), b: await files('b', ca, ca.certPem) });
  good.a.send(app(1));
  await until(() => good.got.length === 1);

  // The stranger trusts our CA as well, so only our refusal of its certificate keeps it out.
  const stranger = await files('stranger', other, ca.certPem + other.certPem);
  const inbound = await pair(0, { a: stranger, b: await files('b2', ca, ca.certPem) });
  const outbound = await pair(0, { a: await files('a3', ca, ca.certPem), b: stranger });
  for (let i = 0; i < 20; i++) {
    inbound.a.send(app(i));
    outbound.a.send(app(i));
  }
  // Each link tried and failed its handshake (the idle probe keeps trying).
  await until(() => inbound.a.stats.reconnects > 0 && outbound.a.stats.reconnects > 0);
  expect(inbound.got).toEqual([]);
  expect(outbound.got).toEqual([]);
  expect(inbound.b.healthy('a')).toBe(false);
  expect(outbound.a.healthy('b')).toBe(false);
});
