// Replays every scenario in testdata/ and compares the transcript with the recorded one.
// REGENERATE=1 rewrites the recorded outputs on purpose (review the diff before committing).
// The runner is the edge of this pure folder: it alone reads and writes files.
// biome-ignore lint/style/noRestrictedImports: the test runner reads and rewrites testdata files
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
// biome-ignore lint/style/noRestrictedImports: REGENERATE comes from the environment
import { env } from 'node:process';
import { describe, expect, it } from 'vitest';
import { runScript } from './testing/interaction.ts';

const dir = new URL('./testdata/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('raft interaction scenarios (testdata/*.txt)', () => {
  it('finds scenarios', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const url = new URL(file, dir);
      const source = readFileSync(url, 'utf8');
      const actual = runScript(source);
      if (env.REGENERATE === '1') {
        if (actual !== source) writeFileSync(url, actual);
        return;
      }
      expect(actual).toBe(source);
    });
  }
});
