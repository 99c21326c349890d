// The `wharf` command's process entry (scripts/wharf.sh runs it): real stdio, environment and
// signals around runCli. The first Ctrl-C asks a long-running command (dev, consume --follow) to
// stop cleanly; a second one, or one while nothing can stop cleanly, ends the process at once.
import type { Io } from './io.ts';
import { runCli } from './program.ts';

const stopHandlers = new Set<() => void>();
let stopRequests = 0;

function onSignal(signal: NodeJS.Signals): void {
  stopRequests++;
  if (stopRequests > 1 || stopHandlers.size === 0) {
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  for (const handler of [...stopHandlers]) handler();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const io: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: process.stdin,
  env: process.env,
  errIsTty: process.stderr.isTTY === true,
  onStop(handler) {
    stopHandlers.add(handler);
    return () => stopHandlers.delete(handler);
  },
};

const exitCode = await runCli(process.argv.slice(2), io);
// Let stdout drain before leaving (pipes are asynchronous).
process.exitCode = exitCode;
