#!/usr/bin/env bash
# Producers other than tc's sample action, on a real kernel: boots the VM
# with the modules a scenario needs and runs its guest script there.
#   tunnels: tunnel-tests.sh (act_tunnel_key, vxlan, geneve; any kernel)
#   ovs:     ovs-tests.sh (openvswitch; its psample action needs 6.11+, so
#            the backports kernel), with ovs-flow programming the datapath
# With OUT_DIR, keeps what the guest recorded (its nlmon capture and
# expected.txt, as test/data/tunnel-* and ovs-* hold them).
#   run-producer-tests.sh SCENARIO KERNEL BUILD_TEST_DIR PSAMPLE_DUMP [OUT_DIR]
# BUILD_TEST_DIR holds the build's send-frames and ovs-flow.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: run-producer-tests.sh tunnels|ovs KERNEL BUILD_TEST_DIR PSAMPLE_DUMP [OUT_DIR]"
scenario=${1:?$usage}
kernel=${2:?$usage}
tests=${3:?$usage}
dump=${4:?$usage}
out=${5:-}
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
"$here/../../tools/install-deps.sh" tcpdump >/dev/null
args=(--kernel "$kernel" --out "$out" --add "$dump" --add "$tests/send-frames" --add "$(command -v tcpdump)"
  --add "$here/guest-lib.sh")
case $scenario in
  tunnels) args+=(--module act_tunnel_key --module vxlan --module geneve --add "$here/tunnel-tests.sh" -- tunnel-tests.sh) ;;
  ovs) args+=(--module openvswitch --add "$tests/ovs-flow" --add "$here/ovs-tests.sh" -- ovs-tests.sh) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
"$here/vm.sh" "${args[@]}"
if [ -n "${5:-}" ] && [ -f "$out/recording.txt" ] && [ "$(cat "$out/recording.txt")" != complete ]; then
  echo "run-producer-tests: the recording in $out is $(cat "$out/recording.txt"): record again on a quieter host" >&2
  exit 1
fi
