#!/bin/sh
# Runs the examples against real samples inside the test VM (with
# epoll-receiver, packet-queue and send-frames on PATH).
set -u
failed=0
check() {
  what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failed=1; fi
}
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
ip link add e0 type veth peer name e1
ip link set e0 up
ip link set e1 up
tc qdisc add dev e1 clsact
tc filter add dev e1 ingress matchall action sample rate 1 group 41 pipe action sample rate 1 group 42 trunc 32

epoll-receiver 41 42 3 >/tmp/epoll.out 2>&1 &
epoll=$!
packet-queue 7 >/tmp/queue.out 2>&1 &
queue=$!
sleep 1
send-frames e0 7 100
wait $epoll
epoll_status=$?
wait $queue
queue_status=$?
cat /tmp/epoll.out /tmp/queue.out

check "epoll-receiver exits 0" test $epoll_status -eq 0
check "epoll-receiver: receiver 0 got group 41 only, 7 samples" test \
  "$(grep -c '^receiver 0: group 41 ' /tmp/epoll.out)" -eq 7 -a "$(grep -c '^receiver 0: group 42' /tmp/epoll.out)" -eq 0
check "epoll-receiver: receiver 1 got group 42, truncated to 32" test "$(grep -c '^receiver 1: group 42 seq [0-6] len 32$' /tmp/epoll.out)" -eq 7
check "epoll-receiver: final counts" grep -q "^receiver 1: 7 samples, 0 lost" /tmp/epoll.out
check "packet-queue exits 0" test $queue_status -eq 0
check "packet-queue: the worker handled 7 owned packets" grep -q "^worker: 7 packets, " /tmp/queue.out
check "packet-queue: packets keep their bytes (broadcast MAC first)" test "$(grep -c 'first byte 0xff' /tmp/queue.out)" -eq 7
[ $failed -eq 0 ] && echo "examples: all checks passed"
exit $failed
