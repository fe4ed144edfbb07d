#!/usr/bin/env bash
# The receive-path load benchmark: builds the receivers (release), boots the
# test VM on each kernel and runs load-bench there (see load_bench.cpp for what
# it measures). Prints per-run lines and a table per kernel.
#
#   test/bench/load/run-load.sh [--kernels bookworm,backports] [load-bench options...]
#
# Default: race and solo, loads max / 5000 / 2000 per second, 3 runs of 3 s
# each, all receivers, plus one strace run; about 10 minutes per kernel here.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
tools/install-deps.sh catch2 strace >/dev/null
kernels=bookworm,backports
if [ "${1:-}" = --kernels ]; then
  kernels=$2
  shift 2
fi
[ $# -gt 0 ] || set -- --strace
build=build/load
[ -f "$build/build.ninja" ] || meson setup "$build" -Dbuildtype=release -Dtests=enabled -Dtools=enabled >/dev/null
ninja -C "$build" tools/psample-dump/psample-dump test/bench/load/load-bench test/bench/load/load-reference-receiver \
  test/bench/load/load-library-receiver tools/psample-sflow/psample-sflow >/dev/null
echo "host: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1); VM: qemu TCG, 2 vCPUs"
echo "build: $(c++ --version | head -n1), meson release; $(git describe --always --dirty 2>/dev/null || echo unknown)"
for kernel in ${kernels//,/ }; do
  echo
  echo "## kernel: $kernel"
  test/vm/vm.sh --kernel "$kernel" --timeout 3000 --add "$build/test/bench/load/load-bench" \
    --add "$build/test/bench/load/load-reference-receiver" --add "$build/test/bench/load/load-library-receiver" \
    --add "$build/tools/psample-dump/psample-dump" --add "$build/tools/psample-sflow/psample-sflow" \
    --add "$(command -v strace)" -- load-bench "$@"
done
