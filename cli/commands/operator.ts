// wharf operator: runs the Kubernetes operator (controllers for WharfCluster, Queue and Topic, the
// sidecar-injection webhook, leader election) until Ctrl-C/SIGTERM. Exits 1 when it loses its
// Lease, so the Deployment restarts it as a fresh candidate.
import { createLogger } from '../../common/logger.ts';
import { ConfigError, type OperatorFlags, operatorConfig } from '../../operator/config.ts';
import { runOperator } from '../../operator/operator.ts';
import { CommandError, type Io, stopRequested, UsageError } from '../io.ts';

export type OperatorOptions = OperatorFlags;

export async function operatorCommand(options: OperatorOptions, io: Io): Promise<void> {
  let config: ReturnType<typeof operatorConfig>;
  try {
    config = operatorConfig(options, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: 'operator' });
  const stop = new AbortController();
  const stopping = stopRequested(io);
  void stopping.promise.then(() => stop.abort());
  try {
    const outcome = await runOperator(config, logger, stop.signal, ({ webhookPort, healthPort }) => {
      const ports = [
        ...(webhookPort === undefined ? [] : [`webhook ${webhookPort}`]),
        ...(healthPort === undefined ? [] : [`health ${healthPort}`]),
      ];
      io.out(`wharf operator started${ports.length === 0 ? '' : ` ${ports.join(' ')}`}\n`);
    });
    if (outcome.lostLeadership) throw new CommandError('wharf operator: lost leadership; exiting');
  } finally {
    stopping.dispose();
  }
}
