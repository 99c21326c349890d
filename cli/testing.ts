// Test helper: an Io that records output in memory, with a stdin and a stop button.
import { Readable } from 'node:stream';
import type { Io } from './io.ts';
import { runCli } from './program.ts';

export interface MemoryIo extends Io {
  readonly stdout: string[];
  readonly stderr: string[];
  /** Presses Ctrl-C once: runs the registered stop handlers. */
  stop(): void;
  /** Resolves once a stop handler is registered (the command is up and waiting). */
  waitingForStop(): Promise<void>;
}

export function memoryIo(options: { stdin?: string; env?: Record<string, string | undefined> } = {}): MemoryIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const handlers = new Set<() => void>();
  const waiters: Array<() => void> = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    errIsTty: false,
    onStop(handler) {
      handlers.add(handler);
      for (const wake of waiters.splice(0)) wake();
      return () => handlers.delete(handler);
    },
    stop() {
      for (const handler of [...handlers]) handler();
    },
    waitingForStop() {
      return handlers.size > 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `wharf ...argv` in-process and collects what it printed. */
export async function wharf(
  argv: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const io = memoryIo(options);
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout.join(''), stderr: io.stderr.join('') };
}
