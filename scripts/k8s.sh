#!/usr/bin/env bash
# A real Kubernetes control plane for the Kubernetes test suite: kube-apiserver (and kubectl) built
# from k8s.io/kubernetes and etcd built from go.etcd.io/etcd, with Go through the module proxy,
# cached outside the repo keyed by version. The pinned versions live in the two small Go modules
# test/k8s/apiserver/go.mod and test/k8s/etcd/go.mod.
#   k8s.sh [build]   build if needed; print KUBE_APISERVER=, KUBECTL=, CONTROLLERS=, ETCD= lines
#   k8s.sh start     build if needed; make a CA, serving cert, service-account key and admin token;
#                    run etcd and kube-apiserver on free 127.0.0.1 ports (RBAC authorization), wait
#                    until /readyz answers, write a kubeconfig; print K8S_* KEY=VALUE lines
#   k8s.sh stop      stop what `start` ran in K8S_STATE_DIR (pids from its files)
#   k8s.sh pin V     point test/k8s/apiserver/go.mod at k8s.io/kubernetes V (staging modules v0.N.P)
# Environment: K8S_STATE_DIR (certs, data, logs, pids; default $WHARF_CACHE/k8s-run; `start` wipes
# it, so give each concurrently running control plane its own), K8S_APISERVER_PORT, K8S_ETCD_PORT,
# K8S_ETCD_PEER_PORT (default: free ports), K8S_READY_SECS (120), K8S_PARENT_PID (when set, a
# watchdog stops the control plane once that process is gone, so a crashed test leaves nothing behind).
# K8S_APPLY: files or directories (space-separated) to `kubectl apply --server-side` once the API
# server is ready and before the controllers start (e.g. crds/).
# K8S_CONTROLLERS: "namespace", "garbagecollector" or both (comma-separated): run those controllers
# of kube-controller-manager (test/k8s/apiserver/controllers, built with kube-apiserver: only these
# two, so the build stays small). Without them, namespaces stay Terminating once deleted and
# ownerReferences do not cascade. Never started: scheduler and kubelet, so no pod runs. The
# ServiceAccount admission plugin is off (pods need no default ServiceAccount).
# K8S_CLUSTER_EGRESS_UDS: a Unix socket path; the API server then reaches Services (webhooks and
# other callers that name a Service: it dials the Service's ClusterIP and port) through an HTTP
# CONNECT proxy listening there, which the test runs in kube-proxy's place (no kube-proxy here).
# Webhooks called by URL are not affected.
# Progress goes to stderr; stdout carries only the answer.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WHARF_CACHE=${WHARF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf}
apiserver_mod="$root/test/k8s/apiserver"
etcd_mod="$root/test/k8s/etcd"
state_dir=${K8S_STATE_DIR:-$WHARF_CACHE/k8s-run}
ready_secs=${K8S_READY_SECS:-120}

log() { echo "k8s.sh: $*" >&2; }

# The version a module's go.mod requires of `module`.
required_version() { sed -n "s#^[[:space:]]*\(require[[:space:]]\)\{0,1\}$2[[:space:]]\{1,\}\(v[^[:space:]]*\).*#\2#p" "$1/go.mod" | head -1; }

k8s_version=$(required_version "$apiserver_mod" k8s.io/kubernetes)
etcd_version=$(required_version "$etcd_mod" go.etcd.io/etcd/server/v3)
k8s_dir="$WHARF_CACHE/kubernetes-$k8s_version"
etcd_dir="$WHARF_CACHE/etcd-$etcd_version"
kube_apiserver="$k8s_dir/kube-apiserver"
kubectl="$k8s_dir/kubectl"
controllers="$k8s_dir/wharf-test-controllers"
etcd="$etcd_dir/etcd"

need_go() { command -v go >/dev/null 2>&1 || { log "go is not on PATH; install Go >= 1.25"; exit 1; }; }

