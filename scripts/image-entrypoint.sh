#!/bin/sh
# The image's entrypoint, installed as /app/bin/wharf:
#   wharf broker [flags]     the broker        (broker/main.ts)
#   wharf sidecar [flags]    the sidecar       (sidecar/main.ts)
#   wharf operator [flags]   the operator      (cli/main.ts operator)
#   wharf prestop            the broker's preStop hook (operator/prestop.ts)
#   wharf crds-apply         server-side apply of the image's CRDs (scripts/image-crds.ts; the
#                            chart's pre-upgrade hook)
#   wharf <anything else>    the wharf CLI     (cli/main.ts: publish, consume, apply, ...)
# Two shorthands keep the operator's objects working as they are built today: flags alone (the
# broker StatefulSet's args begin with --data) run the broker, and no arguments at all (the injected
# sidecar container sets none; the image's CMD is "sidecar") run the sidecar.
set -eu
app=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cmd=${1:-sidecar}
case "$cmd" in
  broker) shift; exec node "$app/broker/main.ts" "$@" ;;
  sidecar) shift; exec node "$app/sidecar/main.ts" "$@" ;;
  operator) shift; exec node "$app/cli/main.ts" operator "$@" ;;
  prestop) shift; exec node "$app/operator/prestop.ts" "$@" ;;
  crds-apply) shift; exec node "$app/scripts/image-crds.ts" "$@" ;;
  -*) exec node "$app/broker/main.ts" "$@" ;;
  *) exec node "$app/cli/main.ts" "$@" ;;
esac
