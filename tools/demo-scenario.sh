#!/bin/sh
# The demo's traffic (POSIX sh: it also runs inside the test VM): a veth pair
# across two network namespaces, a tc sample rule on the receiving side, a
# short ping, and psample-dump printing what psample delivers.
#   demo-scenario.sh [DIRECTORY_OF_psample-dump]
set -eu
bin=${1:-}
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
echo "demo: sampling veth1 ingress (group 5, rate 1, trunc 96); pinging 192.0.2.2 five times"
ip netns exec "$ns_b" "${bin}psample-dump" &
receiver=$!
sleep 1
ip netns exec "$ns_a" ping -c 5 -i 0.2 192.0.2.2 >/dev/null
sleep 0.5
kill -INT "$receiver"
wait "$receiver"
