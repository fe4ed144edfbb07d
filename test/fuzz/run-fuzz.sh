#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined)
# and runs each for SECONDS (default 60), two at a time, seeded from the real
# kernel captures (fuzz-sflow: with the decode target's seeds). An input that crashes a target (or breaks an invariant of
# checks.hpp) is copied to test/data/regress/TARGET/, where the unit suite
# replays it, and the run fails.
#   test/fuzz/run-fuzz.sh [SECONDS] [CORPUS_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
seconds=${1:-60}
corpus_root=${2:-}
tools/install-deps.sh clang libclang-rt-14-dev >/dev/null
build=build/fuzz
[ -f "$build/build.ninja" ] || CXX=clang++ meson setup "$build" -Dfuzz=enabled -Dtests=disabled -Dtools=disabled \
  -Ddefault_library=static -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
  -Dcpp_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' >/dev/null
ninja -C "$build" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 test/fuzz/make-seeds.py test/data "$work/seeds"
targets=(decode datagram attributes family capture sflow dropmon)
run_one() {
  local target=$1
  local corpus="$work/corpus-$target"
  mkdir -p "$corpus" "$work/artifacts-$target"
  [ -n "$corpus_root" ] && [ -d "$corpus_root/$target" ] && cp -r "$corpus_root/$target/." "$corpus/"
  local seeds="$work/seeds/$target"
  [ "$target" = sflow ] && seeds="$work/seeds/decode"  # the PacketView corpus
  if "$build/test/fuzz/fuzz-$target" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts-$target/" >"$work/log-$target" 2>&1; then
    echo "fuzz-$target: $(grep -E '^stat::number_of_executed_units' "$work/log-$target" | awk '{print $2}') runs in ${seconds}s, no crash"
  else
    echo "fuzz-$target: FAILED"
    tail -n 30 "$work/log-$target"
    mkdir -p "test/data/regress/$target"
    cp "$work/artifacts-$target"/* "test/data/regress/$target/" 2>/dev/null || true
    echo "fuzz-$target: crashing inputs copied to test/data/regress/$target/ (commit them with the fix)"
    return 1
  fi
}
status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for target in "${targets[@]:i:2}"; do
    run_one "$target" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
done
exit $status
