#!/usr/bin/env bash
# The test command (npm test): static checks, then the test suites.
#   test.sh        checks + every suite (what CI runs)
#   test.sh fast   checks + the fast suite (seconds)
#   test.sh slow   the slow suite only (real processes, kill -9)
# Extra arguments go to vitest (e.g. a file filter).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WHARF_ROOT"
suite=${1:-all}
case "$suite" in fast|slow|all) shift || true ;; *) suite=all ;; esac
if [ "$suite" != slow ]; then bash scripts/check.sh; fi
echo "== vitest ($suite suite, node $(node --version))" >&2
WHARF_SUITE=$suite exec node node_modules/vitest/vitest.mjs run "$@"
