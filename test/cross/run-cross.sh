#!/usr/bin/env bash
# Cross-builds the library and its unit tests for big-endian targets (s390x,
# and mips: 32-bit, the classic router CPU) and a 32-bit little-endian one
# (armhf) with Debian's cross compilers, and runs them under qemu-user. Netlink integers are native-endian: the tests
# build their messages in the target's byte order (tunnel addresses and ports
# stay network order), and the cBPF filter test checks the filter constants
# against a reference interpreter on each endianness. The golden captures are
# little-endian x86 data: their field-by-field test runs on armhf only.
# mips runs twice: in the standard encoding and in MIPS16e, the compact
# encoding the footprint budget is measured in (test/footprint).
#   test/cross/run-cross.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tools/install-deps.sh g++-s390x-linux-gnu g++-arm-linux-gnueabihf g++-mips-linux-gnu qemu-user >/dev/null
out=build/cross
mkdir -p "$out/include"
ln -sfn /usr/include/catch2 "$out/include/catch2"  # header-only; nothing else from the host's /usr/include
# psample/version.hpp, as meson generates it from the project version.
version=$(sed -n "s/^  version: '\(.*\)',/\1/p" meson.build)
IFS=. read -r major minor patch <<<"$version"
mkdir -p "$out/include/psample"
sed -e "s/@VERSION@/$version/" -e "s/@MAJOR@/$major/g" -e "s/@MINOR@/$minor/g" -e "s/@PATCH@/$patch/g" \
  include/psample/version.hpp.in >"$out/include/psample/version.hpp"
sources=(lib/*/*.cpp tools/common/*.cpp tools/psample-sflow/exporter.cpp test/unit/*.cpp)

build_and_run() {
  local arch=$1 compiler=$2 qemu=$3 tests=$4 extra=(${5:-})
  local binary="$out/unit-tests-$arch"
  if [ ! -x "$binary" ] || [ -n "$(find lib include test/unit test/support test/fuzz tools/common tools/psample-sflow -newer "$binary" -type f | head -n1)" ]; then
    "$compiler" -std=c++17 -O1 -static -Wall -Wextra -Werror -Wno-psabi "${extra[@]}" -D_FILE_OFFSET_BITS=64 -Iinclude -Ilib -Itest -Itools/common -Itools/psample-sflow -I"$out/include" \
      -DPSAMPLE_TEST_DATA_DIR="\"$root/test/data\"" -DPSAMPLE_SOURCE_DIR="\"$root\"" "${sources[@]}" -o "$binary"
  fi
  echo "== $arch ($("$compiler" -dumpmachine) ${extra[*]}): unit tests under $qemu"
  "$qemu" "$binary" "$tests" | tail -n 3
}

status=0
build_and_run s390x s390x-linux-gnu-g++ qemu-s390x "~[captures]" >"$out/s390x.log" 2>&1 &
s390x=$!
build_and_run armhf arm-linux-gnueabihf-g++ qemu-arm "*" >"$out/armhf.log" 2>&1 &
armhf=$!
build_and_run mips mips-linux-gnu-g++ qemu-mips "~[captures]" >"$out/mips.log" 2>&1 &
mips=$!
build_and_run mips16 mips-linux-gnu-g++ qemu-mips "~[captures]" "-mips16 -minterlink-mips16" >"$out/mips16.log" 2>&1 &
mips16=$!
wait $s390x || status=1
wait $armhf || status=1
wait $mips || status=1
wait $mips16 || status=1
cat "$out/s390x.log" "$out/armhf.log" "$out/mips.log" "$out/mips16.log"
exit $status
