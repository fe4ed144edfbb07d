#!/usr/bin/env bash
# psample-sflow live on a real kernel: runs test/vm/sflow-tests.sh in the VM
# (the agent writes its datagrams with -w), then checks them on the host
# with our decoder, tshark and sfacctd (test/sflow/check_live.py).
#   run-sflow-live.sh KERNEL BUILD_TEST_DIR PSAMPLE_DUMP PSAMPLE_SFLOW
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: run-sflow-live.sh KERNEL BUILD_TEST_DIR PSAMPLE_DUMP PSAMPLE_SFLOW"
kernel=${1:?$usage}
tests=${2:?$usage}
dump=${3:?$usage}
agent=${4:?$usage}
"$here/../../tools/install-deps.sh" tshark pmacct >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/vm.sh" --kernel "$kernel" --module drop_monitor --out "$out" --add "$dump" --add "$agent" --add "$tests/send-frames" \
  --add "$here/guest-lib.sh" --add "$here/sflow-tests.sh" -- sflow-tests.sh
python3 "$here/../sflow/check_live.py" "$out"
