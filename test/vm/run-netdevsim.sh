#!/usr/bin/env bash
# Driver metadata from a real kernel: builds netdevsim for the VM kernel
# (build-netdevsim.sh) and libpsample's own tool (test/oracles), boots the VM
# and runs netdevsim-tests.sh there. Brings back the JSON and nlmon capture
# of the configured samples (what test/data/netdevsim-* holds) in OUT_DIR
# when given.
#   run-netdevsim.sh KERNEL PSAMPLE_DUMP [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kernel=${1:?usage: run-netdevsim.sh KERNEL PSAMPLE_DUMP [OUT_DIR]}
dump=${2:?usage: run-netdevsim.sh KERNEL PSAMPLE_DUMP [OUT_DIR]}
keep=${3:-}
cache=${PSAMPLE_VM_CACHE:-${HOME:-/root}/.cache/psample-cpp-vm}
"$root/tools/install-deps.sh" tcpdump bash iproute2 >/dev/null
"$here/vm.sh" --kernel "$kernel" --prepare
version=$(cat "$cache/kernel-$kernel/version")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/build-netdevsim.sh" "$kernel" "$version" "$work"
"$root/test/oracles/build-libpsample.sh" "$work"
mkdir -p "$work/out"
status=0
LD_LIBRARY_PATH="$work" "$here/vm.sh" --kernel "$kernel" --timeout 400 --out "$work/out" --module drop_monitor \
  --add "$dump" --add "$work/netdevsim.ko" --add "$work/selftests.tar" --add "$work/libpsample-psample" \
  --add "$(command -v bash)" --add "$(command -v devlink)" --add "$(command -v tcpdump)" \
  --add "$(command -v timeout)" --add "$(command -v readlink)" \
  --add "$here/guest-lib.sh" --add "$here/netdevsim-tests.sh" -- netdevsim-tests.sh || status=$?
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp "$work"/out/* "$keep/"
fi
exit $status
