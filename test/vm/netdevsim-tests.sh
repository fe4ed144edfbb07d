#!/bin/sh
# Runs in the test VM (see run-netdevsim.sh): driver metadata from a real
# driver's psample emitter. netdevsim (built for this kernel from Debian's
# own source) sends one sample every 100 ms with the metadata configured in
# debugfs: OUT_TC, OUT_TC_OCC and LATENCY (random below their maxima), the
# in/out ifindex, the rate, the truncation size. Checks, in order:
#   1. psample-dump -F json: every field as configured, on 20 samples, and
#      tcpdump on nlmon records them for test/data;
#   2. libpsample's own tool (built from its source by the host) and
#      psample-dump in libpsample mode, side by side on the same samples and
#      group events, in a non-UTC time zone: the same bytes;
#   3. -l of both on the same groups: the same bytes;
#   4. hardware drops: netdevsim's devlink traps through the drop monitor
#      (psample-dump --drops-start=hardware): trap group and name, input
#      port index and name, protocol and lengths of each trapped packet;
#   5. the kernel's own netdevsim psample selftest, unmodified, with
#      psample-dump (as `psample`) in libpsample's place. It needs bash,
#      devlink and coreutils' timeout (busybox's would run its own `ip`
#      applet, not iproute2's) and readlink (6.12's lib.sh uses -e): the
#      host adds them.
set -u
. /opt/bin/guest-lib.sh

mount -t debugfs debugfs /sys/kernel/debug
insmod /opt/bin/netdevsim.ko || {
  echo "FAIL: insmod netdevsim.ko (the module built for $(uname -r))"
  exit 1
}
ln -s psample-dump /opt/bin/psample

echo "1 1" >/sys/bus/netdevsim/new_device
P=/sys/kernel/debug/netdevsim/netdevsim1/psample
for _ in $(seq 100); do [ -d $P ] && break; sleep 0.1; done
[ -d $P ] || {
  echo "FAIL: netdevsim1 has no psample directory in debugfs"
  exit 1
}

