#!/usr/bin/env bash
# Shows psample samples flowing: builds psample-cpp, then, in a private
# network namespace, puts a tc sample action on a veth pair, pings across it
# and prints what the example receiver gets. Needs root and a kernel with the
# psample and act_sample modules. Cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh kmod
[ -f build/demo/build.ninja ] || meson setup build/demo -Dtests=disabled >/dev/null
ninja -C build/demo examples/minimal-receiver >/dev/null

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (it creates a network namespace and a tc rule)" >&2
  exit 1
fi

modprobe -q psample 2>/dev/null || true
modprobe -q act_sample 2>/dev/null || true
if ! genl ctrl get name psample >/dev/null 2>&1 || ! tc action list action sample >/dev/null 2>&1; then
  echo "demo: this kernel ($(uname -r)) has no psample/act_sample module, so nothing can be sampled here." >&2
  echo "demo: what the library says when it opens a receiver on this kernel:" >&2
  build/demo/examples/minimal-receiver || true
  exit 1
fi

# Two namespaces, so the ping really crosses the veth pair: sender in $ns_a,
# the sampled interface and the receiver in $ns_b.
ns_a="psample-demo-a-$$"
ns_b="psample-demo-b-$$"
cleanup() {
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns_a"
ip netns add "$ns_b"
ip -n "$ns_a" link add veth0 type veth peer name veth1 netns "$ns_b"
ip -n "$ns_a" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_b" addr add 192.0.2.2/24 dev veth1
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth1 up
ip netns exec "$ns_b" tc qdisc add dev veth1 clsact
ip netns exec "$ns_b" tc filter add dev veth1 ingress matchall action sample rate 1 group 5 trunc 96

ip netns exec "$ns_b" build/demo/examples/minimal-receiver &
receiver=$!
sleep 1
ip netns exec "$ns_a" ping -c 5 -i 0.2 192.0.2.2 >/dev/null
wait "$receiver"
