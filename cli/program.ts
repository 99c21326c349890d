// The `wharf` command line: commander wiring from flags to the command functions in commands/.
// runCli never exits the process; it resolves with the exit status, so tests run it in-process.
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_ADDRESS } from '../client/client.ts';
import { applyCommand } from './commands/apply.ts';
import type { CommonOptions } from './commands/common.ts';
import { consumeCommand } from './commands/consume.ts';
import { addCrdsCommand } from './commands/crds.ts';
import { deleteCommand } from './commands/delete.ts';
import { DEFAULT_DEV_PORT, defaultDataDir, devCommand } from './commands/dev.ts';
import { redriveCommand } from './commands/dlq.ts';
import { queuesCommand, topicsCommand } from './commands/list.ts';
import { operatorCommand } from './commands/operator.ts';
import { publishCommand } from './commands/publish.ts';
import { statusCommand } from './commands/status.ts';
import { explainError } from './errors.ts';
import type { Io } from './io.ts';

export const CLI_VERSION = '0.1.0';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function buildProgram(io: Io, run: (address: string, action: () => Promise<void>) => Promise<void>): Command {
  const defaultAddress = io.env.WHARF_ADDR || DEFAULT_ADDRESS;
  const program = new Command('wharf')
    .description('Wharf: queues and topics over gRPC. Commands talk to a broker or sidecar at --addr.')
    .version(CLI_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });

  /** The flags every command that talks to a broker or sidecar takes. */
  const withConnectionFlags = (cmd: Command): Command =>
    cmd
      .option('--addr <host:port>', 'broker or sidecar address ($WHARF_ADDR)', defaultAddress)
      .option('--json', 'machine-readable output', false)
      .option(
        '--tls-ca <file>',
        'TLS to a broker: verify it against this CA bundle, ca.crt of the brokers ($WHARF_TLS_CA)',
        io.env.WHARF_TLS_CA || undefined,
      )
      .option(
        '--tls-server-name <name>',
        'with --tls-ca: the name the certificate of the broker must carry when --addr does not, e.g. through kubectl port-forward ($WHARF_TLS_SERVER_NAME)',
        io.env.WHARF_TLS_SERVER_NAME || undefined,
      )
      .exitOverride();

  /** A subcommand with the flags every command takes. */
  const command = (name: string, description: string): Command =>
    withConnectionFlags(program.command(name).description(description));

  program
    .command('dev')
    .description('run a local cluster on loopback (what `npm start` runs)')
    .option('--json', 'print the address and what was applied as JSON', false)
    .exitOverride()
    .option('--nodes <n>', 'broker processes: 1 (default), or up to 7 in one Raft group', '1')
    .option('--apply <paths...>', 'Queue/Topic YAML files or directories to apply at start (repeatable)')
    .option('--data <dir>', `data directory (default: $WHARF_DATA or ${defaultDataDir({ HOME: '~' })})`)
    .option('--port <port>', 'port to serve on (0 picks a free one)', String(DEFAULT_DEV_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--log-level <level>', 'broker log level on stderr (trace|debug|info|warn|error)')
    .action((options: Parameters<typeof devCommand>[0]) =>
      run(`${options.host}:${options.port}`, () => devCommand(options, io)),
    );

  program
    .command('operator')
    .description('run the Kubernetes operator: controllers, sidecar-injection webhook, leader election')
    .exitOverride()
    .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster, then $KUBECONFIG or ~/.kube/config)')
    .option(
      '-n, --namespace <ns>',
      'namespace to watch (repeatable; default: all, or $WHARF_OPERATOR_NAMESPACES)',
      collect,
      [],
    )
    .option('--webhook-port <port>', 'serve the injection webhook on this port ($WHARF_WEBHOOK_PORT; default: off)')
    .option('--webhook-host <host>', 'listen address of the webhook and health ports (default 0.0.0.0)')
    .option('--health-port <port>', 'plain-HTTP /healthz and /readyz ($WHARF_OPERATOR_HEALTH_PORT; default: off)')
    .option('--webhook-cert <file>', 'webhook TLS certificate, PEM ($WHARF_WEBHOOK_CERT)')
    .option('--webhook-key <file>', 'webhook TLS key, PEM ($WHARF_WEBHOOK_KEY)')
    .option(
      '--webhook-cert-secret <name>',
      'instead of files: a certificate the operator makes and rotates in this Secret of its own namespace, read by every replica, written by the leader ($WHARF_WEBHOOK_CERT_SECRET)',
    )
    .option(
      '--webhook-service <name>',
      'the webhook Service, whose DNS names the certificate carries ($WHARF_WEBHOOK_SERVICE)',
    )
    .option(
      '--webhook-configuration <name>',
      'MutatingWebhookConfiguration whose caBundle the leader keeps ($WHARF_WEBHOOK_CONFIGURATION)',
    )
    .option(
      '--webhook-cert-validity <duration>',
      'serving certificate lifetime ($WHARF_WEBHOOK_CERT_VALIDITY; default 8760h)',
    )
    .option(
      '--webhook-cert-renew-before <duration>',
      'renew when less than this (or a third of the lifetime) is left ($WHARF_WEBHOOK_CERT_RENEW_BEFORE; default 720h)',
    )
    .option(
      '--webhook-ca-validity <duration>',
      'CA lifetime; rotated with a third left ($WHARF_WEBHOOK_CA_VALIDITY; default 87600h)',
    )
    .option(
      '--webhook-ca-overlap <duration>',
      'a new CA is trusted this long before it signs, an old one kept this long after ($WHARF_WEBHOOK_CA_OVERLAP; default 10m)',
    )
    .option('--lease-name <name>', 'leader election Lease ($WHARF_LEASE_NAME; default: no election)')
    .option('--lease-namespace <ns>', 'namespace of the Lease (default: $POD_NAMESPACE)')
    .option('--identity <id>', 'this candidate in the election (default: $POD_NAME or $HOSTNAME)')
    .option(
      '--broker-override <NS/NAME=ID=HOST:CLIENT:PEER,...>',
      "use these brokers for a WharfCluster instead of its pods (repeatable; $WHARF_OPERATOR_BROKERS, ';'-separated)",
      collect,
      [],
    )
    .option('--broker-image <image>', 'broker image when a WharfCluster names none ($WHARF_BROKER_IMAGE)')
    .option('--sidecar-image <image>', 'injected sidecar image ($WHARF_SIDECAR_IMAGE)')
    .option('--default-cluster <ns/name>', 'WharfCluster of sidecars whose pod names none ($WHARF_DEFAULT_CLUSTER)')
    .option('--otlp-endpoint <url>', "injected sidecars' OTLP endpoint ($OTEL_EXPORTER_OTLP_ENDPOINT)")
    .option('--cluster-domain <domain>', 'Kubernetes DNS domain (default cluster.local)')
    .option('--workers <n>', 'reconciles running at once (default 4)')
    .option('--refresh <duration>', 'Queue/Topic status refresh period (default 10s)')
    .option('--log-level <level>', 'trace|debug|info|warn|error')
    .action((options: Parameters<typeof operatorCommand>[0]) => run('', () => operatorCommand(options, io)));

  command('publish', 'publish a message (or many: --count, --stdin)')
    .argument('<destination>', 'queue or topic: NAME or NAMESPACE/NAME')
    .addOption(new Option('--data <text>', 'the payload as text'))
    .addOption(new Option('--file <path>', 'the payload from a file'))
    .addOption(new Option('--stdin', 'one message per line of standard input'))
    .option('--key <key>', 'ordering key (picks the partition of a topic)')
    .option('--header <key=value>', 'a message header (repeatable)', collect, [])
    .option('--dedup-id <id>', 'idempotency key (with --count N: ID-1..ID-N)')
    .option('--priority <n>', 'priority 0..9')
    .option('--delay <duration>', 'deliver no sooner than this, e.g. 5s')
    .option('--ttl <duration>', 'drop the message if not delivered within this, e.g. 1m')
    .option('--count <n>', 'publish the message N times')
    .action((destination: string, options: Parameters<typeof publishCommand>[1]) =>
      run(options.addr, () => publishCommand(destination, options, io)),
    );

  command('consume', 'receive messages, print them and ack them')
    .argument('<destination>', 'queue or topic: NAME or NAMESPACE/NAME')
    .option('--subscription <name>', "a topic's subscription (an unknown name makes an ephemeral one)")
    .option('--max <n>', 'stop after N messages (default without --follow: 100)')
    .option('--wait <duration>', 'how long to wait for the first message', '5s')
    .option('--no-ack', 'leave messages unsettled (redelivered when their lease runs out)')
    .option('--nack', 'nack instead of ack (redelivered after the retry backoff)')
    .option('--follow', 'keep consuming (push stream) until --max or Ctrl-C')
    .action((destination: string, options: Parameters<typeof consumeCommand>[1]) =>
      run(options.addr, () => consumeCommand(destination, options, io)),
    );

  for (const [name, description, list] of [
    ['queues', 'list queues with depth, in-flight and consumers', queuesCommand],
    ['topics', 'list topics, one row per subscription', topicsCommand],
  ] as const) {
    command(name, description)
      .option('-n, --namespace <ns>', 'only this namespace (default: all)')
      .option('-o, --output <format>', 'table, json or yaml')
      .action((options: Parameters<typeof queuesCommand>[0]) => run(options.addr, () => list(options, io)));
  }

  command('status', 'cluster members and counts').action((options: CommonOptions) =>
    run(options.addr, () => statusCommand(options, io)),
  );

  command('apply', 'create or update queues and topics from YAML')
    .option('-f, --filename <paths...>', 'files or directories (repeatable)')
    .option('--dry-run', 'only validate the files')
    .action((options: Parameters<typeof applyCommand>[0]) => run(options.addr, () => applyCommand(options, io)));

  command('delete', 'delete a queue or a topic (its deletionPolicy decides what happens to its data)')
    .argument('<kind>', 'queue or topic')
    .argument('<name>', 'NAME or NAMESPACE/NAME')
    .option('-n, --namespace <ns>', 'namespace of NAME (default: default)')
    .action((kind: string, name: string, options: Parameters<typeof deleteCommand>[2]) =>
      run(options.addr, () => deleteCommand(kind, name, options, io)),
    );

  const dlq = program.command('dlq').description('dead-letter queues').exitOverride();
  withConnectionFlags(
    dlq
      .command('redrive')
      .description('move dead-lettered messages back to where they came from')
      .argument('<dlq>', 'the dead-letter queue: NAME or NAMESPACE/NAME')
      .option('--max <n>', 'move at most N messages (default: all)'),
  ).action((queue: string, options: Parameters<typeof redriveCommand>[1]) =>
    run(options.addr, () => redriveCommand(queue, options, io)),
  );

  addCrdsCommand(program, io);

  return program;
}

/** Runs one `wharf` invocation (argv without node and script); resolves with the exit status. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const run = async (address: string, action: () => Promise<void>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      const explained = explainError(error, address);
      io.err(`${explained.message}\n`);
      exitCode = explained.exitCode;
    }
  };
  const program = buildProgram(io, run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage mistakes (already printed by commander) exit 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  return exitCode;
}
