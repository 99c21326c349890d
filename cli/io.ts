// What a command may touch of the outside world, passed in so tests can run commands in-process:
// output streams, stdin, the environment, and "stop" requests (SIGINT/SIGTERM in the real process).
import type { Readable } from 'node:stream';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stderr is a terminal (progress lines are rewritten in place there). */
  readonly errIsTty: boolean;
  /**
   * Registers a handler for the first stop request (Ctrl-C); returns the unregister function.
   * Without a registered handler a stop request ends the process at once.
   */
  onStop(handler: () => void): () => void;
}

/** Bad flags or arguments: exit status 2, message as given. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure already explained to the user; exit status 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Resolves on the first stop request (Ctrl-C); `dispose` unregisters the handler. */
export function stopRequested(io: Io): { promise: Promise<void>; dispose: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  const dispose = io.onStop(() => resolve());
  return { promise, dispose };
}
