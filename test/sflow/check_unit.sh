#!/usr/bin/env bash
# The sample systemd unit (tools/psample-sflow/psample-sflow.service) as
# systemd itself reads it: `systemd-analyze verify` on a copy whose
# ExecStart points at the psample-sflow just built (verify wants the binary
# to exist), with no complaint printed; it runs with --config and reloads
# with SIGHUP. A unit with a misspelt key must fail
# the same check (so the check can fail).
#   check_unit.sh PSAMPLE_SFLOW UNIT
set -euo pipefail
sflow=$(realpath "$1")
unit=$2
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing (apt-get install systemd)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/psample-sflow|$sflow|" "$unit" >"$work/psample-sflow.service"
grep -q "^ExecStart=$sflow --config /etc/psample-sflow/psample-sflow.conf" "$work/psample-sflow.service" || {
  echo "FAIL: the unit's ExecStart does not run psample-sflow with --config /etc/psample-sflow/psample-sflow.conf"
  exit 1
}
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$work/psample-sflow.service" || {
  echo "FAIL: the unit has no ExecReload sending SIGHUP"
  exit 1
}
if ! out=$(systemd-analyze verify "$work/psample-sflow.service" 2>&1) || [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify: $out"
  exit 1
fi
sed 's/^Restart=/Restrat=/' "$work/psample-sflow.service" >"$work/broken.service"
if out=$(systemd-analyze verify "$work/broken.service" 2>&1) && [ -z "$out" ]; then
  echo "FAIL: systemd-analyze verify accepted a misspelt key (Restrat=)"
  exit 1
fi
echo "ok: systemd-analyze verify accepts the unit (and flags a misspelt key: ${out%%$'\n'*})"
