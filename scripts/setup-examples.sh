#!/usr/bin/env bash
# Prepares the client examples in examples/ (the Node one needs nothing beyond npm ci):
#   python  a venv in $WHARF_CACHE/venv-examples with examples/python/requirements.txt, and the
#           stubs of proto/wharf/v1 generated into examples/python/gen by grpc_tools.protoc;
#   go      protoc-gen-go and protoc-gen-go-grpc installed by `go install` into
#           $WHARF_CACHE/gobin/<plugin>@<version>, the stubs generated into examples/go/gen by
#           `buf generate` with those local plugins, the modules downloaded, and the example built
#           into $WHARF_CACHE/examples-go/wharf-example.
# Idempotent: a step runs only when its inputs changed (a hash of them is kept next to its
# output), so a second run does nothing and prints nothing. Progress goes to stderr.
# Usage: setup-examples.sh [--print-env] [python] [go]      (no language: both)
#   --print-env  afterwards prints on stdout where the results are, as shell assignments:
#                WHARF_EXAMPLES_PYTHON=<the venv's python>
#                WHARF_EXAMPLES_GO_BIN=<the Go example's binary>
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WHARF_ROOT"

# protoc-gen-go comes from the same module version as the Go example's protobuf runtime (go.mod);
# protoc-gen-go-grpc is its own module.
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

print_env=false
langs=()
for arg in "$@"; do
  case "$arg" in
    --print-env) print_env=true ;;
    python | go) langs+=("$arg") ;;
    *) echo "usage: setup-examples.sh [--print-env] [python] [go]" >&2; exit 2 ;;
  esac
done
[ ${#langs[@]} -gt 0 ] || langs=(python go)

log() { echo "setup-examples: $*" >&2; }
# A short hash of the named files (paths relative to the repository root) and of any extra words.
hash_of() {
  local words=$1
  shift
  { sha256sum "$@"; echo "$words"; } | sha256sum | cut -c1-16
}
# True when the stamp file holds the wanted hash.
fresh() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

PROTOS=(proto/wharf/v1/broker.proto proto/wharf/v1/admin.proto)
VENV="$WHARF_CACHE/venv-examples"
GO_BIN="$WHARF_CACHE/examples-go/wharf-example"

setup_python() {
  local requirements=examples/python/requirements.txt
  command -v python3 >/dev/null || { log "python3 is not installed"; exit 1; }
  # The venv is keyed by requirements.txt and the interpreter: either changing rebuilds it.
  local want
  want=$(hash_of "$(python3 --version 2>&1)" "$requirements")
  if ! fresh "$VENV/.wharf-requirements" "$want"; then
    log "creating the Python venv $VENV and installing $(grep -v '^#' "$requirements" | xargs)"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
    echo "$want" >"$VENV/.wharf-requirements"
  fi

  local gen=examples/python/gen
  want=$(hash_of "$(cat "$VENV/.wharf-requirements")" "${PROTOS[@]}")
  if ! fresh "$gen/.wharf-stamp" "$want"; then
    log "generating the Python stubs into $gen"
    rm -rf "$gen"
    mkdir -p "$gen"
    # -I proto keeps the package path: gen/wharf/v1/broker_pb2.py imports "wharf.v1.*".
    "$VENV/bin/python" -m grpc_tools.protoc -I proto --python_out="$gen" --pyi_out="$gen" \
      --grpc_python_out="$gen" "${PROTOS[@]}"
    echo "$want" >"$gen/.wharf-stamp"
  fi
}

# Installs a Go plugin at a version into its own directory and prints that directory.
go_plugin() {
  local name=$1 package=$2 version=$3
  local dir="$WHARF_CACHE/gobin/$name@$version"
  if [ ! -x "$dir/$name" ]; then
    log "installing $name $version into $dir"
    GOBIN="$dir" go install "$package@$version" >&2
  fi
  echo "$dir"
}

setup_go() {
  command -v go >/dev/null || { log "go is not installed"; exit 1; }
  # Use the machine's Go; never download another toolchain.
  export GOTOOLCHAIN=local
  local protobuf_version
  protobuf_version=$(awk '{ for (i = 1; i < NF; i++) if ($i == "google.golang.org/protobuf") print $(i + 1) }' \
    examples/go/go.mod | head -1)
  [ -n "$protobuf_version" ] || { log "examples/go/go.mod does not require google.golang.org/protobuf"; exit 1; }
  local gen_go gen_go_grpc
  gen_go=$(go_plugin protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$protobuf_version")
  gen_go_grpc=$(go_plugin protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc \
    "$PROTOC_GEN_GO_GRPC_VERSION")

  local gen=examples/go/gen
  local want
  want=$(hash_of "$protobuf_version $PROTOC_GEN_GO_GRPC_VERSION $(buf --version)" \
    examples/go/buf.gen.yaml "${PROTOS[@]}")
  if ! fresh "$gen/.wharf-stamp" "$want"; then
    log "generating the Go stubs into $gen (buf generate)"
    rm -rf "$gen"
    (cd examples/go && PATH="$gen_go:$gen_go_grpc:$PATH" \
      buf generate ../../proto --template buf.gen.yaml --path ../../proto/wharf/v1)
    echo "$want" >"$gen/.wharf-stamp"
  fi

  # The binary is keyed by everything it is built from.
  want=$(hash_of "$(go version) $(cat "$gen/.wharf-stamp")" examples/go/go.mod examples/go/go.sum \
    examples/go/*.go)
  if ! fresh "$GO_BIN.stamp" "$want" || [ ! -x "$GO_BIN" ]; then
    log "downloading the Go modules and building $GO_BIN"
    mkdir -p "$(dirname "$GO_BIN")"
    (cd examples/go && go mod download && go build -o "$GO_BIN.tmp" .)
    mv "$GO_BIN.tmp" "$GO_BIN"
    echo "$want" >"$GO_BIN.stamp"
  fi
}

for lang in "${langs[@]}"; do "setup_$lang"; done

if $print_env; then
  echo "WHARF_EXAMPLES_PYTHON=$VENV/bin/python"
  echo "WHARF_EXAMPLES_GO_BIN=$GO_BIN"
fi
