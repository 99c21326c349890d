// Micro-benchmark of SegmentLog.append (not a test): appends `entries` entries of `payloadBytes`
// with `inFlight` appends outstanding, `batch` entries each, then reads them all back.
//
//   node broker/storage/testing/bench-append.ts [entries=200000] [payloadBytes=1024] [batch=1] [inFlight=256]

import { SegmentLog } from '../segment-log.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

const [entriesArg, payloadArg, batchArg, inFlightArg] = process.argv.slice(2);
const entries = Number(entriesArg ?? 200_000);
const payloadBytes = Number(payloadArg ?? 1024);
const batch = Number(batchArg ?? 1);
const inFlightMax = Number(inFlightArg ?? 256);

const dir = await makeTempDir('wharf-bench-');
try {
  const log = await SegmentLog.open(dir);
  const payload = new Uint8Array(payloadBytes).fill(7);
  let next = 1;
  let inFlight = 0;
  const started = performance.now();
  const { promise: done, resolve, reject } = Promise.withResolvers<void>();
  const pump = (): void => {
    while (inFlight < inFlightMax && next <= entries) {
      const group = [];
      for (let i = 0; i < batch && next <= entries; i++) group.push({ index: next++, term: 1, type: 1, data: payload });
      inFlight++;
      log.append(group).then(() => {
        inFlight--;
        if (next > entries && inFlight === 0) resolve();
        else pump();
      }, reject);
    }
  };
  pump();
  await done;
  const appendSeconds = (performance.now() - started) / 1000;
  const stats = log.stats();

  const readStarted = performance.now();
  for (let index = 1; index <= entries; ) {
    const range = await log.readRange(index, entries + 1, 4 * 1024 * 1024);
    index += range.length;
  }
  const readSeconds = (performance.now() - readStarted) / 1000;
  await log.close();

  const mib = (entries * payloadBytes) / (1024 * 1024);
  console.log(
    JSON.stringify({
      entries,
      payloadBytes,
      batch,
      inFlight: inFlightMax,
      appendsPerSecond: Math.round(entries / appendSeconds),
      appendMiBPerSecond: Number((mib / appendSeconds).toFixed(1)),
      fsyncs: stats.fsyncs,
      entriesPerFsync: Math.round(entries / stats.fsyncs),
      segments: stats.segments,
      readRangeEntriesPerSecond: Math.round(entries / readSeconds),
      rssMiB: Math.round(process.memoryUsage().rss / (1024 * 1024)),
    }),
  );
} finally {
  await removeDir(dir);
}
