import { defineConfig } from 'vitest/config';

// Fast suite: unit and in-process tests (npm run test:fast). Slow suite: real processes, kill -9
// and long property runs, in files named *.slow.test.ts (npm run test:slow). Kubernetes suite: the
// operator against a real kube-apiserver and etcd, in files named *.k8s.test.ts (npm run
// test:k8s). npm test runs all three.
const suite = process.env.WHARF_SUITE ?? 'all';
const slow = '**/*.slow.test.ts';
const k8s = '**/*.k8s.test.ts';
const include = suite === 'slow' ? [slow] : suite === 'k8s' ? [k8s] : ['**/*.test.ts'];

export default defineConfig({
  test: {
    include,
    exclude: ['**/node_modules/**', ...(suite === 'fast' ? [slow, k8s] : [])],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Broker and sidecar processes started by tests serve no metrics unless a test asks: suites run
    // in parallel and would collide on the default ports.
    env: { WHARF_METRICS_PORT: '0', WHARF_SIDECAR_METRICS_PORT: '0' },
    reporters: ['default'],
  },
});
