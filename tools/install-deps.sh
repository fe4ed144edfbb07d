#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages psample-cpp's build needs, plus any
# named on the command line. Idempotent: installs only what is missing. Uses
# sudo when not root.
#   tools/install-deps.sh [PACKAGE...]
set -euo pipefail

# What building psample-cpp needs; callers name what else they use.
packages=(meson ninja-build g++ pkg-config python3 iproute2 "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
log=$(mktemp)
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
  --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: apt-get failed (see above)" >&2
  exit 1
fi
rm -f "$log"
