#!/bin/sh
# psample-dump beside dwdump (Debian's dropwatch package), the drop monitor's
# own capture tool, inside the test VM (drop_monitor loaded): both see the
# same drops (dwdump's capture decoded by psample-dump -r), and neither
# owner's exit is taken for the other's.
set -u
. /opt/bin/guest-lib.sh
count_lines() { grep -c -- "$1" "$2" 2>/dev/null || true; }
stop_and_wait() { kill -TERM "$1"; wait "$1"; }

ipv6_off
ip link add d0 type veth peer name d1
ip link set d0 up
ip link set d1 up

# 1. dwdump owns the drop monitor (CONFIG + START); psample-dump listens.
#    Five frames of an ethertype nothing handles: five UNHANDLED_PROTO drops.
dwdump -w /tmp/dwdump.pcap 2>/tmp/dwdump.err &
dw=$!
sleep 1
psample-dump --drops -n -F json >/tmp/passive.out 2>/tmp/passive.err &
passive=$!
sleep 1
send-frames d1 5 60
sleep 1.5
stop_and_wait $passive
stop_and_wait $dw
check "passive beside dwdump: 5 drops on d1" test \
  "$(count_lines '"reason":"UNHANDLED_PROTO".*"orig_len":60' /tmp/passive.out)" -eq 5
psample-dump --drops -r /tmp/dwdump.pcap -F json >/tmp/dwdump.json 2>/tmp/dwdump-r.err
check "dwdump's own capture, read by psample-dump -r: the same 5 drops (exit $?)" test \
  "$(count_lines '"reason":"UNHANDLED_PROTO".*"orig_len":60' /tmp/dwdump.json)" -eq 5
check "the two agree field by field" sh -c \
  "grep UNHANDLED_PROTO /tmp/passive.out | sed 's/\"time\":[0-9]*,//' | sort >/tmp/a; \
   grep UNHANDLED_PROTO /tmp/dwdump.json | sed 's/\"time\":[0-9]*,//;s/,\"in_ifname\":\"[^\"]*\"//' | sort >/tmp/b; \
   sed -i 's/,\"in_ifname\":\"[^\"]*\"//' /tmp/a; cmp -s /tmp/a /tmp/b"

# 2. dwdump owns it, psample-dump --drops-start finds it running: listens,
#    and its exit leaves dwdump's monitoring on.
dwdump -w /tmp/dwdump2.pcap 2>/dev/null &
dw=$!
sleep 1
psample-dump --drops-start -n >/tmp/second.out 2>/tmp/second.err &
second=$!
sleep 1
stop_and_wait $second
check "a second owner says someone else monitors" grep -q "another program" /tmp/second.err
send-frames d1 3 60
sleep 1.5
stop_and_wait $dw
psample-dump --drops -r /tmp/dwdump2.pcap -n >/tmp/dwdump2.out 2>/dev/null
check "after psample-dump's exit, dwdump still gets drops (3)" test \
  "$(count_lines " drop UNHANDLED_PROTO " /tmp/dwdump2.out)" -eq 3

# 3. psample-dump owns it; dwdump (not passive) cannot configure it while it
#    runs (the kernel refuses CONFIG with EBUSY).
psample-dump --drops-start -n >/tmp/owner.out 2>/tmp/owner.err &
owner=$!
sleep 1
timeout 5 dwdump -w /tmp/dwdump3.pcap >/dev/null 2>/tmp/dwdump3.err
dw_status=$?
echo "dwdump beside an owner: exit $dw_status: $(head -c 300 /tmp/dwdump3.err)"
send-frames d1 2 60
sleep 1.5
stop_and_wait $owner
check "psample-dump kept its 2 drops whatever dwdump did" test "$(count_lines " drop UNHANDLED_PROTO " /tmp/owner.out)" -eq 2
exit $status
