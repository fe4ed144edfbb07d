#!/bin/sh
# psample-dump live tests; run inside the test VM by run-dump-live.sh, with
# psample-dump and send-frames on PATH. Writes /out/live.pcapng for the host
# to check with tshark.
set -u
failed=0
check() {  # check DESCRIPTION CONDITION...
  what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failed=1; fi
}
count_lines() { grep -c "$1" "$2" 2>/dev/null || true; }
summary_value() {  # summary_value KEY FILE: the value of KEY= on the (last) summary line
  grep ' bytes=' "$2" | tail -n 1 | sed -n "s/.*[: ]$1=\([^ ]*\).*/\1/p"
}
wait_for() {  # wait_for PID SECONDS: true if PID exits in time
  i=0
  while kill -0 "$1" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt $(($2 * 10)) ] && return 1
    sleep 0.1
  done
  return 0
}

echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
ip link add d0 type veth peer name d1
ip link set d0 up
ip link set d1 up
tc qdisc add dev d1 clsact
tc filter add dev d1 ingress matchall action sample rate 1 group 31 trunc 64 pipe action sample rate 1 group 32 trunc 48
d1_index=$(cat /sys/class/net/d1/ifindex)

# -g filters in the kernel; an unfiltered instance sees both groups.
psample-dump -g 31 -F json >/tmp/g31.out 2>/tmp/g31.err &
filtered=$!
psample-dump -F libpsample >/tmp/all.out 2>/tmp/all.err &
all=$!
psample-dump --stats >/tmp/stats.out 2>/tmp/stats.err &
stats=$!
psample-dump -c 5 -n >/tmp/c5.out 2>/tmp/c5.err &
five=$!
psample-dump -w /out/live.pcapng -g 32 2>/tmp/w.err &
writer=$!
sleep 1
send-frames d0 20 60
sleep 1
kill -TERM $filtered $all $stats $writer
wait_for $filtered 5; wait_for $all 5; wait_for $stats 5; wait_for $writer 5

check "-g 31 prints only group 31, all 20" test "$(count_lines '"group":31' /tmp/g31.out)" -eq 20 -a \
  "$(count_lines '"group":32' /tmp/g31.out)" -eq 0
g31_drops=$(summary_value kernel_drops /tmp/g31.err)
check "-g 31: the other group never reached the socket (kernel drops ${g31_drops:-missing}, want 0)" test "$g31_drops" = 0
[ "$g31_drops" = 0 ] || cat /tmp/g31.err
check "-g 31: summary counts 20 samples, 0 ignored" test "$(summary_value samples /tmp/g31.err)" = 20 -a \
  "$(summary_value ignored /tmp/g31.err)" = 0
check "--format libpsample: 40 lines in libpsample's format" test \
  "$(grep -cE "^group 3[12] in-ifindex $d1_index origsize 60 sample-rate 1 seq [0-9]+ timestamp [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4} [0-9]{9} nsec protocol 0x88b5 \$" /tmp/all.out)" -eq 40
check "--format libpsample: group 31 seq runs 0..19" test \
  "$(grep -E '^group 31 ' /tmp/all.out | sed 's/.* seq \([0-9]*\) timestamp .*/\1/' | tr '\n' ' ')" = \
  "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 "
check "--stats prints no samples" test ! -s /tmp/stats.out
check "--stats: samples=40 lost=0 malformed=0 overruns=0" test "$(summary_value samples /tmp/stats.err)" = 40 -a \
  "$(summary_value lost /tmp/stats.err)" = 0 -a "$(summary_value malformed /tmp/stats.err)" = 0 -a \
  "$(summary_value overruns /tmp/stats.err)" = 0
check "--stats: bytes = 20 x 60 (trunc 64) + 20 x 48 (trunc 48)" test "$(summary_value bytes /tmp/stats.err)" = 2160
check "--stats: per-group lines" grep -q "group=31 samples=20 lost=0 last_seq=19" /tmp/stats.err
check "-c 5 stops by itself after 5 samples" wait_for $five 5
check "-c 5 printed 5 lines" test "$(wc -l </tmp/c5.out)" -eq 5
check "-n prints interface numbers" grep -q " in $d1_index len 60/60 proto 0x88b5" /tmp/c5.out
check "-w wrote a pcapng file" test -s /out/live.pcapng
check "-w: summary counts the 20 samples of group 32" test "$(summary_value samples /tmp/w.err)" = 20

