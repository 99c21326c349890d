// The broker pod's preStop hook (`node operator/prestop.ts`): asks the local broker to hand every
// Raft leadership it holds to a peer before the kubelet sends SIGTERM, so clients see a clean
// leader change instead of an election timeout. Always exits 0: a failed transfer must not block
// the shutdown; the grace period still bounds it.
//
// With TLS (WHARF_TLS_DIR, set for the broker) it verifies the broker against the directory's
// ca.crt and expects in its certificate the host this member has in WHARF_PEERS (its name through
// the headless Service), though it dials 127.0.0.1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientTls, connect, type WharfClient } from '../client/client.ts';
import { TLS_CA_FILE } from '../common/tls.ts';

const address = process.env.WHARF_PRESTOP_ADDR ?? '127.0.0.1:7400';
const member = process.env.WHARF_NODE_ID ?? '';

/** This member's host in WHARF_PEERS (id=host:clientPort:peerPort,...). */
function ownHost(peers: string, id: string): string | undefined {
  const entry = peers
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(`${id}=`));
  return entry?.slice(id.length + 1).replace(/:\d+:\d+$/, '');
}

function tls(): ClientTls | undefined {
  const dir = process.env.WHARF_TLS_DIR;
  if (dir === undefined || dir === '') return undefined;
  const serverName = ownHost(process.env.WHARF_PEERS ?? '', member);
  return { ca: readFileSync(join(dir, TLS_CA_FILE)), ...(serverName === undefined ? {} : { serverName }) };
}

let client: WharfClient | undefined;
try {
  const secure = tls();
  client = connect(address, {
    deadlineMs: 30_000,
    followLeader: false,
    ...(secure === undefined ? {} : { tls: secure }),
  });
  const admin = client.admin;
  await new Promise<void>((resolve, reject) => {
    admin.transferLeadership({ fromMember: member, toMember: '' }, { deadline: Date.now() + 30_000 }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
  process.stdout.write(`wharf preStop: leadership moved off ${member}\n`);
} catch (error) {
  process.stderr.write(`wharf preStop: transfer from ${member} failed: ${(error as Error).message}\n`);
} finally {
  client?.close();
}
