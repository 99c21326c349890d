// The broker process: `node broker/main.ts --data DIR [--host H] [--port P] [--node-id ID]`.
// Environment: WHARF_DATA, WHARF_HOST, WHARF_PORT, WHARF_NODE_ID, WHARF_LOG_LEVEL. Stops cleanly
// on SIGINT/SIGTERM: stops taking calls, lets running ones finish, flushes the log.
//
// Cluster mode: `--peers id=host:clientPort:peerPort,...` lists every member of the Raft group,
// this one (--node-id) included; the broker then listens for Raft traffic on its own peerPort (or
// --peer-port) and replicates through Raft. For example, the first of three on one machine:
//   node broker/main.ts --node-id wharf-1 --data d1 --port 7401 \
//     --peers wharf-1=127.0.0.1:7401:7501,wharf-2=127.0.0.1:7402:7502,wharf-3=127.0.0.1:7403:7503
// Environment: WHARF_PEERS, WHARF_PEER_PORT.
//
// TLS: `--tls-dir DIR` (WHARF_TLS_DIR) names a directory with tls.crt, tls.key and ca.crt (a
// kubernetes.io/tls Secret as cert-manager writes it): the client port serves TLS, the peer port
// mutual TLS, and renewed files are picked up without a restart. `--health-port P`
// (WHARF_HEALTH_PORT) serves grpc.health.v1.Health alone in plaintext for probes that speak no TLS.
// Files that cannot be used stop the start with a line naming the file and exit status 2.
//
// WHARF_EXIT_WITH_STDIN=1 is internal: `wharf dev` sets it so that its brokers stop when it dies.
import { Command, InvalidArgumentError } from 'commander';
import { isWharfError, TlsFilesError } from '../common/errors.ts';
import { createLogger } from '../common/logger.ts';
import { type ClusterMember, parsePeers, type RunningBroker, startBroker, VERSION } from './broker.ts';

function peers(value: string): ClusterMember[] {
  try {
    return parsePeers(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return n;
}

const program = new Command('wharf-broker')
  .description('Wharf broker: serves wharf.v1.BrokerService and AdminService')
  .version(VERSION)
  .option('--data <dir>', 'data directory', process.env.WHARF_DATA ?? './data')
  .option('--host <host>', 'address to listen on', process.env.WHARF_HOST ?? '127.0.0.1')
  .option('--port <port>', 'port to listen on', port, port(process.env.WHARF_PORT ?? '7070'))
  .option(
    '--metrics-port <port>',
    'Prometheus /metrics port (0: none)',
    port,
    port(process.env.WHARF_METRICS_PORT ?? '9400'),
  )
  .option('--node-id <id>', 'this member id', process.env.WHARF_NODE_ID ?? 'wharf-0')
  .option(
    '--peers <members>',
    'cluster mode: every member as id=host:clientPort:peerPort, comma-separated (this one included)',
    peers,
    peers(process.env.WHARF_PEERS ?? ''),
  )
  .option('--peer-port <port>', "Raft peer port (default: this member's peerPort in --peers)", port)
  .option(
    '--join',
    'join a running group: wait to be added (AdminService.AddMember) instead of bootstrapping one',
    process.env.WHARF_JOIN === 'true',
  )
  .option(
    '--tls-dir <dir>',
    'serve TLS (client port) and mutual TLS (peer port) with tls.crt, tls.key and ca.crt from this directory, reloaded when they change',
    process.env.WHARF_TLS_DIR || undefined,
  )
  .option(
    '--health-port <port>',
    'also serve grpc.health.v1.Health alone, in plaintext, on this port (for probes that speak no TLS)',
    port,
    process.env.WHARF_HEALTH_PORT ? port(process.env.WHARF_HEALTH_PORT) : undefined,
  )
  .option('--log-level <level>', 'trace|debug|info|warn|error', process.env.WHARF_LOG_LEVEL ?? 'info')
  .parse();

const options = program.opts<{
  data: string;
  host: string;
  port: number;
  metricsPort: number;
  nodeId: string;
  logLevel: string;
  peers: ClusterMember[];
  peerPort?: number;
  join: boolean;
  tlsDir?: string;
  healthPort?: number;
}>();
/**
 * A member joins (waits for AddMember) when told so, or when WHARF_INITIAL_MEMBERS (the members
 * that bootstrapped the group; the operator sets it for every pod of a StatefulSet, which share one
 * template) does not name it: a pod added by scaling up must never bootstrap a group of its own.
 */
function joins(flag: boolean, nodeId: string): boolean {
  const initial = (process.env.WHARF_INITIAL_MEMBERS ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  return flag || (initial.length > 0 && !initial.includes(nodeId));
}

const logger = createLogger({ level: options.logLevel, name: 'broker' }).child({ node: options.nodeId });
let broker: RunningBroker;
try {
  broker = await startBroker({
    dataDir: options.data,
    host: options.host,
    port: options.port,
    nodeId: options.nodeId,
    logger,
    ...(options.metricsPort === 0 ? {} : { metricsPort: options.metricsPort }),
    ...(options.peers.length === 0 ? {} : { peers: options.peers }),
    ...(joins(options.join, options.nodeId) ? { join: true } : {}),
    ...(options.peerPort === undefined
      ? process.env.WHARF_PEER_PORT
        ? { peerPort: port(process.env.WHARF_PEER_PORT) }
        : {}
      : { peerPort: options.peerPort }),
    ...(options.tlsDir === undefined ? {} : { tlsDir: options.tlsDir }),
    ...(options.healthPort === undefined ? {} : { healthPort: options.healthPort }),
  });
} catch (error) {
  // Expected failures (TLS files that cannot be used, a bad --peers) are one line, not a stack.
  if (!isWharfError(error)) throw error;
  const hint =
    error instanceof TlsFilesError && /no such file|is empty/.test(error.message)
      ? ` (--tls-dir ${options.tlsDir} needs tls.crt, tls.key and ca.crt: a kubernetes.io/tls Secret with ca.crt, as cert-manager writes it)`
      : '';
  logger.fatal({ problem: error.message }, 'cannot start');
  process.stderr.write(`wharf-broker: ${error.message}${hint}\n`);
  process.exit(2);
}
// Parents (tests, `wharf dev`) wait for this line on stdout.
process.stdout.write(`wharf broker listening on ${broker.address}\n`);
let stopping = false;
const stop = (reason: string): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping');
  broker.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(signal));
// A parent that supervises brokers (`wharf dev`) holds our stdin open: when it dies, even by
// SIGKILL, the pipe closes and we stop instead of living on as an orphan.
if (process.env.WHARF_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => stop('parent gone (stdin closed)'));
  process.stdin.on('error', () => stop('parent gone (stdin error)'));
  process.stdin.resume();
}
