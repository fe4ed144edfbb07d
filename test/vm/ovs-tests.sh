#!/bin/sh
# Runs in the 6.12 test VM (vm.sh --module openvswitch): Open vSwitch's
# psample action (kernel 6.11+). ovs-flow programs the kernel datapath
# directly: ports ov0 (1) and ov2 (2), one flow for 0x88b5 frames from port 1:
#   sample(probability=P, actions=psample(group=60, cookie=C)), output(2)
# with P = 0x80000000 (1/2) and C = 8 bytes: observation domain 0x00000102,
# point 0xa0b0c0d0 (big-endian). 400 frames go in on ov0 (sent on its peer).
# Checks: SAMPLE_PROBABILITY set and the rate equal to P on every sample,
# about half of the frames sampled, the cookie bytes and obs_domain /
# obs_point, IIFINDEX = ov0, GROUP_SEQ 0 on every sample, the Receiver's
# loss estimate 0 with every sample untracked, and every frame forwarded to
# port 2. tcpdump on nlmon records them for test/data (ovs-6.12/).
set -u
. /opt/bin/guest-lib.sh
ipv6_off
ip link add ov0 type veth peer name op0
ip link add ov2 type veth peer name op2
for d in ov0 op0 ov2 op2; do ip link set $d up; done
probability=0x80000000
cookie=00000102a0b0c0d0
frames=400
ovs-flow ovsdp ov0 ov2 60 $probability $cookie >/tmp/dp || {
  echo "FAIL: ovs-flow could not program the datapath"
  exit 1
}
ip link set ovsdp up
ov0_index=$(cat /sys/class/net/ov0/ifindex)
{
  echo "# Written by test/vm/ovs-tests.sh from the flow it programmed (ovs-flow)."
  echo "kernel release=$(uname -r)"
  echo "ovs group=60 iif=$ov0_index probability=$probability cookie=$cookie obs_domain=258 obs_point=2695938256 frames=$frames"
  echo "frame length=60 ethertype=88b5"
} >/out/expected.txt

start_nlmon_capture
psample-dump -F json -n -g 60 >/tmp/ovs.json 2>/tmp/ovs.err &
dump=$!
sleep 1
before=$(cat /sys/class/net/op2/statistics/rx_packets)
send-frames op0 $frames 60
sleep 1
kill -INT $dump
wait $dump
stop_nlmon_capture
after=$(cat /sys/class/net/op2/statistics/rx_packets)
cp /tmp/ovs.json /out/ovs.json
cat /tmp/ovs.err

n=$(wc -l </tmp/ovs.json)
# 400 draws at 1/2: 200 expected, sd 10; outside 140-260 is a 6-sigma event.
[ "$n" -ge 140 ] && [ "$n" -le 260 ] && ok "$n of $frames frames sampled at probability 1/2" ||
  bad "$n of $frames frames sampled at probability 1/2 (want 140-260)"
want="\"group\":60,\"seq\":0,\"rate\":2147483648,\"sample_probability\":true,\"origsize\":60,\"in_ifindex\":$ov0_index,\"proto\":34997,\"user_cookie\":\"$cookie\",\"obs_domain\":258,\"obs_point\":2695938256,\"data_len\":60,"
good=$(grep -cF "$want" /tmp/ovs.json)
[ "$good" -eq "$n" ] && ok "every sample: $want" || { bad "$((n - good)) samples differ from: $want"; head -n 2 /tmp/ovs.json; }
summary=$(grep '^psample-dump: samples=' /tmp/ovs.err)
case $summary in
  *" lost=0 "*" duplicates=0 resyncs=0 untracked=$n"*) ok "GROUP_SEQ 0 on every sample is not loss: lost=0 duplicates=0 untracked=$n" ;;
  *) bad "the summary's loss figures: $summary" ;;
esac
[ $((after - before)) -ge $frames ] && ok "every frame forwarded to port 2 ($((after - before)) received on op2)" ||
  bad "only $((after - before)) of $frames frames reached op2"
# The recording holds every sample psample-dump received.
recorded=$(psample-dump -r /out/nlmon.pcap --stats 2>&1 | sed -n 's/^psample-dump: samples=\([0-9]*\) .*/\1/p')
# tcpdump can drop under a loaded host: that is the recording's problem, not
# the receiver's, so it is told to the recording run (run-producer-tests.sh
# with OUT_DIR refuses an incomplete recording) and is no failure here.
if [ "$recorded" = "$n" ]; then
  echo complete >/out/recording.txt
  echo "note: the nlmon capture holds all $n samples"
else
  echo "incomplete $recorded of $n" >/out/recording.txt
  echo "note: the nlmon capture holds $recorded of $n samples (tcpdump dropped some)"
fi
exit $status
