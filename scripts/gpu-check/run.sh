#!/usr/bin/env bash
# The feature-histories GPU check (built by `npm run gpu:bundle`): on a machine with an NVIDIA GPU
# and no network, trains the benchmark models with the toolkit on the webgpu backend (Dawn on
# Vulkan), checks webgpu against tfjs's cpu backend, and runs the same models in PyTorch CUDA.
#   bash run.sh            (OUT=<dir> for the log, default ./out; PYTHON=<python with torch>)
# Knobs: CHECK_DEADLINE_S (default 420) caps the whole run; BENCH_BUDGET_S (default 60) per
# model; BENCH_MODELS (default tiny-cnn,small-resnet,nas-cell); SKIP_CHECK=1, SKIP_TORCH=1;
# FORCE_CARRIED_NODE=1, FORCE_CARRIED_VULKAN=1 use the carried ones even where the host has them.
# FH_BACKEND=webgpu is forced (a software adapter is allowed, and reported as such).
# Every step is time-limited and fails soft: its failure is printed and the next one runs. Lines
# starting with SUMMARY collect the results.
set -u -o pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$HERE/out}"; mkdir -p "$OUT"; LOG="$OUT/gpu-check.log"; : >"$LOG"
exec > >(tee -a "$LOG") 2>&1
T0=$(date +%s); DEADLINE=${CHECK_DEADLINE_S:-420}
WORK="$(mktemp -d -t fhgpu.XXXXXX)"
el() { echo $(($(date +%s) - T0)); }
left() { local l=$((DEADLINE - $(el))); [ $l -lt 5 ] && l=5; [ $l -gt "$1" ] && l=$1; echo $l; }
say() { echo "=== [t=$(el)s] $*"; }
FAILS=()
fail() { echo "!!! FAILED: $*"; FAILS+=("$*"); }
unpack() { python3 "$HERE/unpack.py" "$@"; }

say "host"
uname -srm; grep PRETTY_NAME /etc/os-release 2>/dev/null
GLIBC=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}'); echo "glibc=$GLIBC"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -4

# node_modules is carried as pkgs/ (an ignore rule for node_modules cannot drop it)
[ -e "$HERE/node_modules" ] || ln -s pkgs "$HERE/node_modules" 2>/dev/null || cp -r "$HERE/pkgs" "$HERE/node_modules"
DAWN="$HERE/pkgs/webgpu/dist/linux-x64/dawn.node"
if [ ! -s "$DAWN" ]; then mkdir -p "$(dirname "$DAWN")" && unpack xz "$HERE/blobs/dawn.node.linux-x64.xz" "$DAWN" || fail "unpack dawn.node"; fi

# dawn.node needs glibc >= 2.34 and GLIBCXX_3.4.30: older hosts run node under the carried ones
ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }
COMPAT=""
if [ -n "$GLIBC" ] && ! ver_ge "$GLIBC" 2.34; then
  say "host glibc $GLIBC < 2.34: node runs under the carried Debian 12 glibc"
  unpack tarxz "$HERE/blobs/glibc-compat.tar.xz" "$WORK" && COMPAT="$WORK/glibc-compat" || fail "unpack glibc"
else
  STDCXX=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/{print $NF; exit}')
  if [ -z "$STDCXX" ] || ! grep -aq GLIBCXX_3.4.30 "$STDCXX"; then
    say "host libstdc++ lacks GLIBCXX_3.4.30: using the carried one"
    unpack tarxz "$HERE/blobs/glibc-compat.tar.xz" "$WORK" && mkdir -p "$WORK/cxx" &&
      cp "$WORK/glibc-compat/libstdc++.so.6" "$WORK/glibc-compat/libgcc_s.so.1" "$WORK/cxx/" &&
      export LD_LIBRARY_PATH="$WORK/cxx${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" || fail "carried libstdc++"
  fi
fi

# Node: the host's if >= 18, else the carried one
NODE=""
if command -v node >/dev/null && [ -z "${FORCE_CARRIED_NODE:-}" ]; then
  NV=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "${NV:-0}" -ge 18 ] && NODE="$(command -v node)"
