#!/usr/bin/env bash
# Generates the TypeScript types of proto/ into proto/gen (committed; CI fails when they drift).
# Usage: gen-proto.sh [--check]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WHARF_ROOT/proto"
out=gen
if [ "${1:-}" = "--check" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
rm -rf "${out:?}"/wharf "${out:?}"/google "$out"/*.ts 2>/dev/null || true
proto-loader-gen-types --longs=Number --enums=String --defaults --oneofs --bytes=Buffer \
  --grpcLib=@grpc/grpc-js --includeComments --outDir="$out" \
  wharf/v1/broker.proto wharf/v1/admin.proto wharf/raft/v1/raft.proto >/dev/null
if [ "${1:-}" = "--check" ]; then
  if ! diff -r "$out" gen >/dev/null; then
    echo "proto/gen is out of date with proto/: run 'npm run gen' and commit the result" >&2
    diff -r "$out" gen | head -20 >&2
    exit 1
  fi
fi
