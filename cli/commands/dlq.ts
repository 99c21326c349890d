// wharf dlq redrive DLQ [--max N]: moves dead-lettered messages back to where they came from, in
// batches so a long redrive shows its progress.
import { plural } from '../format.ts';
import { type Io, printJson } from '../io.ts';
import { type CommonOptions, countArg, destinationArg, withClient } from './common.ts';

export interface RedriveOptions extends CommonOptions {
  readonly max?: string;
}

export const REDRIVE_BATCH = 1000;

export async function redriveCommand(dlqRaw: string, options: RedriveOptions, io: Io): Promise<void> {
  const dlq = destinationArg(dlqRaw);
  const max = options.max === undefined ? undefined : countArg(options.max, '--max', 1);
  let moved = 0;
  await withClient(options, async (client) => {
    for (;;) {
      const want = max === undefined ? REDRIVE_BATCH : Math.min(REDRIVE_BATCH, max - moved);
      if (want <= 0) break;
      const count = await client.redriveDeadLetters(dlq, want);
      moved += count;
      if (count < want) break;
      if (!options.json) io.err(`moved ${moved} so far\n`);
    }
  });
  if (options.json) printJson(io, { deadLetterQueue: dlq, redriven: moved });
  else io.out(`moved ${plural(moved, 'message')} from ${dlq} back to where they came from\n`);
}
