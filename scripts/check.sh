#!/usr/bin/env bash
# Static checks: formatter and linter (biome), types (tsc), proto lint (buf) and generated-code drift.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WHARF_ROOT"
echo "== biome (format + lint)" >&2
biome ci --reporter=summary ${NO_COLOR:+--colors=off} .
echo "== tsc --noEmit" >&2
tsc -p .
echo "== buf lint" >&2
(cd proto && buf lint)
echo "== proto/gen up to date" >&2
bash scripts/gen-proto.sh --check
