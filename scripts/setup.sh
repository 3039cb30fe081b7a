#!/usr/bin/env bash
# Sets up a fresh checkout: system packages (as root, where apt exists), npm ci, the native
# TensorFlow backend (scripts/setup-native.sh), a software Vulkan adapter for the WebGPU tests
# (scripts/setup-vulkan.sh), the Jupyter
# virtualenv (.venv, pinned in requirements-jupyter.txt; Debian's jupyter packages as fallback
# where PyPI is unreachable) and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(dataset-fashion-mnist chromium postgresql)
need_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "!! missing system packages: ${need_apt[*]} (run: sudo apt-get install -y ${need_apt[*]})" >&2
  fi
fi

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== native TensorFlow backend (tfjs-node built against PyPI's tensorflow-cpu)"
bash scripts/setup-native.sh

echo "== software Vulkan (Mesa 25 lavapipe, private folder) for the WebGPU tests"
bash scripts/setup-vulkan.sh

echo "== Jupyter virtualenv (.venv)"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import jupyterlab, nbclient, nbconvert, plotly, jupyter_kernel_test, jupyter_console, papermill" 2>/dev/null; then
  if "$PY" -m venv .venv && .venv/bin/pip install -q -r requirements-jupyter.txt; then
    echo "   installed from PyPI"
  else
    echo "!! PyPI install failed; falling back to Debian's Jupyter packages" >&2
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jupyter-notebook jupyter-nbconvert python3-nbclient >/dev/null
    fi
  fi
fi

if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import papermill_typescript" 2>/dev/null; then
  # papermill's TypeScript parameters (`papermill in.ipynb out.ipynb -p budget 8`), from this checkout.
  .venv/bin/pip install -q ./kernel/papermill && echo "   papermill-typescript installed"
fi

echo "== build"
npm run build --silent
echo "== set up. Run the main job with: npm run main"
