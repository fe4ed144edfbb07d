#!/usr/bin/env bash
# Records the golden kernel captures under test/data/ (see test/data/README.md):
# boots each VM kernel, runs the hidden [.capture] scenario of vm-e2e-tests
# (psample) and [.capture-dropmon] of vm-dropmon-tests (the drop monitor)
# with tcpdump listening on an nlmon device, and copies the results in.
#
#   test/vm/record-captures.sh BUILD_DIR [psample|dropmon]   (default: both)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: record-captures.sh BUILD_DIR [psample|dropmon]}
which=${2:-both}
tests="$build/test/vm-e2e-tests"
[ -x "$tests" ] || { echo "record-captures: build $tests first (ninja -C $build)" >&2; exit 2; }
[ -x "$build/test/vm-dropmon-tests" ] || { echo "record-captures: build vm-dropmon-tests first" >&2; exit 2; }
command -v tcpdump >/dev/null || "$root/tools/install-deps.sh" tcpdump

# record KERNEL PREFIX FILES TEST_BINARY FILTER [vm.sh options]: runs the
# binary's hidden FILTER case in the VM with tcpdump on nlmon0, then copies
# FILES of /out into test/data/PREFIX-X.Y (X.Y from the kernel release).
record() {
  local kernel=$1 prefix=$2 files=$3 binary=$4 filter=$5
  shift 5
  local out
  out=$(mktemp -d)
  "$here/vm.sh" --kernel "$kernel" "$@" --add "$binary" --add "$here/guest-lib.sh" --add "$(command -v tcpdump)" \
    --out "$out" -- sh -c ". /opt/bin/guest-lib.sh; start_nlmon_capture
    $(basename "$binary") '$filter' && test -s /out/expected.txt; result=\$?
    stop_nlmon_capture; exit \$result"
  local release dest
  release=$(awk '/^kernel release=/ { sub("kernel release=", ""); print }' "$out/expected.txt")
  dest="$root/test/data/$prefix-$(echo "$release" | cut -d. -f1-2)"
  mkdir -p "$dest"
  for f in $files; do cp "$out/$f" "$dest/"; done
  echo "record-captures: $release -> $dest"
  rm -rf "$out"
}

for kernel in bookworm backports; do
  if [ "$which" != dropmon ]; then
    record "$kernel" kernel "capture.nlmsgs expected.txt nlmon.pcap" "$tests" "[.capture]"
  fi
  if [ "$which" != psample ]; then
    # The drop monitor: its own scenario, in packet mode and in summary mode.
    record "$kernel" dropmon "expected.txt nlmon.pcap" "$build/test/vm-dropmon-tests" "[.capture-dropmon]" \
      --module drop_monitor --module act_gact
  fi
done