# --- 1. every field as configured ---------------------------------------------
echo 7 >$P/group_num
echo 1000 >$P/rate
echo 11 >$P/in_ifindex
echo 22 >$P/out_ifindex
echo 3 >$P/out_tc
echo 4096 >$P/out_tc_occ_max
echo 8192 >$P/latency_max
echo 64 >$P/trunc_size
start_nlmon_capture  # listening before psample-dump asks for the family id
# What test/data/netdevsim-*/expected.txt holds: the configuration above, and
# the packet netdevsim builds (drivers/net/netdevsim/psample.c).
{
  echo "# Written by test/vm/netdevsim-tests.sh from the netdevsim configuration it wrote to debugfs."
  echo "kernel release=$(uname -r)"
  echo "netdevsim group=7 rate=1000 iif=11 oif=22 out_tc=3 out_tc_occ_max=4096 latency_max=8192 trunc=64 samples=20"
  echo "packet origsize=142 proto=0x0800 ethertype=0800 ip_src=c0000201 ip_dst=c6336401 ttl=100 ip_proto=17"
} >/out/expected.txt
psample-dump -F json -n -c 20 -g 7 >/tmp/nsim.json 2>/tmp/nsim.err &
dump=$!
sleep 1
echo 1 >$P/enable
wait $dump
echo 0 >$P/enable
stop_nlmon_capture
cp /tmp/nsim.json /out/netdevsim.json
lines=$(wc -l </tmp/nsim.json)
[ "$lines" -eq 20 ] && ok "20 netdevsim samples in JSON" || bad "$lines of 20 netdevsim samples: $(cat /tmp/nsim.err)"
# Each line: the fixed fields exactly, OUT_TC_OCC and LATENCY below their maxima.
wrong=$(awk '
  !/"group":7,/ || !/"rate":1000,/ || !/"origsize":142,/ || !/"in_ifindex":11,/ || !/"out_ifindex":22,/ ||
  !/"proto":2048,/ || !/"out_tc":3,/ || !/"data_len":64,"truncated":true,/ || !/"timestamp":[0-9]+,/ { print; next }
  {
    match($0, /"out_tc_occ":[0-9]+/); occ = substr($0, RSTART + 13, RLENGTH - 13)
    match($0, /"latency":[0-9]+/); lat = substr($0, RSTART + 10, RLENGTH - 10)
    if (occ == "" || lat == "" || occ + 0 >= 4096 || lat + 0 >= 8192) print
    # The data: netdevsim builds an IPv4/UDP packet, 192.0.2.1 -> 198.51.100.1, TTL 100.
    if ($0 !~ /"data":"[0-9a-f]{24}080045000080000000006411[0-9a-f]{4}c0000201c6336401/) print
  }' /tmp/nsim.json | head -n 3)
[ -z "$wrong" ] && ok "every sample: group 7, rate 1000, origsize 142, in 11, out 22, proto 0x0800, out_tc 3, out_tc_occ < 4096, latency < 8192, 64 of 142 bytes" ||
  bad "samples not as configured: $wrong"
distinct=$(grep -o '"latency":[0-9]*' /tmp/nsim.json | sort -u | wc -l)
[ "$distinct" -gt 1 ] && ok "LATENCY varies ($distinct values): decoded per sample, not a constant" || bad "LATENCY took 1 value in 20 samples"
seqs=$(grep -o '"seq":[0-9]*' /tmp/nsim.json | cut -d: -f2 | tr '\n' ' ')
first=$(echo "$seqs" | cut -d' ' -f1)
expected=""
for i in $(seq 0 19); do expected="$expected$((first + i)) "; done
[ "$seqs" = "$expected" ] && ok "GROUP_SEQ runs on by one" || bad "GROUP_SEQ: $seqs"

# --- 2. libpsample's tool and psample-dump in libpsample mode, side by side ----
# A fixed group (a tc sample action) for -l, then netdevsim group 7 sampling.
ipv6_off
ip link add v0 type veth peer name v1
ip link set v0 up && ip link set v1 up
tc qdisc add dev v0 ingress && tc filter add dev v0 ingress matchall action sample rate 1 group 9
export TZ=IST-5:30  # local time is not UTC: both must print it the same way
echo 0 >$P/trunc_size
echo 65535 >$P/out_tc  # no OUT_TC
libpsample-psample -v >/tmp/oracle.txt 2>/tmp/oracle.err &
oracle=$!
psample -v >/tmp/ours.txt 2>/tmp/ours.err &
ours=$!
sleep 1
echo 1 >$P/enable
sleep 1
echo 0 >$P/enable
echo 5 >$P/out_tc
echo 1 >$P/enable
sleep 1
echo 0 >$P/enable
sleep 0.5
kill $oracle $ours
wait $oracle $ours
cp /tmp/oracle.txt /out/libpsample-oracle.txt
cp /tmp/ours.txt /out/libpsample-ours.txt
samples=$(grep -c '^group 7 ' /tmp/oracle.txt)
# libpsample flushes stdout after each sample but not after a group event, so
# the kill loses its last "deleted group" line: ours must start with every
# byte of its output, and may add only that line.
oracle_bytes=$(wc -c </tmp/oracle.txt)
if [ "$samples" -ge 10 ] && head -c "$oracle_bytes" /tmp/ours.txt | cmp -s - /tmp/oracle.txt; then
  ok "libpsample mode prints what libpsample's psample prints, byte for byte ($samples samples with -v, group events, $oracle_bytes bytes)"
else
  bad "libpsample mode differs from libpsample's psample ($samples samples):"
  head -c "$oracle_bytes" /tmp/ours.txt | diff /tmp/oracle.txt - | head -n 20
fi
rest=$(tail -c +"$((oracle_bytes + 1))" /tmp/ours.txt)
case $rest in
  "" | "deleted group 7 with current seq "*) ok "after libpsample's last byte: only its unflushed group event (${rest:-none})" ;;
  *) bad "after libpsample's last byte ours has: $rest" ;;
esac
grep -q "^created group 7 with current seq [0-9]* $" /tmp/ours.txt && ok "group events in libpsample's form" || bad "no 'created group 7' line"
grep -q " out-tc 5 out-tc-occ [0-9]* latency [0-9]* timestamp [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* 20[0-9][0-9] [0-9]\{9\} nsec protocol 0x800 data len 142$" /tmp/ours.txt &&
  ok "out-tc, out-tc-occ, latency, timestamp and protocol fields present" || bad "a metadata field is missing: $(grep -m1 '^group 7' /tmp/ours.txt)"
[ ! -s /tmp/ours.err ] && ok "libpsample mode writes nothing to stderr" || bad "stderr: $(cat /tmp/ours.err)"

