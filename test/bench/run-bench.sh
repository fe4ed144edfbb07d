#!/usr/bin/env bash
# Regenerates the README's performance figures: builds the benchmark
# (release, -Dbench=enabled), writes the four corpora, times every decoder
# (median of batches), counts instructions per sample under callgrind, counts
# heap allocations (test/perf), and measures the library's size.
#
#   test/bench/run-bench.sh [--corpus FILE]...   (default: the generated corpora)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tools/install-deps.sh valgrind libmnl-dev binutils >/dev/null
build=build/bench
[ -f "$build/build.ninja" ] || meson setup "$build" -Dbench=enabled -Dtests=disabled -Dtools=disabled \
  -Dbuildtype=release >/dev/null
ninja -C "$build" >/dev/null
bench="$build/test/bench/psample-bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

corpora=()
while [ $# -gt 0 ]; do
  case $1 in
    --corpus) corpora+=("$2"); shift 2 ;;
    *) echo "usage: run-bench.sh [--corpus FILE]..." >&2; exit 2 ;;
  esac
done
if [ ${#corpora[@]} -eq 0 ]; then
  for kind in default small large hwpad; do
    "$build/test/bench/psample-corpus" "$kind" 10000 "$work/$kind.corpus" >/dev/null
    corpora+=("$work/$kind.corpus")
  done
fi

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(uname -r)"
echo "compiler: $(c++ --version | head -n1); build: meson release (-O3)"
echo
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus" .corpus)
  echo "## $name: wall clock"
  "$bench" --corpus "$corpus" --batches 21
  echo
  echo "## $name: instructions per sample (callgrind; setup subtracted)"
  samples=$("$bench" --corpus "$corpus" --batches 1 | sed -n 's/.*: \([0-9]*\) samples.*/\1/p')
  collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --corpus "$corpus" --batches 1 --only "$1" 2>&1 |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  baseline=$(collected none)
  declare -A per_sample=()
  for decoder in hand-switch packetview packet-copy receiver libmnl memcpy; do
    total=$(collected "$decoder")
    [ -n "$total" ] || continue
    per_sample[$decoder]=$(( (total - baseline) / samples ))
    printf '%-12s %8d instructions/sample\n' "$decoder" "${per_sample[$decoder]}"
  done
  if [ -n "${per_sample[hand-switch]:-}" ] && [ -n "${per_sample[packetview]:-}" ]; then
    awk -v pv="${per_sample[packetview]}" -v floor="${per_sample[hand-switch]}" -v mnl="${per_sample[libmnl]:-0}" 'BEGIN {
      printf "packetview / hand-switch floor: %.2fx (target <= 1.2x)\n", pv / floor
      if (mnl > 0) printf "libmnl / packetview: %.2fx (target >= 8x)\n", mnl / pv
    }'
  fi
  unset per_sample
  echo
done

echo "## per-group state: 4 groups vs a new group per sample (Receiver::process)"
"$build/test/bench/psample-groups-bench"
echo

echo "## library size on every target (test/footprint/run-footprint.sh; tools/test-all.sh enforces the budgets)"
test/footprint/run-footprint.sh || true  # reported either way
