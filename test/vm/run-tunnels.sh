#!/usr/bin/env bash
# Tunnel keys from a real kernel: boots the VM with act_tunnel_key, vxlan and
# geneve and runs tunnel-tests.sh there. With OUT_DIR, keeps what it
# recorded (the nlmon capture and expected.txt of test/data/tunnel-*).
#   run-tunnels.sh KERNEL PSAMPLE_DUMP SEND_FRAMES [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=${1:?usage: run-tunnels.sh KERNEL PSAMPLE_DUMP SEND_FRAMES [OUT_DIR]}
dump=${2:?usage: run-tunnels.sh KERNEL PSAMPLE_DUMP SEND_FRAMES [OUT_DIR]}
send_frames=${3:?usage: run-tunnels.sh KERNEL PSAMPLE_DUMP SEND_FRAMES [OUT_DIR]}
out=${4:-$(mktemp -d)}
[ -n "${4:-}" ] || trap 'rm -rf "$out"' EXIT
mkdir -p "$out"
"$here/../../tools/install-deps.sh" tcpdump >/dev/null
"$here/vm.sh" --kernel "$kernel" --module act_tunnel_key --module vxlan --module geneve --out "$out" \
  --add "$dump" --add "$send_frames" --add "$(command -v tcpdump)" --add "$here/tunnel-tests.sh" -- tunnel-tests.sh
