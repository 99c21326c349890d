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
    // Broker and sidecar processes started by tests serve no metrics unless a test asks: suites run
    // in parallel and would collide on the default ports.
    env: { WHARF_METRICS_PORT: '0', WHARF_SIDECAR_METRICS_PORT: '0' },
    reporters: ['default'],
  },
});