fi
if [ -z "$NODE" ]; then
  say "unpacking the carried node"
  mkdir -p "$WORK/bin" && unpack xz "$HERE"/blobs/node-*-linux-x64.xz "$WORK/bin/node" && NODE="$WORK/bin/node" || fail "unpack node"
fi

# Vulkan: the host's loader, else the carried Debian 12 libvulkan1; the NVIDIA ICD
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"; done
if [ -n "${FORCE_CARRIED_VULKAN:-}" ] || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  say "no libvulkan.so.1 on the host: using the carried Debian 12 loader"
  unpack deb "$HERE"/blobs/libvulkan1_*.deb "$WORK/vk" && export LD_LIBRARY_PATH="$WORK/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" || fail "unpack libvulkan1"
fi
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$f" ] && { export VK_DRIVER_FILES="$f"; break; }
  done
fi
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-<unset>}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$WORK}" FH_BACKEND=webgpu
if [ -n "$COMPAT" ]; then
  printf '#!/bin/bash\nexec "%s" --library-path "%s" "%s" "$@"\n' "$COMPAT/ld-linux-x86-64.so.2" "$COMPAT${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$NODE" >"$WORK/nodew"
else
  printf '#!/bin/bash\nexec "%s" "$@"\n' "$NODE" >"$WORK/nodew"
fi
chmod +x "$WORK/nodew"
runnode() { local t=$1; shift; (cd "$HERE" && timeout -k 5 "$t" "$WORK/nodew" "$@" 2>&1 | grep --line-buffered -v 'artificially reduced'; exit "${PIPESTATUS[0]}"); }
say "node $("$WORK/nodew" -v 2>&1) ($NODE${COMPAT:+, carried glibc})"

if [ -z "${SKIP_CHECK:-}" ]; then
  say "1/3 correctness: webgpu against the cpu backend (op gradients, SGD of built models, the training loop)"
  runnode "$(left 150)" check.mjs | tee "$WORK/check.json" || fail "check (rc=$?)"
fi

say "2/3 toolkit training throughput on webgpu (batch 128)"
runnode "$(left 240)" bench.mjs "$HERE/data" "${BENCH_MODELS:-tiny-cnn,small-resnet,nas-cell}" | tee "$WORK/bench.jsonl" || fail "webgpu bench (rc=$?)"

PY=${PYTHON:-python3}
if [ -z "${SKIP_TORCH:-}" ]; then
  say "3/3 PyTorch CUDA, the same models"
  TORCH_DEVICE=cuda timeout -k 5 "$(left 120)" "$PY" "$HERE/train_torch.py" "$HERE/data" 8064 | tee "$WORK/torch.jsonl" || fail "torch (rc=$?)"
fi

say "done in $(el)s; failures: ${#FAILS[@]}"
for f in "${FAILS[@]}"; do echo " - $f"; done
python3 - "$WORK" <<'PYEOF'
import json, os, sys
w = sys.argv[1]
def lines(name):
    p = os.path.join(w, name)
    if not os.path.exists(p): return []
    out = []
    for l in open(p):
        l = l.strip()
        if l.startswith("{"):
            try: out.append(json.loads(l))
            except ValueError: pass
    return out
chk = lines("check.json")
if chk:
    c = chk[-1]
    print("SUMMARY check adapter=%s max op rel.err=%.2e sgd rel.err=%s loop=%s" % (
        c.get("adapter"), max(c["ops"].values()), {k: "%.1e" % v["error"] for k, v in c["sgd"].items()}, c["loop"]["status"]))
torch = {r["model"]: r["img_per_s"] for r in lines("torch.jsonl")}
for r in lines("bench.jsonl"):
    t = torch.get(r["model"])
    ips = r.get("img_per_s")
    ratio = "%.3f" % (ips / t) if ips and t else "n/a"
    print("SUMMARY %-13s webgpu %s img/s  torch-cuda %s img/s  ratio %s  (%s, %s)" % (
        r["model"], "%.0f" % ips if ips else "n/a", "%.0f" % t if t else "n/a", ratio, r.get("adapter"), r.get("status")))
PYEOF
rm -rf "$WORK"
exit 0
