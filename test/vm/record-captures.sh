#!/usr/bin/env bash
# Records the golden kernel captures under test/data/ (see test/data/README.md):
# boots each VM kernel, runs the hidden [.capture] scenario of vm-e2e-tests
# with tcpdump listening on an nlmon device, and copies the results in.
#
#   test/vm/record-captures.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: record-captures.sh BUILD_DIR}
tests="$build/test/vm-e2e-tests"
[ -x "$tests" ] || { echo "record-captures: build $tests first (ninja -C $build)" >&2; exit 2; }
command -v tcpdump >/dev/null || "$root/tools/install-deps.sh" tcpdump

for kernel in bookworm backports; do
  out=$(mktemp -d)
  "$here/vm.sh" --kernel "$kernel" --add "$tests" --add "$(command -v tcpdump)" --out "$out" -- sh -c '
    ip link add nlmon0 type nlmon && ip link set nlmon0 up
    tcpdump -Z root -i nlmon0 -U -w /out/nlmon.pcap 2>/dev/null & dump=$!
    sleep 1
    vm-e2e-tests "[.capture]" && test -s /out/expected.txt; status=$?
    sleep 1; kill $dump; wait $dump
    exit $status'
  release=$(awk '/^kernel release=/ { sub("kernel release=", ""); print }' "$out/expected.txt")
  dest="$root/test/data/kernel-$(echo "$release" | cut -d. -f1-2)"
  mkdir -p "$dest"
  cp "$out/capture.nlmsgs" "$out/expected.txt" "$out/nlmon.pcap" "$dest/"
  echo "record-captures: $release -> $dest"
  rm -rf "$out"
done
