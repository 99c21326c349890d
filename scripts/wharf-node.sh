#!/usr/bin/env bash
# Runs a TypeScript entry point of the repository on the project's Node (installed when needed):
#   bash scripts/wharf-node.sh test/sim/main.ts --seeds 100
set -euo pipefail
source "$(dirname "$0")/env.sh"
script=$1
shift
exec node "$WHARF_ROOT/$script" "$@"
