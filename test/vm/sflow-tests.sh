#!/bin/sh
# Runs in the test VM (see run-sflow-live.sh): psample-sflow live on real
# act_sample traffic. The VM has no network to a collector, so the agent
# writes its datagrams with -w; the host checks them with its collectors
# and tshark (test/sflow/check_live.py). Ingress samples on s1 (group 70)
# and egress samples on s0 (group 71, --egress-group), 30 frames of 200
# bytes; counter samples every second, and the interfaces' counters read
# independently with `ip -s -j link` once the traffic has stopped. With
# --drops-start, the frames' drop on s1 (their ethertype has no handler)
# comes too, as 30 discard samples.
set -u
. /opt/bin/guest-lib.sh
ipv6_off
ip link add s0 type veth peer name s1
ip link set s0 up && ip link set s1 up
tc qdisc add dev s1 clsact && tc filter add dev s1 ingress matchall action sample rate 1 group 70
tc qdisc add dev s0 clsact && tc filter add dev s0 egress matchall action sample rate 1 group 71
echo "s0 $(cat /sys/class/net/s0/ifindex)" >/out/ifindex.txt
echo "s1 $(cat /sys/class/net/s1/ifindex)" >>/out/ifindex.txt
psample-sflow -w /out/live.pcap --agent-address 192.0.2.50 --counter-interval 1 --egress-group 71 \
  --collector 127.0.0.1:6343 --drops-start 2>/out/agent.err &
agent=$!
sleep 1
send-frames s0 30 200
sleep 2.5  # a counter poll after the last frame
kill -TERM $agent
wait $agent
echo "agent exit $?" >>/out/agent.err
ip -s -j link show dev s0 >/out/s0.json
ip -s -j link show dev s1 >/out/s1.json
psample-dump -l >/out/groups.txt 2>&1
cat /out/agent.err
grep -q '^psample-sflow: samples=60 ' /out/agent.err && ok "the agent exported 60 samples" || bad "the agent's summary: $(head -n 1 /out/agent.err)"
# At least the 30 frames' drops; the agent's own datagrams to the absent
# collector are dropped too (NO_SOCKET on lo) and exported like any drop.
drops_line=$(grep '^psample-sflow: drops=' /out/agent.err)
drops=$(echo "$drops_line" | sed -n 's/.* drops=\([0-9]*\) discards=\([0-9]*\) lost=0 .*/\1 \2/p')
set -- $drops
[ "${1:-0}" -ge 30 ] && [ "${1:-0}" = "${2:-}" ] && ok "the agent exported its $1 drops as discards, none lost" ||
  bad "the agent's drop monitor line: $drops_line"
grep -q 'agent exit 0' /out/agent.err && ok "SIGTERM: clean exit 0" || bad "exit status: $(tail -n 1 /out/agent.err)"
exit $status
