#!/usr/bin/env bash
# Installs the native CPU backend (@tensorflow/tfjs-node 4.22.0) offline: its own install script
# downloads libtensorflow from Google storage, which fails without internet. Instead we take the
# TensorFlow C API from PyPI's pinned tensorflow-cpu wheel (libtensorflow_cc.so.2,
# libtensorflow_framework.so.2 and the C headers; no Python at run time), keep them in a cache
# OUTSIDE the repository, and build tfjs-node's N-API addon against them with node-gyp and Node's
# local headers. Measured recipe: ../shared/recipes/tfjs-node-from-pypi.sh, docs/backends.md.
#
#   bash scripts/setup-native.sh            (after npm ci; scripts/setup.sh calls it)
#
# Env: FH_TF_WHEEL_VERSION (default 2.21.0), FH_NATIVE_CACHE (default ~/.cache/feature-histories),
#      FH_NATIVE_REBUILD=1 rebuilds the addon instead of reusing the cached one,
#      FH_SKIP_NATIVE=1 skips everything (the project then trains on wasm),
#      FH_NATIVE_VARIANT=gpu builds @tensorflow/tfjs-node-gpu against PyPI's `tensorflow` wheel
#      instead (scripts/setup-gpu.sh sets it and adds the CUDA libraries).
# Exit status: 0 when the backend works, or when a prerequisite is missing (it says exactly which;
# the project still works on wasm); non-zero when every prerequisite is there but the build or the
# smoke test failed: that is a bug to look at, not something to paper over.
set -euo pipefail
cd "$(dirname "$0")/.."
PROJ=$PWD
TFV=${FH_TF_WHEEL_VERSION:-2.21.0}
TFJSV=4.22.0
VARIANT=${FH_NATIVE_VARIANT:-cpu}
case "$VARIANT" in
  cpu) WHEEL=tensorflow-cpu NPMPKG=@tensorflow/tfjs-node ;;
  gpu) WHEEL=tensorflow NPMPKG=@tensorflow/tfjs-node-gpu ;;
  *) echo "FH_NATIVE_VARIANT must be cpu or gpu, got $VARIANT" >&2; exit 2 ;;
