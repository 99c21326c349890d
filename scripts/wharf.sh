#!/usr/bin/env bash
# The wharf command: runs cli/main.ts on a Node that strips types (installed when needed).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/env.sh"
exec node "$WHARF_ROOT/cli/main.ts" "$@"
