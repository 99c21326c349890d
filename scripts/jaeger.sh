#!/usr/bin/env bash
# A real Jaeger (v2, the OpenTelemetry-Collector-based binary) for the tracing tests, built from
# source with Go through the module proxy and cached outside the repo, keyed by version.
#   jaeger.sh [build]   build if needed; print the binary's path
#   jaeger.sh start     build if needed, run it on loopback with in-memory storage, wait until the
#                       query API answers; print JAEGER_PID=, JAEGER_OTLP_GRPC=, JAEGER_QUERY= lines
#   jaeger.sh stop      stop the one `start` ran (pid from the state directory)
# Environment: JAEGER_VERSION (module version; v1.76.0 is Jaeger v2.13's tag of the root module),
# JAEGER_OTLP_GRPC_PORT (4317), JAEGER_QUERY_PORT (16686), JAEGER_STATE_DIR (where config, log and
# pid go; default $WHARF_CACHE/jaeger-run), JAEGER_READY_SECS (60).
# Progress goes to stderr; stdout carries only the answer.
set -euo pipefail
WHARF_CACHE=${WHARF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf}
version=${JAEGER_VERSION:-v1.76.0}
bin_dir="$WHARF_CACHE/jaeger-$version"
bin="$bin_dir/jaeger"
state_dir=${JAEGER_STATE_DIR:-$WHARF_CACHE/jaeger-run}
otlp_port=${JAEGER_OTLP_GRPC_PORT:-4317}
query_port=${JAEGER_QUERY_PORT:-16686}
ready_secs=${JAEGER_READY_SECS:-60}

log() { echo "jaeger.sh: $*" >&2; }

build() {
  if [ -x "$bin" ]; then return 0; fi
  command -v go >/dev/null 2>&1 || { log "go is not on PATH; install Go >= 1.24"; exit 1; }
  log "building Jaeger $version from source with $(go version | cut -d' ' -f3) (cold: several minutes)"
  local started=$SECONDS dir work
  # `go install module/cmd@version` refuses modules whose go.mod has replace directives (Jaeger's
  # does), so fetch the module's source through the proxy and build it as the main module.
  dir=$(go mod download -json "github.com/jaegertracing/jaeger@$version" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || { log "could not download github.com/jaegertracing/jaeger@$version"; exit 1; }
  mkdir -p "$bin_dir"
  work=$(mktemp -d "$bin_dir/build.XXXXXX")
  # Build into a temp name and rename, so an interrupted build never leaves a broken binary.
  (cd "$dir" && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -o "$work/jaeger" ./cmd/jaeger) >&2 \
    || { rm -rf "$work"; log "go build failed"; exit 1; }
  mv "$work/jaeger" "$bin"
  rm -rf "$work"
  log "built $bin in $((SECONDS - started))s"
}

write_config() {
  # Loopback only; only the receivers and extensions the tests use, so no fixed ports collide.
  cat >"$state_dir/config.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$query_port
    grpc:
      endpoint: 127.0.0.1:0
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$otlp_port
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
EOF
}

start() {
  build
  mkdir -p "$state_dir"
  if [ -f "$state_dir/pid" ] && kill -0 "$(cat "$state_dir/pid")" 2>/dev/null; then
    log "already running (pid $(cat "$state_dir/pid")); stop it first"
    exit 1
  fi
  write_config
  "$bin" --config "$state_dir/config.yaml" >"$state_dir/jaeger.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$state_dir/pid"
  log "started pid $pid; waiting for http://127.0.0.1:$query_port (log: $state_dir/jaeger.log)"
  local deadline=$((SECONDS + ready_secs))
  until curl -fsS "http://127.0.0.1:$query_port/api/services" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "exited before it was ready; last lines of its log:"
      tail -20 "$state_dir/jaeger.log" >&2
      rm -f "$state_dir/pid"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "not ready after ${ready_secs}s; stopping it"
      kill "$pid" 2>/dev/null || true
      rm -f "$state_dir/pid"
      exit 1
    fi
    sleep 0.2
  done
  echo "JAEGER_PID=$pid"
  echo "JAEGER_OTLP_GRPC=127.0.0.1:$otlp_port"
  echo "JAEGER_QUERY=http://127.0.0.1:$query_port"
}

stop() {
  [ -f "$state_dir/pid" ] || { log "not running (no $state_dir/pid)"; return 0; }
  local pid i
  pid=$(cat "$state_dir/pid")
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$state_dir/pid"
  log "stopped pid $pid"
}

case "${1:-build}" in
  build | path) build && echo "$bin" ;;
  start) start ;;
  stop) stop ;;
  *) log "usage: jaeger.sh [build|start|stop]"; exit 2 ;;
esac