# -v with --format libpsample adds libpsample's hex dump; --stats-interval repeats the summary.
psample-dump -F libpsample -v -c 1 -g 31 >/tmp/v.out 2>&1 &
verbose=$!
psample-dump --stats --stats-interval 0.4 >/dev/null 2>/tmp/interval.err &
interval=$!
sleep 1
send-frames d0 1 60
wait_for $verbose 5
sleep 1
kill -TERM $interval
wait_for $interval 5
check "-v: libpsample's data line" grep -qE "^group 31 in-ifindex $d1_index origsize 60 sample-rate 1 seq 20 timestamp [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4} [0-9]{9} nsec protocol 0x88b5 data len 60\$" /tmp/v.out
check "-v: libpsample's hex dump" grep -q "^0x0000:  ff ff ff ff ff ff 02 00 00 00 00 01 88 b5 0e 0f  " /tmp/v.out
check "--stats-interval 0.4 printed the summary at least 4 times in ~2 s" test "$(grep -c ' bytes=' /tmp/interval.err)" -ge 4

# -l lists the groups like libpsample's --list-groups.
psample-dump -l >/tmp/l.out 2>&1
check "-l lists group 31 with refcount 1 and seq 21" grep -qE "^31 +1 +21 +\$" /tmp/l.out
check "-l lists group 32" grep -qE "^32 +1 +21 +\$" /tmp/l.out
check "-l prints libpsample's header" grep -qE "^Group Num +Refcount +Group Seq" /tmp/l.out

# --config-events, and SIGINT ends the run with a summary.
psample-dump --config-events >/tmp/cfg.out 2>/tmp/cfg.err &
config=$!
sleep 1
tc filter add dev d1 ingress pref 7 matchall action sample rate 1 group 33
tc filter del dev d1 ingress pref 7
sleep 1
kill -INT $config
check "SIGINT ends psample-dump" wait_for $config 5
check "--config-events: group 33 created" grep -q "^group 33 created" /tmp/cfg.out
check "--config-events: group 33 destroyed" grep -q "^group 33 destroyed" /tmp/cfg.out
check "SIGINT: the summary is printed" grep -q "group_events=2" /tmp/cfg.err

# Syscalls while a burst is queued: recvmmsg takes every queued datagram
# at once, so fewer receive calls than samples, and no poll at all (the wait
# is recvmmsg's own, with SO_RCVTIMEO). strace -c counts them.
strace -f -c -e trace=recvmsg,recvmmsg,poll,ppoll -o /tmp/strace.out psample-dump --stats -g 31 --rcvbuf 8388608 \
  >/dev/null 2>/tmp/strace-dump.err &
traced=$!
sleep 2
send-frames d0 500 60
sleep 1
for process in /proc/[0-9]*; do  # the traced psample-dump (no pkill in busybox)
  [ "$(cat "$process/comm" 2>/dev/null)" = psample-dump ] && kill -TERM "${process#/proc/}"
done
wait_for $traced 10
calls() { awk -v name="$1" '$NF == name { print $4 }' /tmp/strace.out; }
cat /tmp/strace.out
recvmsg_calls=$(calls recvmsg); recvmmsg_calls=$(calls recvmmsg)
poll_only=$(calls poll); ppoll_only=$(calls ppoll)
recvmsg_calls=${recvmsg_calls:-0}; recvmmsg_calls=${recvmmsg_calls:-0}
poll_calls=$(( ${poll_only:-0} + ${ppoll_only:-0} ))
samples=$(summary_value samples /tmp/strace-dump.err)
echo "strace: $samples samples, recvmmsg $recvmmsg_calls calls, recvmsg $recvmsg_calls calls, poll $poll_calls calls"
check "all 500 samples of the burst arrive" test "$samples" -eq 500
check "fewer receive syscalls than samples during a burst" test "$recvmmsg_calls" -gt 0 -a "$recvmmsg_calls" -lt "$samples"
# Two recvmsg calls belong to open(): the GETFAMILY replies for psample and nlctrl.
check "recvmsg only for open()'s two GETFAMILY replies" test "$recvmsg_calls" -eq 2
check "no poll: the fd is blocking and recvmmsg waits itself" test "$poll_calls" -eq 0

# --netns
ip netns add other
psample-dump --netns other -l >/tmp/ns.out 2>&1
check "--netns other -l: no groups there, exit 0" test $? -eq 0 -a ! -s /tmp/ns.out
psample-dump --netns no-such-ns -l >/tmp/nons.out 2>&1
check "--netns no-such-ns: exit 6" test $? -eq 6
check "--netns no-such-ns: says how to find the names" grep -q "ip netns list" /tmp/nons.out

# Usage errors.
psample-dump -g notanumber >/dev/null 2>&1
check "bad -g: exit 2" test $? -eq 2

[ $failed -eq 0 ] && echo "psample-dump live: all checks passed"
exit $failed
