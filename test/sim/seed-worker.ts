// Runs a range of seeds in a worker thread (the slow suite spreads its seeds over the cores).
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed } from './run.ts';

const { first, count, steps } = workerData as { first: number; count: number; steps: number };
const failures: { seed: number; failure: string; summary: string }[] = [];
for (let seed = first; seed < first + count; seed++) {
  const result = await runSeed({ seed, steps });
  if (result.failure !== undefined) failures.push({ seed, failure: result.failure, summary: result.summary });
}
parentPort?.postMessage(failures);
