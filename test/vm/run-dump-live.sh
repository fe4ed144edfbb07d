#!/usr/bin/env bash
# Runs test/vm/dump-live-tests.sh in the test VM, then checks the pcapng it
# wrote live with tshark on the host.
#   run-dump-live.sh KERNEL PSAMPLE_DUMP SEND_FRAMES
set -euo pipefail
command -v strace >/dev/null || "$(dirname "$0")/../../tools/install-deps.sh" strace
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/vm.sh" --kernel "$1" --add "$2" --add "$3" --add "$(command -v strace)" --add "$here/dump-live-tests.sh" --out "$out" -- dump-live-tests.sh
lines=$(tshark -r "$out/live.pcapng" -T fields -E separator='|' -e frame.interface_name -e frame.cap_len -e frame.len \
  -e eth.type -e frame.comment 2>/dev/null)
count=$(printf '%s\n' "$lines" | grep -c '^d1|48|60|0x88b5|psample group 32 seq' || true)
if [ "$count" -ne 20 ]; then
  echo "FAIL: tshark reads $count of 20 samples from the live pcapng:"
  printf '%s\n' "$lines" | head
  exit 1
fi
echo "ok: tshark reads the live pcapng: 20 samples of group 32 on d1, 48 of 60 bytes, ethertype 0x88b5"
