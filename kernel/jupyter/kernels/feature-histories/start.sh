#!/bin/sh
# Starts the feature-histories kernel of this checkout. Jupyter runs it with {resource_dir}
# substituted, so nothing needs to be on PATH: node is found from FH_NODE, the node that built
# this checkout (recorded in kernel/.node-path by `npm run build`), then usual locations.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
node="${FH_NODE:-}"
if [ -z "$node" ] && [ -f "$root/kernel/.node-path" ]; then node=$(cat "$root/kernel/.node-path"); fi
for candidate in "$node" "$(command -v node 2>/dev/null)" /usr/local/bin/node /usr/bin/node /opt/homebrew/bin/node; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then node="$candidate"; break; fi
  node=""
done
if [ -z "$node" ]; then
  echo "feature-histories kernel: no node executable found; set FH_NODE to its path" >&2
  exit 1
fi
exec "$node" --disable-warning=ExperimentalWarning "$root/kernel/launcher.cjs" "$@"
