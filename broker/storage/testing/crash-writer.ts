// A writer process for the crash test: opens the log, then appends as fast as it can with many
// appends in flight, printing "ack <from> <to>" for each append only after it resolved (that is,
// after the fdatasync covering it). The test SIGKILLs it mid-stream and checks every acknowledged
// entry survived.
//
//   node crash-writer.ts <dir> <term> [segmentBytesMax] [entriesMax]

import { writeSync } from 'node:fs';
import { createLogger } from '../../../common/logger.ts';
import { SegmentLog } from '../segment-log.ts';
import { entryFor } from './payload.ts';

const [dir, termArg, segmentArg, entriesArg] = process.argv.slice(2);
if (dir === undefined || termArg === undefined) {
  process.stderr.write('usage: crash-writer.ts <dir> <term> [segmentBytesMax] [entriesMax]\n');
  process.exit(2);
}
const term = Number(termArg);
const segmentBytesMax = Number(segmentArg ?? 256 * 1024);
// A bound so an orphaned writer stops by itself.
const entriesMax = Number(entriesArg ?? 2_000_000);
const appendsInFlightMax = 16;

/** Synchronous write to stdout: once it returns, the line is in the pipe even if we die next. */
function say(line: string): void {
  writeSync(1, `${line}\n`);
}

const log = await SegmentLog.open(dir, { segmentBytesMax, logger: createLogger({ level: 'warn' }) });
say(`ready ${log.lastIndex()}`);

let next = log.lastIndex() + 1;
const stopAt = next + entriesMax;
let inFlight = 0;
const { promise: finished, resolve: finish, reject: fail } = Promise.withResolvers<void>();

function pump(): void {
  while (inFlight < appendsInFlightMax && next < stopAt) {
    const from = next;
    const count = 1 + (from % 32);
    const entries = [];
    for (let i = 0; i < count; i++) entries.push(entryFor(from + i, term));
    next += count;
    inFlight++;
    log.append(entries).then(() => {
      say(`ack ${from} ${from + count - 1}`);
      inFlight--;
      if (next >= stopAt && inFlight === 0) finish();
      else pump();
    }, fail);
  }
}
pump();
await finished;
await log.close();
say('done');
