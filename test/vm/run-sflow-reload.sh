#!/usr/bin/env bash
# psample-sflow's reload on a real kernel: runs test/vm/sflow-reload-tests.sh
# in the VM, then checks the metrics file the agent wrote at exit with
# promtool and node_exporter on the host (test/sflow/check_reload_metrics.py).
#   run-sflow-reload.sh KERNEL PSAMPLE_DUMP PSAMPLE_SFLOW SEND_FRAMES
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: run-sflow-reload.sh KERNEL PSAMPLE_DUMP PSAMPLE_SFLOW SEND_FRAMES"
kernel=${1:?$usage}
"$here/../../tools/install-deps.sh" prometheus prometheus-node-exporter >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/vm.sh" --kernel "$kernel" --out "$out" --add "${2:?$usage}" --add "${3:?$usage}" --add "${4:?$usage}" \
  --add "$here/guest-lib.sh" --add "$here/sflow-reload-tests.sh" -- sflow-reload-tests.sh
python3 "$here/../sflow/check_reload_metrics.py" "$out"
