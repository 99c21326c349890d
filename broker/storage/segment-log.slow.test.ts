// Crash test with a real writer process: SIGKILL it mid-stream, restart, repeat, then check that
// every entry whose append was acknowledged is in the log with the right contents, and that the
// log is contiguous.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentLog } from './segment-log.ts';
import { payloadFor, sameBytes } from './testing/payload.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

const WRITER = join(import.meta.dirname, 'testing', 'crash-writer.ts');
const ROUNDS = 4;
const ROUND_TIMEOUT_MS = 30_000;
const SEGMENT_BYTES_MAX = 256 * 1024;

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

interface Round {
  readonly readyLastIndex: number;
  /** Acknowledged [from, to] ranges, in the order printed. */
  readonly acked: Array<readonly [number, number]>;
}

/** Runs the writer until it acknowledged `ackedMin` entries, then SIGKILLs it. */
async function runAndKill(dir: string, term: number, ackedMin: number): Promise<Round> {
  const child = spawn(process.execPath, [WRITER, dir, String(term), String(SEGMENT_BYTES_MAX)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const acked: Array<readonly [number, number]> = [];
  let readyLastIndex = -1;
  let ackedCount = 0;
  const timer = setTimeout(() => child.kill('SIGKILL'), ROUND_TIMEOUT_MS);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const [word, a, b] = line.split(' ');
    if (word === 'ready') readyLastIndex = Number(a);
    if (word === 'ack') {
      acked.push([Number(a), Number(b)]);
      ackedCount += Number(b) - Number(a) + 1;
      if (ackedCount >= ackedMin && child.exitCode === null) child.kill('SIGKILL');
    }
  }
  clearTimeout(timer);
  await exited;
  expect(readyLastIndex, `writer did not start: ${stderr}`).toBeGreaterThanOrEqual(0);
  expect(ackedCount, `writer stopped early: ${stderr}`).toBeGreaterThanOrEqual(ackedMin);
  expect(child.signalCode).toBe('SIGKILL');
  return { readyLastIndex, acked };
}

describe('SegmentLog under kill -9', () => {
  it('keeps every acknowledged entry across repeated SIGKILLs of a real writer', async () => {
    const dir = await makeTempDir('wharf-crash-');
    dirs.push(dir);
    /** Term each acknowledged index was written with. */
    const ackedTerm = new Map<number, number>();
    let previousAckedMax = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const term = round + 1;
      const { readyLastIndex, acked } = await runAndKill(dir, term, 2000 + 1500 * round);
      // Recovery never loses acknowledged entries (it may keep unacknowledged ones).
      expect(readyLastIndex).toBeGreaterThanOrEqual(previousAckedMax);
      for (const [from, to] of acked) {
        for (let index = from; index <= to; index++) ackedTerm.set(index, term);
        previousAckedMax = Math.max(previousAckedMax, to);
      }
    }

    const log = await SegmentLog.open(dir, { segmentBytesMax: SEGMENT_BYTES_MAX });
    try {
      expect(log.firstIndex()).toBe(1);
      expect(log.lastIndex()).toBeGreaterThanOrEqual(previousAckedMax);
      expect(log.stats().segments).toBeGreaterThan(1);
      let expected = 1;
      while (expected <= log.lastIndex()) {
        const entries = await log.readRange(expected, log.lastIndex() + 1, 4 * 1024 * 1024);
        for (const entry of entries) {
          expect(entry.index).toBe(expected);
          expect(entry.type).toBe(entry.index % 7);
          expect(sameBytes(entry.data, payloadFor(entry.index))).toBe(true);
          const term = ackedTerm.get(entry.index);
          if (term !== undefined) expect(entry.term).toBe(term);
          expected++;
        }
      }
      for (const index of ackedTerm.keys()) expect(index).toBeLessThanOrEqual(log.lastIndex());
    } finally {
      await log.close();
    }
  });
});