# go build `packages` in module dir `mod` into the directory `out`, through a temp directory and
# rename, so an interrupted build never leaves a broken binary.
go_build() {
  local mod=$1 out=$2 ldflags=$3 work
  shift 3
  mkdir -p "$out"
  work=$(mktemp -d "$out/build.XXXXXX")
  (cd "$mod" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
    go build -trimpath -ldflags "$ldflags" -o "$work/" "$@") >&2 || { rm -rf "$work"; log "go build failed"; exit 1; }
  local bin
  for bin in "$work"/*; do mv "$bin" "$out/"; done
  rm -rf "$work"
}

build() {
  if [ -x "$kube_apiserver" ] && [ -x "$kubectl" ] && [ -x "$controllers" ] && [ -x "$etcd" ]; then return 0; fi
  need_go
  mkdir -p "$WHARF_CACHE"
  # One build at a time, also across test files that start control planes at once.
  exec 9>"$WHARF_CACHE/k8s-build.lock"
  flock -w 3600 9 || { log "timed out waiting for another k8s.sh build"; exit 1; }
  local packages=()
  [ -x "$kube_apiserver" ] || packages+=(k8s.io/kubernetes/cmd/kube-apiserver)
  [ -x "$kubectl" ] || packages+=(k8s.io/kubernetes/cmd/kubectl)
  [ -x "$controllers" ] || packages+=(./controllers)
  if [ "${#packages[@]}" -gt 0 ]; then
    log "building ${packages[*]##*/} $k8s_version with $(go version | cut -d' ' -f3) (cold: 10-20 minutes on 2 cores)"
    local started=$SECONDS ldflags="-s -w" minor pkg
    minor=$(echo "$k8s_version" | cut -d. -f2)
    # What hack/lib/version.sh stamps, so /version and kubectl report the release.
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags="$ldflags -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
      ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    go_build "$apiserver_mod" "$k8s_dir" "$ldflags" "${packages[@]}"
    if [ -x "$k8s_dir/controllers" ]; then mv "$k8s_dir/controllers" "$controllers"; fi
    log "built ${packages[*]##*/} into $k8s_dir in $((SECONDS - started))s"
  fi
  if [ ! -x "$etcd" ]; then
    log "building etcd $etcd_version (cold: 2-5 minutes)"
    local started=$SECONDS
    go_build "$etcd_mod" "$etcd_dir" "-s -w" go.etcd.io/etcd/server/v3
    # Go names the binary of go.etcd.io/etcd/server/v3 after its last non-version element.
    mv "$etcd_dir/server" "$etcd"
    log "built $etcd in $((SECONDS - started))s"
  fi
  exec 9>&-
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });' 2>/dev/null \
    || python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

