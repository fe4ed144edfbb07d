#!/usr/bin/env bash
# Shows psample samples flowing: builds psample-dump, then, in private network
# namespaces, puts a tc sample action on a veth pair, pings across it and runs
# psample-dump. Needs root. When the running kernel lacks psample/act_sample,
# runs the same scenario inside the test VM (test/vm/vm.sh). Cleans up after
# itself.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh kmod
[ -f build/demo/build.ninja ] || meson setup build/demo -Dtests=disabled >/dev/null
ninja -C build/demo tools/psample-dump/psample-dump >/dev/null

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (it creates a network namespace and a tc rule)" >&2
  exit 1
fi

modprobe -q psample 2>/dev/null || true
modprobe -q act_sample 2>/dev/null || true
if ! genl ctrl get name psample >/dev/null 2>&1 || ! tc action list action sample >/dev/null 2>&1; then
  echo "demo: this kernel ($(uname -r)) has no psample/act_sample; running the demo in the test VM" >&2
  echo "demo: (Debian's stock kernel under qemu, see test/vm/vm.sh; the first run downloads it)" >&2
  exec test/vm/vm.sh --add build/demo/tools/psample-dump/psample-dump --add tools/demo-scenario.sh -- demo-scenario.sh
fi
exec tools/demo-scenario.sh build/demo/tools/psample-dump/
