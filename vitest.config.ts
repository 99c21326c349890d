import { defineConfig } from 'vitest/config';

// Fast suite: unit and in-process tests (npm run test:fast). Slow suite: real processes, kill -9
// and long property runs, in files named *.slow.test.ts (npm run test:slow). npm test runs both.
const suite = process.env.WHARF_SUITE ?? 'all';
const slow = '**/*.slow.test.ts';

export default defineConfig({
  test: {
    include: suite === 'slow' ? [slow] : ['**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(suite === 'fast' ? [slow] : [])],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
