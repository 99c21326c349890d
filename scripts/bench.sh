#!/usr/bin/env bash
# npm run bench -- [--secs 8] [--only publish-batch,...] [--memory 1000000] [--no-ceiling] [--json]
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec node "$WHARF_ROOT/bench/run.ts" "$@"
