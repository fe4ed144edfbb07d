#!/bin/sh
# Inside the test VM: the musl-built static minimal_receiver against real
# samples. 9 frames through a tc sample rule (rate 1, group 5); the program
# must print each with its sequence number, and its closing count.
set -u
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6  # no router solicitations among the samples
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
ip link add m0 type veth peer name m1
ip link set m0 up
ip link set m1 up
tc qdisc add dev m1 clsact
tc filter add dev m1 ingress matchall action sample rate 1 group 5
minimal_receiver >/tmp/musl.out 2>&1 &
receiver=$!
sleep 2
send-frames m0 9 100
wait $receiver
status=$?
cat /tmp/musl.out
failed=0
[ $status -eq 0 ] || { echo "FAIL: minimal_receiver exited $status"; failed=1; }
for seq in 0 1 2 3 4 5 6 7 8; do
  grep -q "^group 5 seq $seq rate 1 in [0-9]* len 100/100 proto 0x88b5$" /tmp/musl.out ||
    { echo "FAIL: no line for seq $seq"; failed=1; }
done
grep -q "^9 samples, 0 lost$" /tmp/musl.out || { echo "FAIL: closing count is not '9 samples, 0 lost'"; failed=1; }
[ $failed -eq 0 ] && echo "musl: the static minimal receiver got all 9 samples in the VM"
exit $failed
