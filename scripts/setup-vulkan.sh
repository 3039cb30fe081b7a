#!/usr/bin/env bash
# A software Vulkan adapter for the WebGPU tests: Mesa 25's lavapipe from Debian's
# bookworm-backports, unpacked into a private folder (nothing of the system's Mesa is replaced;
# Chromium and the rest keep Debian 12's). Debian 12's own Mesa 22.3 lavapipe is rejected by Dawn
# (shaderUniform*ArrayDynamicIndexing required). The machine's apt sources list only bookworm and
# bookworm-updates, so the backports suite is added for this download only, with the mirror URI
# read from the machine's own sources (no host name is written into the repository).
#
#   bash scripts/setup-vulkan.sh        (scripts/setup.sh calls it)
#
# Result: $FH_NATIVE_CACHE/lavapipe/{icd.json,root/} (default ~/.cache/feature-histories); tests
# run WebGPU with VK_DRIVER_FILES=<icd.json> and LD_LIBRARY_PATH=<root>/usr/lib/x86_64-linux-gnu.
# A missing prerequisite is reported and skipped (the WebGPU tests then say why they cannot run).
set -euo pipefail
CACHE_ROOT=${FH_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/feature-histories}
OUT=$CACHE_ROOT/lavapipe
MESA=25.0.7-2~bpo12+1
say() { echo "   vulkan: $*"; }
skip() {
  echo "!! software Vulkan (lavapipe) NOT installed: $*" >&2
  echo "!! only the WebGPU tests need it; they will say they cannot run" >&2
  exit 0
}
LIBDIR=$OUT/root/usr/lib/x86_64-linux-gnu
if [ -f "$OUT/icd.json" ] && [ -f "$LIBDIR/libvulkan_lvp.so" ] && ldconfig -p | grep -q 'libvulkan.so.1 '; then
  say "lavapipe $MESA already in $OUT"
  exit 0
fi
command -v apt-get >/dev/null || skip "no apt-get (this script is for Debian 12 bookworm)"
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null || skip "not Debian 12 bookworm"
[ "$(uname -m)" = x86_64 ] || skip "not x86_64"

# 1. The Vulkan loader and the libraries lavapipe links, from the machine's normal sources.
DEPS=(libvulkan1 libllvm15 libsensors5 libwayland-client0 libx11-xcb1 libxcb-dri3-0 libxcb-present0
  libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxshmfence1 libelf1 libexpat1 libzstd1)
need=()
for p in "${DEPS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "apt-get install ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    skip "missing system packages: ${need[*]} (sudo apt-get install -y ${need[*]})"
  fi
fi

# 2. Mesa 25 from bookworm-backports into a private folder, with a private apt state.
URI=$(awk '/^URIs:/{u=$2} /^Suites:/{ if ($0 ~ /bookworm( |$)/) { print u; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$URI" ] || URI=$(awk '$1=="deb" && $3=="bookworm"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$URI" ] || skip "no bookworm mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial" "$WORK/debs"
KEY=/usr/share/keyrings/debian-archive-keyring.gpg
printf 'deb [signed-by=%s] %s bookworm-backports main\n' "$KEY" "$URI" >"$WORK/sources.list"
APT=(-o "Dir::Etc::sourcelist=$WORK/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$WORK/lists"
  -o "Dir::Cache=$WORK/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
say "downloading mesa-vulkan-drivers $MESA from bookworm-backports"
apt-get "${APT[@]}" update -qq || skip "apt-get update of bookworm-backports failed ($URI)"
PKGS=(mesa-vulkan-drivers="$MESA" mesa-libgallium="$MESA" libdrm2 libdrm-amdgpu1 libdrm-intel1)
(cd "$WORK/debs" && apt-get "${APT[@]}" download "${PKGS[@]}") || skip "apt-get download ${PKGS[*]} failed"
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp/root"
for d in "$WORK"/debs/*.deb; do dpkg -x "$d" "$OUT.tmp/root"; done
LVP=$OUT/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so
[ -f "$OUT.tmp/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ] || skip "libvulkan_lvp.so is not in the downloaded packages"
# The package's ICD names the library by file name (looked up in the system's library path);
# ours names it by its absolute path in the private folder.
sed -E "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$LVP\"#" \
  "$OUT.tmp/root/usr/share/vulkan/icd.d/lvp_icd.json" >"$OUT.tmp/icd.json"
grep -q "$LVP" "$OUT.tmp/icd.json" || skip "could not rewrite lavapipe's ICD file"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
say "lavapipe $MESA in $OUT (VK_DRIVER_FILES=$OUT/icd.json)"
