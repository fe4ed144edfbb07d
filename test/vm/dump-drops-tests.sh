#!/bin/sh
# psample-dump --drops live, inside the test VM (drop_monitor loaded), with
# psample-dump and send-frames on PATH: a passive listener and an owner that
# shows samples and drops together, each drop checked against the frames
# sent; the drop monitor stopped at the owner's exit and only then; the
# errors for a missing module and a foreign network namespace.
set -u
. /opt/bin/guest-lib.sh
count_lines() { grep -c -- "$1" "$2" 2>/dev/null || true; }
summary_value() {  # summary_value KEY PREFIX FILE: KEY= on the last summary line starting "psample-dump: PREFIX="
  grep "^psample-dump: $2=" "$3" | tail -n 1 | sed -n "s/.*[: ]$1=\([^ ]*\).*/\1/p"
}

ipv6_off
ip link add d0 type veth peer name d1
ip link set d0 up
ip link set d1 up
tc qdisc add dev d1 clsact
tc filter add dev d1 ingress matchall action sample rate 1 group 41 trunc 64
d1_index=$(cat /sys/class/net/d1/ifindex)

# A passive listener first (the drop monitor is off), then an owner that
# starts it and shows samples and drops. send-frames' ethertype (0x88b5)
# has no handler: each frame is sampled on d1, then dropped (UNHANDLED_PROTO).
psample-dump --drops -n >/tmp/passive.out 2>/tmp/passive.err &
passive=$!
sleep 0.5
psample-dump --drops-start --samples -F json >/tmp/both.out 2>/tmp/both.err &
owner=$!
sleep 1.5
send-frames d0 10 60
sleep 1.5
kill -TERM $owner
wait $owner
owner_status=$?
send-frames d0 3 60  # after the owner stopped the drop monitor: no drops
sleep 1.5
kill -TERM $passive
wait $passive

check "passive: says the drop monitor is off and what starts it" grep -q "the drop monitor is off.*--drops-start" /tmp/passive.err
check "owner: exit status 0 (got $owner_status)" test "$owner_status" -eq 0
check "owner: 10 samples of group 41" test "$(count_lines '"type":"sample","time":[0-9]*,"timestamp":[0-9]*,"group":41' /tmp/both.out)" -eq 10
check "owner: 10 drops, reason UNHANDLED_PROTO, on d1, 60 bytes of ethertype 0x88b5" test \
  "$(count_lines "\"type\":\"drop\".*\"reason\":\"UNHANDLED_PROTO\".*\"in_ifindex\":$d1_index.*\"proto\":34997,\"orig_len\":60,\"data_len\":60" /tmp/both.out)" -eq 10
check "owner: the summary counts 10 samples and 10 drops, none lost" test \
  "$(summary_value samples samples /tmp/both.err)/$(summary_value drops drops /tmp/both.err)/$(summary_value lost drops /tmp/both.err)" = 10/10/0
check "passive: heard the owner's 10 drops, and none after the owner stopped" test \
  "$(count_lines " drop UNHANDLED_PROTO at .* in $d1_index len 60/60 proto 0x88b5" /tmp/passive.out)" -eq 10
check "passive: its summary counts 10 drops" test "$(summary_value drops drops /tmp/passive.err)" = 10
[ $status -eq 0 ] || { cat /tmp/both.err /tmp/passive.err; head -3 /tmp/both.out /tmp/passive.out; }

# Another network namespace: NET_DM is not there, and the error says why.
unshare -n psample-dump --drops >/tmp/netns.out 2>/tmp/netns.err
rc=$?
check "another netns: exit 3, naming the initial namespace (got $rc: $(cat /tmp/netns.err))" \
  sh -c "test $rc -eq 3 && grep -q 'initial network namespace' /tmp/netns.err"
# The module gone: the error names modprobe.
rmmod drop_monitor
psample-dump --drops >/tmp/nomod.out 2>/tmp/nomod.err
rc=$?
check "no module: exit 3, naming modprobe drop_monitor (got $rc: $(cat /tmp/nomod.err))" \
  sh -c "test $rc -eq 3 && grep -q 'modprobe drop_monitor' /tmp/nomod.err"
exit $status
