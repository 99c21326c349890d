// The logger is passed in, never imported as a global: child loggers carry {node, group, term} in
// the broker and {kind, namespace, name} in the operator.
import { pino } from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  readonly level?: string;
  readonly name?: string;
}

/** JSON lines to stderr (stdout stays free for a command's own output). */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { level: options.level ?? process.env.WHARF_LOG_LEVEL ?? 'info', ...(options.name ? { name: options.name } : {}) },
    pino.destination(2),
  );
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
