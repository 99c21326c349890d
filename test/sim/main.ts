// Deterministic simulation runner: `node test/sim/main.ts --seeds N --steps M [--seed S] [--nodes K]`.
// Runs seeds S..S+N-1 (S defaults to 1), prints one line per failing seed with the command that
// re-runs it exactly, and a summary line. Exit code 1 when any seed failed.
import { rerunCommand, runSeed } from './run.ts';

function flag(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

const single = flag('seed');
const seeds = flag('seeds') ?? 1;
const steps = flag('steps') ?? 3000;
const nodes = flag('nodes');
const verbose = process.argv.includes('--verbose') || (single !== undefined && flag('seeds') === undefined);
const first = single ?? 1;
const started = performance.now();
let failed = 0;
for (let seed = first; seed < first + seeds; seed++) {
  const result = await runSeed({ seed, steps, ...(nodes === undefined ? {} : { nodes }) });
  const n = Number(/nodes=(\d+)/.exec(result.summary)?.[1] ?? 3);
  if (result.failure !== undefined) {
    failed++;
    console.log(`FAIL seed=${seed}: ${result.failure}\n  rerun: ${rerunCommand(seed, steps, nodes ?? n)}`);
  }
  if (verbose) console.log(`seed=${seed} ${result.summary}`);
}
const wallMs = Math.round(performance.now() - started);
console.log(`seeds=${seeds} failed=${failed} steps=${steps} first_seed=${first} wall_ms=${wallMs}`);
process.exitCode = failed > 0 ? 1 : 0;
