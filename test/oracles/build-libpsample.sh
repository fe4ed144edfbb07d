#!/usr/bin/env bash
# Builds libpsample's `psample` tool (Mellanox/libpsample, its newest commit)
# from the source tarball kept beside the project, for tests that compare
# psample-dump's libpsample mode with it. Not part of the project: it is an
# oracle, built as its own CMakeLists says (Debian: cmake libmnl-dev libpcap-dev).
#   build-libpsample.sh OUT_DIR
# writes OUT_DIR/libpsample-psample and its libpsample.so.1 (run it with
# LD_LIBRARY_PATH=OUT_DIR). The tarball: libpsample-*.tar.gz in
# $PSAMPLE_ORACLES, else in ../shared/oracles beside the repository, else in
# /work/shared/oracles (where this project's machines keep it).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build-libpsample.sh OUT_DIR}
tarball=""
for oracles in ${PSAMPLE_ORACLES:+"$PSAMPLE_ORACLES"} "$root/../shared/oracles" /work/shared/oracles; do
  tarball=$(ls "$oracles"/libpsample-*.tar.gz 2>/dev/null | head -n1 || true)
  [ -z "$tarball" ] || break
done
if [ -z "$tarball" ]; then
  echo "build-libpsample: no libpsample-*.tar.gz in \$PSAMPLE_ORACLES, $root/../shared/oracles or" \
    "/work/shared/oracles: set PSAMPLE_ORACLES to the directory that holds libpsample's source tarball" >&2
  exit 1
fi
"$root/tools/install-deps.sh" cmake make gcc libmnl-dev libpcap-dev >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tarball"
src=$(ls -d "$work"/libpsample-*/)
cmake -S "$src" -B "$work/build" >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log" >&2; exit 1; }
make -C "$work/build" -j"$(nproc)" >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
mkdir -p "$out"
cp "$work/build/bin/psample" "$out/libpsample-psample"
cp -L "$work"/build/lib/libpsample.so.1 "$out/"
echo "build-libpsample: $(basename "$tarball") -> $out/libpsample-psample" >&2
