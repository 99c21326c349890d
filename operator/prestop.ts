// The broker pod's preStop hook (`node operator/prestop.ts`): asks the local broker to hand every
// Raft leadership it holds to a peer before the kubelet sends SIGTERM, so clients see a clean
// leader change instead of an election timeout. Always exits 0: a failed transfer must not block
// the shutdown; the grace period still bounds it.
import { connect } from '../client/client.ts';

const address = process.env.WHARF_PRESTOP_ADDR ?? '127.0.0.1:7400';
const member = process.env.WHARF_NODE_ID ?? '';
const client = connect(address, { deadlineMs: 30_000, followLeader: false });
try {
  await new Promise<void>((resolve, reject) => {
    client.admin.transferLeadership({ fromMember: member, toMember: '' }, { deadline: Date.now() + 30_000 }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
  process.stdout.write(`wharf preStop: leadership moved off ${member}\n`);
} catch (error) {
  process.stderr.write(`wharf preStop: transfer from ${member} failed: ${(error as Error).message}\n`);
} finally {
  client.close();
}