esac
WHEEL_FILE_PREFIX=${WHEEL//-/_}
CACHE_ROOT=${FH_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/feature-histories}
CACHE=$CACHE_ROOT/$WHEEL-$TFV
PKG=$PROJ/node_modules/$NPMPKG
say() { echo "   native: $*"; }
skip() {
  echo "!! native backend NOT installed: $*" >&2
  echo "!! the project still works on the wasm backend (about 7x slower); fix the above and re-run bash scripts/setup-native.sh" >&2
  exit 0
}

if [ "${FH_SKIP_NATIVE:-0}" = 1 ]; then skip "FH_SKIP_NATIVE=1"; fi
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || skip "PyPI's tensorflow-cpu wheel used here is for Linux x86_64; this is $(uname -s)-$(uname -m)"
# TensorFlow's x86 wheels are compiled for AVX (and use AVX2/FMA where present): without AVX the
# library dies with an illegal instruction at load time.
grep -qw avx /proc/cpuinfo || skip "this CPU lacks AVX, which PyPI's TensorFlow wheels require"

# 1. Toolchain for node-gyp. As root we install what is missing; otherwise we name it.
missing=()
for t in g++ make python3; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "apt-get install g++ make python3 (missing: ${missing[*]})"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ make python3 >/dev/null
  else
    skip "missing build tools: ${missing[*]} (sudo apt-get install -y g++ make python3)"
  fi
fi
NODEDIR=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$NODEDIR/include/node/node_api.h" ] ||
  skip "no Node.js headers under $NODEDIR/include/node (install the headers of node $(node -v): Debian's libnode-dev, or a Node.js tarball, which carries them); node-gyp would otherwise download them"

# 2. The package, without its install script. npm ci drops it (its download failed); install the
#    locked version again without scripts.
if [ ! -f "$PKG/package.json" ] || ! grep -q "\"version\": \"$TFJSV\"" "$PKG/package.json"; then
  say "npm install $NPMPKG@$TFJSV (files only)"
  npm install --no-save --ignore-scripts --no-audit --no-fund "$NPMPKG@$TFJSV" >/dev/null
fi

# 3. The TensorFlow C API from the wheel, once per machine: two libraries and the C headers.
if [ ! -f "$CACHE/lib/libtensorflow_cc.so.2" ] || [ ! -f "$CACHE/lib/libtensorflow_framework.so.2" ]; then
  mkdir -p "$CACHE/wheel"
  if ! ls "$CACHE"/wheel/"$WHEEL_FILE_PREFIX"-"$TFV"-*.whl >/dev/null 2>&1; then
    say "pip download $WHEEL==$TFV (cpu: about 270 MB, gpu: about 570 MB; once per machine)"
    # --python-version / --platform make the download independent of the local Python.
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_27_x86_64 --platform manylinux2014_x86_64 -d "$CACHE/wheel" "$WHEEL==$TFV" ||
      skip "pip could not download $WHEEL==$TFV from PyPI (python3 -m pip must reach PyPI)"
  fi
  say "extracting libtensorflow and headers into $CACHE"
  python3 - "$CACHE" "$WHEEL_FILE_PREFIX" <<'EOF'
import glob, os, re, sys, zipfile
cache, prefix = sys.argv[1], sys.argv[2]
whl = sorted(glob.glob(os.path.join(cache, "wheel", prefix + "-*.whl")))[-1]
# Whole header folders: their layout moves between TensorFlow versions.
keep = re.compile(r"^tensorflow/(libtensorflow_cc\.so\.2|libtensorflow_framework\.so\.2|"
                  r"include/(tensorflow/c|tensorflow/core/platform|tsl|xla/tsl)/.*\.h)$")
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if keep.match(n):
            rel = n[len("tensorflow/"):]
            dest = os.path.join(cache, "lib" if rel.endswith(".so.2") else "", rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = dest + ".part"
            with z.open(n) as src, open(tmp, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
            os.replace(tmp, dest)
EOF
  rm -rf "$CACHE/wheel"
fi

# 4. deps/ as tfjs-node's binding.gyp expects it (-ltensorflow, rpath $ORIGIN/../../deps/lib);
#    libtensorflow.so.2.9.1 is the file its install.js checks for. Hard links: no copy of 700 MB.
rm -rf "$PKG/deps"
mkdir -p "$PKG/deps/lib"
cp -r "$CACHE/include" "$PKG/deps/include"
for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  ln "$CACHE/lib/$f" "$PKG/deps/lib/$f" 2>/dev/null || cp "$CACHE/lib/$f" "$PKG/deps/lib/$f"
done
ln -s libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
ln -s libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so.2.9.1"
ln -s libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"

# 5. The addon. It depends only on N-API and the C API, so one build per (tfjs-node, TensorFlow,
#    Node major) is cached and re-used after every npm ci.
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
ADDON_CACHE=$CACHE/addon-${NPMPKG#@tensorflow/}-$TFJSV-node$NODE_MAJOR
if [ "${FH_NATIVE_REBUILD:-0}" != 1 ] && ls "$ADDON_CACHE"/napi-v*/tfjs_binding.node >/dev/null 2>&1; then
  say "re-using the addon built earlier ($ADDON_CACHE)"
  rm -rf "$PKG/lib" && mkdir -p "$PKG/lib" && cp -r "$ADDON_CACHE"/napi-v* "$PKG/lib/"
else
  # Fail early, with the compiler's message, if the wheel's header layout has moved.
  printf '#include "tensorflow/c/c_api.h"\n#include "tensorflow/c/eager/c_api.h"\n#include "tensorflow/core/platform/ctstring_internal.h"\n' |
    g++ -std=c++17 -fsyntax-only -I "$PKG/deps/include" -x c++ -
  say "building tfjs-node's addon from source (node-gyp, about 20 s)"
  rm -rf "$PKG/lib" "$PKG/build"
  # node-pre-gyp --build-from-source with npm's bundled node-gyp and Node's headers from NODEDIR,
  # called directly: the packages' install scripts download libtensorflow first (tfjs-node-gpu's
  # always does) and do not report build failures. The check below does.
  NODE_GYP=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
  (cd "$PKG" && PATH="$PROJ/node_modules/.bin:$PATH" npm_config_node_gyp="$NODE_GYP" npm_config_nodedir="$NODEDIR" \
    node-pre-gyp install --build-from-source) >"$CACHE/build.log" 2>&1 || true
  if ! ls "$PKG"/lib/napi-v*/tfjs_binding.node >/dev/null 2>&1; then
    tail -n 30 "$CACHE/build.log" >&2
    echo "!! native backend: the addon did not build although every prerequisite is present (log: $CACHE/build.log)" >&2
    exit 1
  fi
  rm -rf "$ADDON_CACHE" && mkdir -p "$ADDON_CACHE" && cp -r "$PKG"/lib/napi-v* "$ADDON_CACHE/"
  rm -rf "$PKG/build"
fi

# 6. Smoke test: the backend must be "tensorflow" and compute (tfjs-node-gpu falls back to
#    TensorFlow's CPU kernels where no GPU is visible).
if ! TF_CPP_MIN_LOG_LEVEL=2 node -e "
const tf = require('$NPMPKG');
const v = tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.eye(2)).sum().dataSync()[0];
if (tf.getBackend() !== 'tensorflow' || v !== 10) { console.error('wrong backend or result'); process.exit(1); }
console.log('   native: OK, backend tensorflow, libtensorflow ' + tf.backend().binding.TF_Version);
" 2> >(grep -v -E '^(WARNING: All log messages|I0000|E0000)' >&2); then
  echo "!! native backend: the addon built but the smoke test failed (see above)" >&2
  exit 1
fi