certificates() {
  local d=$state_dir/pki
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
    -subj "/CN=wharf-test-ca" -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$d/apiserver.key" -out "$d/apiserver.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
    "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature,keyEncipherment" >"$d/apiserver.ext"
  openssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 7 \
    -extfile "$d/apiserver.ext" -out "$d/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  token=$(openssl rand -hex 24)
  # token,user,uid,"groups": the admin is in system:masters (every permission, RBAC or not).
  echo "$token,wharf-admin,wharf-admin,\"system:masters\"" >"$d/tokens.csv"
  chmod 600 "$d"/*.key "$d/tokens.csv"
}

write_kubeconfig() {
  cat >"$state_dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: wharf-test
    cluster:
      server: https://127.0.0.1:$apiserver_port
      certificate-authority: $state_dir/pki/ca.crt
users:
  - name: wharf-admin
    user:
      token: $token
contexts:
  - name: wharf-test
    context: { cluster: wharf-test, user: wharf-admin, namespace: default }
current-context: wharf-test
EOF
  chmod 600 "$state_dir/kubeconfig"
}

# Waits until `probe` succeeds, while `pid` lives, at most ready_secs. Returns 1 on failure.
wait_for() {
  local what=$1 pid=$2 logfile=$3 deadline=$((SECONDS + ready_secs))
  shift 3
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$what exited before it was ready; last lines of its log ($logfile):"
      tail -30 "$logfile" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$what not ready after ${ready_secs}s; last lines of its log ($logfile):"
      tail -30 "$logfile" >&2
      return 1
    fi
    sleep 0.2
  done
}

start() {
  build
  if [ -f "$state_dir/apiserver.pid" ] && kill -0 "$(cat "$state_dir/apiserver.pid")" 2>/dev/null; then
    log "already running in $state_dir (pid $(cat "$state_dir/apiserver.pid")); stop it first"
    exit 1
  fi
  # Wipe only what an earlier start made (marker file), never a directory someone else filled.
  if [ -d "$state_dir" ] && [ -n "$(ls -A "$state_dir")" ] && [ ! -f "$state_dir/.wharf-k8s" ]; then
    log "$state_dir is not empty and not a k8s.sh state directory; choose another K8S_STATE_DIR"
    exit 1
  fi
  rm -rf "$state_dir"
  mkdir -p "$state_dir"
  touch "$state_dir/.wharf-k8s"
  certificates
  local etcd_port=${K8S_ETCD_PORT:-$(free_port)} etcd_peer_port=${K8S_ETCD_PEER_PORT:-$(free_port)}
  apiserver_port=${K8S_APISERVER_PORT:-$(free_port)}

  # Test data only: no fsync (a crash of the test loses the cluster, which is thrown away anyway).
  "$etcd" --name wharf-test --data-dir "$state_dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "wharf-test=http://127.0.0.1:$etcd_peer_port" \
    --unsafe-no-fsync --log-level warn </dev/null >"$state_dir/etcd.log" 2>&1 &
  local etcd_pid=$!
  echo "$etcd_pid" >"$state_dir/etcd.pid"
  log "etcd pid $etcd_pid on 127.0.0.1:$etcd_port; waiting for /health"
  wait_for etcd "$etcd_pid" "$state_dir/etcd.log" curl -fsS "http://127.0.0.1:$etcd_port/health" || { stop; exit 1; }

  local pki=$state_dir/pki
  local egress=()
  if [ -n "${K8S_CLUSTER_EGRESS_UDS:-}" ]; then
    cat >"$state_dir/egress.yaml" <<EOF
apiVersion: apiserver.k8s.io/v1beta1
kind: EgressSelectorConfiguration
egressSelections:
  - name: cluster
    connection:
      proxyProtocol: HTTPConnect
      transport:
        uds:
          udsName: $K8S_CLUSTER_EGRESS_UDS
EOF
    egress=(--egress-selector-config-file "$state_dir/egress.yaml")
  fi
  "$kube_apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$apiserver_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --token-auth-file "$pki/tokens.csv" \
    --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 \
    --disable-admission-plugins ServiceAccount \
    --endpoint-reconciler-type none \
    --allow-privileged=true --profiling=false --v=1 "${egress[@]}" \
    </dev/null >"$state_dir/apiserver.log" 2>&1 &
  local apiserver_pid=$!
  echo "$apiserver_pid" >"$state_dir/apiserver.pid"
  log "kube-apiserver pid $apiserver_pid on https://127.0.0.1:$apiserver_port; waiting for /readyz"
  wait_for kube-apiserver "$apiserver_pid" "$state_dir/apiserver.log" \
    curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $token" "https://127.0.0.1:$apiserver_port/readyz" \
    || { stop; exit 1; }
  write_kubeconfig

  if [ -n "${K8S_APPLY:-}" ]; then
    # Before the controllers start, so they see these kinds from the start.
    local item
    for item in $K8S_APPLY; do
      "$kubectl" --kubeconfig "$state_dir/kubeconfig" apply --server-side --field-manager k8s.sh -f "$item" >&2 \
        || { stop; exit 1; }
    done
    "$kubectl" --kubeconfig "$state_dir/kubeconfig" wait --for condition=Established crd --all \
      --timeout "${ready_secs}s" >&2 || { stop; exit 1; }
  fi

  local kcm_pid=
  if [ -n "${K8S_CONTROLLERS:-}" ]; then
    local kcm_port
    kcm_port=$(free_port)
    "$controllers" --kubeconfig "$state_dir/kubeconfig" --controllers "$K8S_CONTROLLERS" \
      --healthz-address "127.0.0.1:$kcm_port" </dev/null >"$state_dir/controllers.log" 2>&1 &
    kcm_pid=$!
    echo "$kcm_pid" >"$state_dir/controllers.pid"
    log "wharf-test-controllers pid $kcm_pid ($K8S_CONTROLLERS); waiting for /healthz"
    wait_for wharf-test-controllers "$kcm_pid" "$state_dir/controllers.log" \
      curl -fsS "http://127.0.0.1:$kcm_port/healthz" || { stop; exit 1; }
  fi

  if [ -n "${K8S_PARENT_PID:-}" ]; then
    # Watchdog: once the parent is gone, stop them all (SIGTERM, then SIGKILL).
    (
      trap '' HUP
      while kill -0 "$K8S_PARENT_PID" 2>/dev/null && kill -0 "$apiserver_pid" 2>/dev/null; do sleep 1; done
      kill $kcm_pid "$apiserver_pid" "$etcd_pid" 2>/dev/null || true
      sleep 5
      kill -9 $kcm_pid "$apiserver_pid" "$etcd_pid" 2>/dev/null || true
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$state_dir/watchdog.pid"
  fi

  echo "K8S_VERSION=$k8s_version"
  echo "K8S_APISERVER_PID=$apiserver_pid"
  echo "K8S_ETCD_PID=$etcd_pid"
  if [ -n "$kcm_pid" ]; then echo "K8S_CONTROLLERS_PID=$kcm_pid"; fi
  echo "K8S_URL=https://127.0.0.1:$apiserver_port"
  echo "K8S_ETCD_URL=http://127.0.0.1:$etcd_port"
  echo "K8S_TOKEN=$token"
  echo "K8S_CA=$pki/ca.crt"
  echo "K8S_KUBECONFIG=$state_dir/kubeconfig"
  echo "K8S_STATE_DIR=$state_dir"
  echo "KUBECTL=$kubectl"
}

# SIGTERM the process in pid file $1, wait up to 10 s, then SIGKILL.
stop_one() {
  local file=$state_dir/$1 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$file"
  log "stopped ${1%.pid} (pid $pid)"
}

stop() {
  stop_one watchdog.pid
  stop_one controllers.pid
  stop_one apiserver.pid
  stop_one etcd.pid
}

pin() {
  local version=${1:?usage: k8s.sh pin v1.N.P} gomod staging
  need_go
  gomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [ -f "$gomod" ] || { log "could not download k8s.io/kubernetes@$version"; exit 1; }
  staging="v0.${version#v1.}"
  {
    sed -n '/^module /q;p' "$apiserver_mod/go.mod"
    printf 'module wharf.dev/test/k8s/apiserver\n\ngo 1.25.0\n\ntool (\n'
    printf '\tk8s.io/kubernetes/cmd/kube-apiserver\n\tk8s.io/kubernetes/cmd/kubectl\n)\n\n'
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$version"
    sed -n 's#^[[:space:]]*\(k8s.io/[^[:space:]]*\) => ./staging/.*#\1#p' "$gomod" \
      | while read -r module; do printf '\t%s => %s %s\n' "$module" "$module" "$staging"; done
    printf ')\n'
  } >"$apiserver_mod/go.mod.new"
  mv "$apiserver_mod/go.mod.new" "$apiserver_mod/go.mod"
  rm -f "$apiserver_mod/go.sum"
  (cd "$apiserver_mod" && go mod tidy) >&2
  log "pinned k8s.io/kubernetes $version (staging $staging) in $apiserver_mod/go.mod"
}

case "${1:-build}" in
  build | path)
    build
    echo "KUBE_APISERVER=$kube_apiserver"
    echo "KUBECTL=$kubectl"
    echo "ETCD=$etcd"
    echo "CONTROLLERS=$controllers"
    ;;
  start) start ;;
  stop) stop ;;
  pin) pin "${2:-}" ;;
  *) log "usage: k8s.sh [build|start|stop|pin VERSION]"; exit 2 ;;
esac
