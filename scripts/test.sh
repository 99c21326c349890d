#!/usr/bin/env bash
# The test command (npm test): static checks, then the test suites.
#   test.sh        checks + every suite (what CI runs)
#   test.sh fast   checks + the fast suite (seconds)
#   test.sh slow   the slow suite only (real processes, kill -9, builds of test peers)
#   test.sh k8s    the Kubernetes suite only (operator against a real kube-apiserver and etcd)
# Extra arguments go to vitest (e.g. a file filter). Ends with one plain line
# "tests: N passed, N failed[, N skipped]" after vitest's own summary.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WHARF_ROOT"
suite=${1:-all}
case "$suite" in fast|slow|k8s|all) shift || true ;; *) suite=all ;; esac
if [ "${CI:-}" = true ]; then export NO_COLOR=1; fi
if [ "$suite" = fast ] || [ "$suite" = all ]; then bash scripts/check.sh; fi
# Test peers built from source (cold: minutes; cached in $WHARF_CACHE), one at a time before the
# suites start: no suite then waits on a build inside its own timeout, and two Go builds never
# share the two cores. The tests call the same scripts and find everything built.
prepare() {
  local started=$SECONDS
  echo "== $1" >&2
  "${@:2}" >/dev/null || { echo "test.sh: $1 failed" >&2; exit 1; }
  echo "   ($((SECONDS - started)) s)" >&2
}
if [ "$suite" = all ] || [ "$suite" = slow ]; then
  prepare "Jaeger (scripts/jaeger.sh build)" bash scripts/jaeger.sh build
  prepare "Python venv and Go example (scripts/setup-examples.sh)" bash scripts/setup-examples.sh
fi
if [ "$suite" = all ] || [ "$suite" = k8s ]; then
  prepare "kube-apiserver, kubectl, etcd (scripts/k8s.sh build)" bash scripts/k8s.sh build
fi
echo "== vitest ($suite suite, node $(node --version))" >&2
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
WHARF_SUITE=$suite node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
  --outputFile.json="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$report" || status=1
exit "$status"
