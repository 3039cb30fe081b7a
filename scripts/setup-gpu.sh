#!/usr/bin/env bash
# Optional, for users with an NVIDIA GPU and CUDA-capable driver who want TensorFlow's CUDA
# kernels: builds @tensorflow/tfjs-node-gpu 4.22.0 offline, the way scripts/setup-native.sh builds
# the CPU addon, against PyPI's `tensorflow` wheel (whose C library carries the CUDA kernels), and
# puts the CUDA 12 / cuDNN 9 libraries that wheel names (its "and-cuda" extra: nvidia-* wheels
# from PyPI) where the library's RUNPATH looks for them ($ORIGIN/../nvidia/*/lib). No system CUDA
# toolkit is needed; the NVIDIA driver is. The kernel then picks `tensorflow-gpu` when a driver is
# visible (FH_BACKEND=tensorflow-gpu forces it).
#
#   bash scripts/setup-gpu.sh       (after scripts/setup.sh)
#
# Cost: ~570 MB wheel + ~2.7 GB of CUDA wheels downloaded once; ~5.5 GB in ~/.cache/feature-histories.
# FH_SKIP_CUDA_LIBS=1 builds and loads the addon without the CUDA libraries (TensorFlow then runs
# its CPU kernels): what this repository's CPU-only machines can check. GPU execution of this path
# has not been tested here.
set -euo pipefail
cd "$(dirname "$0")/.."
TFV=${FH_TF_WHEEL_VERSION:-2.21.0}
CACHE_ROOT=${FH_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/feature-histories}
CACHE=$CACHE_ROOT/tensorflow-$TFV
PKG=$PWD/node_modules/@tensorflow/tfjs-node-gpu
say() { echo "   gpu: $*"; }

FH_NATIVE_VARIANT=gpu bash scripts/setup-native.sh
[ -d "$PKG/lib" ] || { echo "!! tfjs-node-gpu was not built (see above)" >&2; exit 1; }

if [ "${FH_SKIP_CUDA_LIBS:-0}" = 1 ]; then
  say "FH_SKIP_CUDA_LIBS=1: CUDA libraries not installed; tfjs-node-gpu runs TensorFlow's CPU kernels"
  exit 0
fi
# The "and-cuda" extra of tensorflow 2.21.0's METADATA (Requires-Dist ... extra == "and-cuda").
CUDA_REQS=(
  "nvidia-cublas-cu12<13.0,>=12.5.3.2" "nvidia-cuda-cupti-cu12<13.0,>=12.5.82"
  "nvidia-cuda-nvcc-cu12<13.0,>=12.5.82" "nvidia-cuda-nvrtc-cu12<13.0,>=12.5.82"
  "nvidia-cuda-runtime-cu12<13.0,>=12.5.82" "nvidia-cudnn-cu12<10.0,>=9.3.0.75"
  "nvidia-cufft-cu12<12.0,>=11.2.3.61" "nvidia-curand-cu12<11.0,>=10.3.6.82"
  "nvidia-cusolver-cu12<12.0,>=11.6.3.83" "nvidia-cusparse-cu12<13.0,>=12.5.1.3"
  "nvidia-nccl-cu12<3.0,>=2.27.7" "nvidia-nvjitlink-cu12<13.0,>=12.5.82"
)
if [ ! -f "$CACHE/nvidia/.complete" ]; then
  mkdir -p "$CACHE/cuda-wheels"
  say "pip download the CUDA 12 / cuDNN 9 wheels (about 2.7 GB, once per machine)"
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_27_x86_64 --platform manylinux2014_x86_64 -d "$CACHE/cuda-wheels" "${CUDA_REQS[@]}"
  say "extracting their libraries into $CACHE/nvidia"
  rm -rf "$CACHE/nvidia"
  python3 - "$CACHE" <<'PYEOF'
import glob, os, sys, zipfile
cache = sys.argv[1]
for whl in sorted(glob.glob(os.path.join(cache, "cuda-wheels", "*.whl"))):
    with zipfile.ZipFile(whl) as z:
        for n in z.namelist():
            # nvidia/<component>/lib/*.so* (and nvcc's bin/ptxas, which XLA calls)
            parts = n.split("/")
            if n.startswith("nvidia/") and len(parts) >= 4 and parts[2] in ("lib", "bin") and not n.endswith("/"):
                dest = os.path.join(cache, n)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with z.open(n) as src, open(dest, "wb") as out:
                    while chunk := src.read(1 << 22):
                        out.write(chunk)
                if parts[2] == "bin":
                    os.chmod(dest, 0o755)
PYEOF
  touch "$CACHE/nvidia/.complete"
  rm -rf "$CACHE/cuda-wheels"
fi
# libtensorflow's RUNPATH has $ORIGIN/../nvidia/<component>/lib: deps/lib/.. = deps/
rm -rf "$PKG/deps/nvidia"
ln -s "$CACHE/nvidia" "$PKG/deps/nvidia"
say "CUDA libraries linked at $PKG/deps/nvidia"
TF_CPP_MIN_LOG_LEVEL=1 node -e "
const tf = require('@tensorflow/tfjs-node-gpu');
const v = tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.eye(2)).sum().dataSync()[0];
if (v !== 10) process.exit(1);
console.log('   gpu: tfjs-node-gpu loads and computes (GPU use shows in TensorFlow\\'s log lines above, where a GPU is visible)');
"
