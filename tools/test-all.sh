#!/usr/bin/env bash
# Runs every psample-cpp test: the meson test suites (unit, host, examples, sflow,
# dump, perf, packaging, vm) and the build matrix: gcc C++17 and clang C++20
# with -Werror, ASan+UBSan, s390x, armhf and mips cross builds under
# qemu-user, the libFuzzer targets (PSAMPLE_FUZZ_SECONDS each, default 60),
# the library's size and runtime needs on five targets
# (test/footprint/run-footprint.sh), and a musl build run in the VM
# (test/musl/run-musl.sh).
# Installs what it needs.
# Run as root: the host-kernel suite creates its own network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

# The tests' tools: compilers and sanitizer runtimes, Catch2, tshark/tcpdump
# (pcapng checks), cmake (the CMake consumer), cross compilers and qemu-user,
# strace (syscall counts in the VM), pmacct's sfacctd and nfdump's sfcapd (the
# sFlow collectors psample-sflow is checked against), dropwatch's dwdump (the
# drop monitor peer), prometheus' promtool and prometheus-node-exporter (the
# metrics files checked and scraped), systemd's systemd-analyze (the sample
# unit verified). vm.sh installs the VM's own packages.
tools/install-deps.sh clang libclang-rt-14-dev catch2 tshark tcpdump cmake g++-s390x-linux-gnu \
  g++-arm-linux-gnueabihf qemu-user strace pmacct nfdump nfdump-sflow dropwatch prometheus prometheus-node-exporter \
  systemd

if [ "$(id -u)" -ne 0 ]; then
  echo "note: not root; the host-kernel suite will report SKIP (it needs to create a network namespace)" >&2
fi

setup() {  # setup DIR [meson options...]: configure DIR fresh or reconfigure it
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

echo "== gcc, C++17, -Werror: all test suites"
setup build/gcc-cxx17 -Dwerror=true -Dcpp_std=c++17
meson test -C build/gcc-cxx17 --print-errorlogs

echo "== clang, C++20, -Werror: all test suites but vm (the kernels do not care which compiler built us)"
CXX=clang++ setup build/clang-cxx20 -Dwerror=true -Dcpp_std=c++20
meson test -C build/clang-cxx20 --print-errorlogs --no-suite vm

echo "== clang ASan + UBSan (no recovery): every suite but vm and packaging"
CXX=clang++ setup build/sanitize -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dcpp_args=-fno-sanitize-recover=all
meson test -C build/sanitize --print-errorlogs --no-suite vm --no-suite packaging

echo "== big-endian (s390x, mips) and 32-bit (armhf, mips) cross builds, unit tests under qemu-user"
test/cross/run-cross.sh

echo "== fuzzing: every libFuzzer target for ${PSAMPLE_FUZZ_SECONDS:-60} s"
test/fuzz/run-fuzz.sh "${PSAMPLE_FUZZ_SECONDS:-60}"

echo "== library alone, -Os -fno-exceptions -fno-rtti -fno-unwind-tables -fno-asynchronous-unwind-tables, static, -Werror:"
echo "   builds on x86_64, aarch64, armhf, mips and mipsel; fits its 24 KiB budget on x86_64, aarch64 and armhf;"
echo "   needs nothing from the C++ runtime; the static minimal receiver fits 48 KiB on x86_64 and mips"
test/footprint/run-footprint.sh

echo "== musl: the library and a fully static minimal receiver with no C++ runtime, run in the VM"
test/musl/run-musl.sh

# One closing line over every meson test run above (skips are not passes).
python3 - build/gcc-cxx17 build/clang-cxx20 build/sanitize <<'PY'
import json, sys
passed = failed = skipped = 0
for build in sys.argv[1:]:
    for line in open(build + "/meson-logs/testlog.json"):
        result = json.loads(line)["result"]
        if result == "OK":
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed or skipped else 0)
PY