# --- 3. -l ----------------------------------------------------------------------
libpsample-psample -l >/tmp/oracle-l.txt 2>&1
psample -l >/tmp/ours-l.txt 2>&1
cmp -s /tmp/oracle-l.txt /tmp/ours-l.txt && grep -q '^9 ' /tmp/ours-l.txt && ok "-l prints libpsample's table byte for byte" ||
  { bad "-l differs:"; diff /tmp/oracle-l.txt /tmp/ours-l.txt; }
tc qdisc del dev v0 ingress
ip link del v0
echo 1 >/sys/bus/netdevsim/del_device

# --- 4. hardware drops: devlink traps through the drop monitor ------------------
# netdevsim reports a packet for each trap whose action is not "drop", on each
# port, every 100 ms (drivers/net/netdevsim/dev.c). Exception traps
# (ttl_value_is_too_small, group l3_exceptions) trap by default; blackhole_route
# (l3_drops) is set to trap here.
echo "2 1" >/sys/bus/netdevsim/new_device
for _ in $(seq 100); do [ -d /sys/bus/netdevsim/devices/netdevsim2/net ] && break; sleep 0.1; done
port=$(ls /sys/bus/netdevsim/devices/netdevsim2/net/ | head -n 1)
port_index=$(cat /sys/class/net/$port/ifindex)
ip link set "$port" up
devlink trap set netdevsim/netdevsim2 trap blackhole_route action trap
psample-dump --drops-start=hardware -F json -n -c 40 >/tmp/hw.json 2>/tmp/hw.err &
hw=$!
for _ in $(seq 100); do kill -0 $hw 2>/dev/null || break; sleep 0.1; done
kill -TERM $hw 2>/dev/null
wait $hw
hw_lines() { grep -c "\"type\":\"drop\",.*\"origin\":\"hardware\",\"trap_group\":\"$1\",\"trap_name\":\"$2\",\"in_ifindex\":$port_index,\"in_port_name\":\"$port\",.*\"proto\":2048,\"orig_len\":[0-9]*,\"data_len\":[0-9]*" /tmp/hw.json || true; }
blackhole=$(hw_lines l3_drops blackhole_route)
ttl=$(hw_lines l3_exceptions ttl_value_is_too_small)
all=$(grep -c '"type":"drop"' /tmp/hw.json || true)
[ "$all" -eq 40 ] && [ "$blackhole" -ge 5 ] && [ "$ttl" -ge 5 ] &&
  ok "hardware drops: 40 trapped packets on $port ($port_index), $blackhole blackhole_route (l3_drops), $ttl ttl_value_is_too_small (l3_exceptions), each with its port and IPv4 payload" ||
  { bad "hardware drops: $all in all, $blackhole blackhole_route, $ttl ttl_value_is_too_small on $port ($port_index)"; head -3 /tmp/hw.json; cat /tmp/hw.err; }
# -c stops after 40 shown; the last receive may have delivered a few more.
delivered=$(sed -n 's/^psample-dump: drops=\([0-9]*\) .* lost=0 .*/\1/p' /tmp/hw.err)
[ "${delivered:-0}" -ge 40 ] && ok "hardware drops: the summary counts $delivered delivered, none lost" ||
  bad "hardware drops summary: $(grep drops= /tmp/hw.err)"
devlink trap set netdevsim/netdevsim2 trap blackhole_route action drop
echo 2 >/sys/bus/netdevsim/del_device

# --- 5. the kernel's selftest, psample-dump standing in for libpsample ----------
mkdir -p /tmp/selftests && tar -C /tmp/selftests -xf /opt/bin/selftests.tar
self=$(find /tmp/selftests -name psample.sh -path '*netdevsim*')
# lib.sh requires jq and mausezahn only for other tests: REQUIRE_JQ / REQUIRE_MZ
# are its own switches.
REQUIRE_JQ=no REQUIRE_MZ=no bash "$self" >/tmp/selftest.txt 2>&1
selftest=$?
cp /tmp/selftest.txt /out/selftest.txt
cat /tmp/selftest.txt
passed=$(grep -c '\[ OK \]' /tmp/selftest.txt)
if [ $selftest -eq 0 ] && [ "$passed" -eq 3 ] && ! grep -q 'FAIL\|SKIP' /tmp/selftest.txt; then
  ok "the kernel's netdevsim psample.sh passes with psample-dump as psample (3 of 3)"
else
  bad "the kernel's netdevsim psample.sh: exit $selftest, $passed of 3 OK"
fi
exit $status
