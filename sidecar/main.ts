// The sidecar process: `node sidecar/main.ts [--port 7070] [--brokers h:p,...] [--namespace ns]
// [--metrics-port 9464] [--log-level info] [--drain-grace 10s] [--tls-ca FILE]`; environment
// WHARF_SIDECAR_PORT, WHARF_BROKERS, WHARF_NAMESPACE, WHARF_SIDECAR_METRICS_PORT, WHARF_LOG_LEVEL,
// WHARF_TLS_CA (or WHARF_TLS_CA_PEM, the CA itself) and the standard OTEL_* variables. On
// SIGTERM/SIGINT it drains (see sidecar.ts) and exits 0; a configuration it cannot use (a CA file
// missing or not PEM) exits 2 with a line saying why.
import { isWharfError } from '../common/errors.ts';
import { createLogger } from '../common/logger.ts';
import { HelpRequested, parseConfig } from './config.ts';
import { createMetrics, withProcessMetrics } from './metrics.ts';
import { type RunningSidecar, startSidecar } from './sidecar.ts';

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof HelpRequested) {
    process.stdout.write(error.text);
    process.exit(0);
  }
  process.stderr.write(`wharf-sidecar: ${isWharfError(error) ? error.message : String(error)}\n`);
  process.exit(2);
}
const logger = createLogger({ level: config.logLevel, name: 'sidecar' });
let sidecar: RunningSidecar;
try {
  sidecar = await startSidecar({ config, logger, metrics: withProcessMetrics(createMetrics()) });
} catch (error) {
  if (!isWharfError(error)) throw error;
  process.stderr.write(`wharf-sidecar: ${error.message}\n`);
  process.exit(2);
}
// Parents (tests, `wharf dev`) wait for this line on stdout.
process.stdout.write(
  `wharf sidecar listening on ${sidecar.address}${sidecar.metricsPort === undefined ? '' : ` metrics ${config.host}:${sidecar.metricsPort}`}\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'draining');
    sidecar.drain().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'drain failed');
        process.exit(1);
      },
    );
  });
}
