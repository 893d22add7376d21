# Source this file (`. scripts/ensure-node.sh`) to run the project on Node 24 LTS or newer.
#
# When the machine's `node` is older than 24 (or missing), Node 24 is installed from the npm registry into
# .tools/node24 (the `node` package ships the binary, for this platform, in its preinstall step; npm 11 ships
# npm and npx) and that bin directory is put first on PATH, so `node`, `npm` and `npx` all run on Node 24.
# Needs a working `npm` for the first install only. Idempotent: a second run reuses .tools/node24.

AGORA_NODE_MAJOR=24
# bash knows where this file is; other shells (sh, zsh) source it from the project's root, as the README does.
if [ -n "${BASH_SOURCE:-}" ]; then
  AGORA_ROOT="$(cd "$(dirname "$BASH_SOURCE")/.." && pwd)"
else
  AGORA_ROOT="$(pwd)"
fi
AGORA_NODE_PREFIX="$AGORA_ROOT/.tools/node$AGORA_NODE_MAJOR"

agora_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ "$(agora_node_major)" -lt "$AGORA_NODE_MAJOR" ]; then
  if [ ! -x "$AGORA_NODE_PREFIX/node_modules/.bin/node" ] || [ ! -x "$AGORA_NODE_PREFIX/node_modules/.bin/npm" ]; then
    echo "== installing Node $AGORA_NODE_MAJOR into .tools/node$AGORA_NODE_MAJOR (machine has $(node --version 2>/dev/null || echo 'no node'))"
    command -v npm >/dev/null 2>&1 || { echo "npm is needed once to install Node $AGORA_NODE_MAJOR" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$AGORA_NODE_PREFIX"
    # --prefix keeps this out of the project's own package.json and node_modules.
    npm install --prefix "$AGORA_NODE_PREFIX" --no-audit --no-fund --no-save \
      "node@$AGORA_NODE_MAJOR" "npm@11" >/dev/null
  fi
  export PATH="$AGORA_NODE_PREFIX/node_modules/.bin:$PATH"
  hash -r
  if [ "$(agora_node_major)" -lt "$AGORA_NODE_MAJOR" ]; then
    echo "Node $AGORA_NODE_MAJOR could not be installed (node is $(node --version 2>/dev/null))" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
