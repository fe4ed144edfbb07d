#!/bin/sh
# Runs in the test VM (meson test sampling-rules-*): sampling rules set up by
# psample-cpp over rtnetlink, held against what tc itself reports.
#   1. errors made on purpose: each tc module missing, psample missing, no
#      CAP_NET_ADMIN, no such interface, skip_sw on a device without offload,
#      another program's filter at the priority asked for;
#   2. the library (sampling-probe): rules exactly as `tc -j filter show`
#      and `tc -j qdisc show` list them (priority, rate, group, trunc,
#      cookie, flags);
#   3. another tool's filters and clsact qdisc untouched by our add and
#      remove, with a negative control: the same check fails once the
#      foreign filter is gone (as `tc filter delete dev X ingress` would do);
#   4. psample-dump --sample: samples with the chosen group, rate and
#      length; SIGKILL, then a restart: one rule, not two, and nothing left
#      after the restarted run (its crashed predecessor's clsact included);
#   5. psample-sflow --sample / --sample-egress with --header-bytes as the
#      truncation: both directions exported, rules gone after SIGTERM;
#   6. the rule's cookie in each sample (USER_COOKIE, kernels >= 6.11);
#   7. psample-sflow --sample-pattern: interfaces there at start, created
#      later, renamed into and out of the pattern, deleted; nothing left;
#   8. --netns, and psample::in_netns: the rules and the samples in another
#      network namespace, from a process that stays in the initial one.
set -u
. /opt/bin/guest-lib.sh
ipv6_off
ip link add v0 type veth peer name v1
ip link set v0 up && ip link set v1 up
v0=$(cat /sys/class/net/v0/ifindex)
v1=$(cat /sys/class/net/v1/ifindex)
export SAMPLING_STATE_DIR=/run/sampling-probe
our_tag=7073616d706c6563  # "psamplec": the owner tag in our cookies

# filters DEV HOOK: tc's JSON for the hook, one filter (with options) per line.
filters() { tc -j filter show dev "$1" "$2" | sed 's/},{"protocol"/}\n{"protocol"/g' | grep '"options"'; }
has_clsact() { tc -j qdisc show dev "$1" | grep -q '"kind":"clsact"'; }
# contains TEXT NEEDLE...: every needle is in the text.
contains() {
  text=$1
  shift
  for needle in "$@"; do
    case $text in *"$needle"*) ;; *) return 1 ;; esac
  done
}

# --- 1. errors, each made on purpose ------------------------------------------
# A kernel that cannot load a tc module (this VM has no modprobe): the error
# names it, and the clsact qdisc made for the rule does not stay behind.
rmmod act_sample
out=$(sampling-probe "add v1 ingress")
check "act_sample missing: '$out'" contains "$out" "error: RTM_NEWTFILTER (matchall): a tc module is missing: modprobe act_sample"
check "act_sample missing: no clsact left on v1" sh -c '! tc -j qdisc show dev v1 | grep -q clsact'
rmmod cls_matchall
out=$(sampling-probe "add v1 ingress")
check "cls_matchall missing: '$out'" contains "$out" "a tc module is missing: modprobe cls_matchall"
tc qdisc show | grep -q clsact || rmmod sch_ingress
out=$(sampling-probe "add v1 ingress")
check "sch_ingress missing: '$out'" contains "$out" "RTM_NEWQDISC (clsact): a tc module is missing: modprobe sch_ingress"
insmod /modules/sch_ingress.ko && insmod /modules/cls_matchall.ko
# psample itself missing: psample-dump --sample first adds its rules (which
# would load act_sample and psample on a host with modprobe), and says so.
rmmod psample
psample-dump --sample v1 -c 1 >/dev/null 2>/tmp/err
code=$?
check "psample and act_sample missing: exit 1, '$(cat /tmp/err)'" \
  sh -c "[ $code = 1 ] && grep -q 'sampling v1 ingress: RTM_NEWTFILTER (matchall): a tc module is missing: modprobe act_sample' /tmp/err"
insmod /modules/psample.ko && insmod /modules/act_sample.ko

out=$(sampling-probe "add 4000 ingress")
check "no interface 4000: '$out'" contains "$out" "no interface with index 4000"
out=$(sampling-probe "add nosuch0 ingress")
check "no interface named nosuch0: '$out'" contains "$out" "no interface named 'nosuch0' in this network namespace (ip link show)"
psample-dump --sample nosuch0 -c 1 >/dev/null 2>/tmp/err
code=$?
check "psample-dump --sample nosuch0: exit 2, '$(cat /tmp/err)'" \
  sh -c "[ $code = 2 ] && grep -q 'sample nosuch0: no interface named .nosuch0. in this network namespace' /tmp/err"
out=$(sampling-probe "setuid 65534" "add v1 ingress")
check "no CAP_NET_ADMIN: '$out'" contains "$out" "changing tc rules needs CAP_NET_ADMIN"
out=$(sampling-probe "add v1 ingress skip_sw")
check "skip_sw on veth: '$out'" contains "$out" "cannot sample in hardware"
check "skip_sw on veth: nothing left on v1" sh -c '! tc -j qdisc show dev v1 | grep -q clsact'
out=$(sampling-probe "add v1 ingress rate=0")
check "rate 0: '$out'" contains "$out" "a sampling rate of 0"

# --- 2. the library's rules as tc lists them -----------------------------------
out=$(sampling-probe "add v0 ingress rate=10 group=5 trunc=64 prio=3" "add v0 egress rate=7 group=6 skip_hw" \
  "list v0 ingress" "list v0 egress")
echo "$out"
cookie=$(echo "$out" | sed -n '1s/.* cookie=\([0-9a-f]*\)$/\1/p')
check "our cookie: owner tag + instance ($cookie)" contains "$cookie" "$our_tag"
check "the probe's own list: priority 3, rate 10, group 5, trunc 64, ours" \
  contains "$out" "rule ifindex=$v0 ingress prio=3 handle=1 rate=10 group=5 trunc=64 skip_sw=0 skip_hw=0 in_hw=0 ours=1"
check "the probe's own list: egress rate 7, group 6, skip_hw" \
  contains "$out" "rule ifindex=$v0 egress prio=49152 handle=1 rate=7 group=6 trunc=0 skip_sw=0 skip_hw=1 in_hw=0 ours=1"
tc_in=$(filters v0 ingress)
tc_out=$(filters v0 egress)
echo "tc: $tc_in"
echo "tc: $tc_out"
check "tc: one ingress filter" [ "$(echo "$tc_in" | wc -l)" = 1 ]
check "tc: ingress pref 3, matchall, sample rate 10 group 5, trunc 64, pipe, our cookie" contains "$tc_in" \
  '"pref":3,"kind":"matchall"' '"kind":"sample","rate":10,"group":5,"trunc_size":64,"control_action":{"type":"pipe"}' "\"cookie\":\"$cookie\"" '"not_in_hw":true'
check "tc: egress skip_hw, sample rate 7 group 6, our cookie" contains "$tc_out" \
  '"skip_hw":true' '"kind":"sample","rate":7,"group":6' "\"cookie\":\"$cookie\""
check "tc: clsact on v0" has_clsact v0

# --- 3. another tool's filter and qdisc ----------------------------------------
tc filter add dev v0 ingress prio 9 matchall action sample rate 3 group 9 cookie aabbccdd
foreign=$(filters v0 ingress | grep '"pref":9')
foreign_intact() { [ -n "$foreign" ] && [ "$(filters v0 ingress | grep '"pref":9')" = "$foreign" ]; }
out=$(sampling-probe "list v0 ingress" "add v0 ingress prio=9" "add v0 ingress rate=20 group=5 trunc=64 prio=3" \
  "list v0 ingress")
echo "$out"
check "list: the foreign rule, not ours" contains "$out" \
  "rule ifindex=$v0 ingress prio=9 handle=1 rate=3 group=9 trunc=0 skip_sw=0 skip_hw=0 in_hw=0 ours=0 cookie=aabbccdd"
check "a foreign filter at the priority asked for: named" contains "$out" \
  "error: another program's filter holds priority 9 on that hook"
one_rule_rate_20() { [ "$(filters v0 ingress | grep -c "$our_tag")" = 1 ] && contains "$(filters v0 ingress)" '"rate":20'; }
check "add again: our stale rule replaced (rate 20), not doubled" one_rule_rate_20
check "our add left the foreign filter as it was" foreign_intact
out=$(sampling-probe "remove v0 ingress" "remove v0 egress")
check "remove: one rule on each hook ($out)" [ "$out" = "removed 1
removed 1" ]
check "our remove left the foreign filter as it was" foreign_intact
check "no rule of ours left on v0" sh -c "! tc -j filter show dev v0 ingress | grep -q $our_tag && ! tc -j filter show dev v0 egress | grep -q $our_tag"
check "clsact stays while the foreign filter uses it" has_clsact v0
# Negative control: the check above fails when the foreign filter is gone, as
# after hsflowd's `tc filter delete dev X ingress`.
tc filter delete dev v0 ingress
not_foreign_intact() { ! foreign_intact; }
check "negative control: foreign_intact fails once the foreign filter is gone" not_foreign_intact
# The clsact was made by an earlier run (the state directory says so): with
# nothing left on it, the next remove takes it away.
out=$(sampling-probe "remove v0 ingress")
check "clsact of an earlier run removed once unused ($out)" sh -c '! tc -j qdisc show dev v0 | grep -q clsact'
# A clsact that another tool made stays, even with nothing on it.
tc qdisc add dev v1 clsact
out=$(sampling-probe "add v1 ingress rate=2" "remove v1 ingress")
check "a foreign clsact stays after our add and remove ($out)" has_clsact v1
tc qdisc del dev v1 clsact

# --- 4. psample-dump --sample: samples, SIGKILL and a restart -------------------
psample-dump --sample v1:5 -g 40 -n >/dev/null 2>/tmp/killed.err &
killed=$!
sleep 1
kill -KILL $killed
wait $killed 2>/dev/null
check "after SIGKILL: its rule is still there (one)" [ "$(filters v1 ingress | grep -c "$our_tag")" = 1 ]
psample-dump --sample v1:1 -g 40 -c 30 -n -F json >/tmp/dump.json 2>/tmp/dump.err &
dump=$!
sleep 1
rules=$(filters v1 ingress)
echo "tc: $rules"
check "restarted: one rule on v1, not two" [ "$(echo "$rules" | grep -c '"kind":"sample"')" = 1 ]
check "restarted: the rule is the new run's (rate 1, group 40, whole packets)" contains "$rules" \
  '"kind":"sample","rate":1,"group":40' "\"cookie\":\"$our_tag$(printf %016x $dump)\""
send-frames v0 30 200
wait $dump
code=$?
cat /tmp/dump.err
check "psample-dump --sample -c 30: exit 0" [ $code = 0 ]
check "30 samples" [ "$(wc -l </tmp/dump.json)" = 30 ]
wrong=$(grep -v "\"group\":40,\"seq\":[0-9]*,\"rate\":1,\"origsize\":200,\"in_ifindex\":$v1," /tmp/dump.json | head -n 2)
check "every sample: group 40, rate 1, 200 bytes, in v1 ($wrong)" [ -z "$wrong" ]
check "psample-dump said what it set up and removed" grep -q "sampling v1 ingress 1 in 1 to group 40, 0 header bytes" /tmp/dump.err
check "nothing left on v1: no filter, no clsact (the killed run's, too)" sh -c '! tc -j qdisc show dev v1 | grep -q clsact'
# Rate: 1 in 10 of 1000 frames (binomial: 100 +- 9.5; 50 to 150 is over 5 sigma).
psample-dump --sample v1:10 -g 41 -n -F json >/tmp/rate.json 2>/dev/null &
dump=$!
sleep 1
send-frames v0 1000 100
sleep 0.5
kill -INT $dump
wait $dump
code=$?
n=$(wc -l </tmp/rate.json)
check "1 in 10 of 1000 frames: $n samples, each with rate 10, and exit 0 on SIGINT" \
  sh -c "[ $code = 0 ] && [ $n -ge 50 ] && [ $n -le 150 ] && [ \$(grep -c '\"group\":41,\"seq\":[0-9]*,\"rate\":10,' /tmp/rate.json) = $n ]"
check "SIGINT: the rule is gone" sh -c '! tc -j qdisc show dev v1 | grep -q clsact'

# --- 5. psample-sflow: both directions, --header-bytes, SIGTERM -----------------
psample-sflow --sample v1:1 --sample-egress v0:1 --sample-group 46 --header-bytes 64 --counter-interval 0 \
  -w /tmp/sflow.pcap --agent-address 192.0.2.50 2>/tmp/sflow.err &
agent=$!
sleep 1
rules_in=$(filters v1 ingress)
rules_out=$(filters v0 egress)
check "psample-sflow: v1 ingress rate 1, trunc 64, group 46" contains "$rules_in" '"kind":"sample","rate":1,"group":46,"trunc_size":64'
check "psample-sflow: v0 egress rate 1, trunc 64, group 47" contains "$rules_out" '"kind":"sample","rate":1,"group":47,"trunc_size":64'
send-frames v0 30 200
sleep 1.5
kill -TERM $agent
wait $agent
code=$?
cat /tmp/sflow.err
check "psample-sflow: SIGTERM, exit 0" [ $code = 0 ]
check "psample-sflow: 60 samples, 30 on each data source (v1 ingress, v0 egress)" sh -c \
  "grep -q '^psample-sflow: samples=60 ' /tmp/sflow.err && grep -q '^psample-sflow: source=$v1 samples=30 ' /tmp/sflow.err && grep -q '^psample-sflow: source=$v0 samples=30 ' /tmp/sflow.err"
check "psample-sflow: rules and qdiscs gone after SIGTERM" sh -c '! tc qdisc show | grep -q clsact'

# --- 6. the cookie in each sample (USER_COOKIE: kernels >= 6.11) ---------------
psample-dump --sample v1:1 -g 42 -c 5 -n -F json >/tmp/cookie.json 2>/dev/null &
dump=$!
sleep 1
send-frames v0 5 100
wait $dump
expected="\"user_cookie\":\"$our_tag$(printf %016x $dump)\""
major=$(uname -r | cut -d. -f1)
minor=$(uname -r | cut -d. -f2)
if [ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "$minor" -ge 11 ]; }; then
  check "each sample names the rule that took it ($expected)" [ "$(grep -c "$expected" /tmp/cookie.json)" = 5 ]
else
  check "$(uname -r) sends no USER_COOKIE: none in the samples" sh -c "[ \$(wc -l </tmp/cookie.json) = 5 ] && ! grep -q user_cookie /tmp/cookie.json"
fi

# --- 7. --sample-pattern: interfaces that come and go ----------------------------
ip link add p0 type veth peer name p1
ip link add q0 type veth peer name q1
for i in p0 p1 q0 q1; do ip link set $i up; done
psample-sflow --sample-pattern '^p[0-9]$' --sample-rate 1 --sample-group 50 --header-bytes 96 --counter-interval 0 \
  -w /tmp/pattern.pcap --agent-address 192.0.2.50 2>/tmp/pattern.err &
agent=$!
sleep 1
sampled() { filters "$1" ingress | grep -q '"kind":"sample","rate":1,"group":50,"trunc_size":96'; }
not_sampled() { ! tc -j filter show dev "$1" ingress 2>/dev/null | grep -q "$our_tag"; }
for i in p0 p1; do check "pattern: $i (there at start) sampled" sampled $i; done
for i in q0 q1; do check "pattern: $i (no match) left alone" not_sampled $i; done
ip link add p2 type veth peer name p3
ip link add x2 type veth peer name x3
for i in p2 p3 x2 x3; do ip link set $i up; done
ip link add r0 type veth peer name r1
ip link set r0 name p7  # a rename into the pattern
sleep 1
for i in p2 p3 p7; do check "pattern: $i (created later) sampled" sampled $i; done
for i in x2 x3 r1; do check "pattern: $i (created later, no match) left alone" not_sampled $i; done
p3=$(cat /sys/class/net/p3/ifindex)
send-frames p2 20 150
sleep 1
ip link set p7 name s7  # a rename out of it
ip link del p2          # p3 goes with it
sleep 1
check "pattern: s7 (renamed out of the pattern) no longer sampled" not_sampled s7
kill -TERM $agent
wait $agent
code=$?
cat /tmp/pattern.err
check "pattern: SIGTERM, exit 0" [ $code = 0 ]
check "pattern: p3's 20 frames exported (source $p3)" grep -q "^psample-sflow: source=$p3 samples=20 " /tmp/pattern.err
check "pattern: p2 and p3 said gone" sh -c "grep -q '^psample-sflow: p2 is gone' /tmp/pattern.err && grep -q '^psample-sflow: p3 is gone' /tmp/pattern.err"
check "pattern: the rename out said so" grep -q "^psample-sflow: p7 is now s7, which does not match --sample-pattern: its sampling rule removed" /tmp/pattern.err
check "pattern: after exit no rule and no clsact on any interface" sh -c '! tc qdisc show | grep -q clsact'
ls /run/psample-cpp >/tmp/state.txt 2>&1
check "pattern: no clsact remembered in /run/psample-cpp ($(cat /tmp/state.txt))" sh -c '[ -z "$(ls /run/psample-cpp 2>/dev/null)" ]'
ip link del p0 && ip link del q0 && ip link del x2 && ip link del s7

# --- 8. --netns: rules and samples in a namespace, the tool started outside ----
mkdir -p /run/netns
ip netns add inner
ip link add n0 type veth peer name n1 netns inner
ip link set n0 up && ip -n inner link set n1 up
psample-dump --netns inner --sample n1:1 -g 43 -c 10 -n -F json >/tmp/netns.json 2>/tmp/netns.err &
dump=$!
sleep 1
inner_rules=$(ip netns exec inner tc -j filter show dev n1 ingress)
check "--netns: the rule is in the namespace (group 43)" contains "$inner_rules" '"kind":"sample","rate":1,"group":43'
send-frames n0 10 120
wait $dump
code=$?
n1=$(ip netns exec inner cat /sys/class/net/n1/ifindex)
check "--netns: 10 samples of n1, exit 0" sh -c "[ $code = 0 ] && [ \$(grep -c '\"group\":43,.*\"in_ifindex\":$n1,' /tmp/netns.json) = 10 ]"
check "--netns: nothing left in the namespace" sh -c '! ip netns exec inner tc qdisc show | grep -q clsact'
check "--netns: nothing made outside it" sh -c '! tc qdisc show | grep -q clsact'
# The library: psample::in_netns opens the rule manager and a Receiver in
# the namespace; the probe's thread stays in the initial one all along.
home=$(stat -L -c %i /proc/self/ns/net)
sampling-probe "in inner" "add n1 ingress rate=1 group=45 trunc=32" "list n1 ingress" "receive 45 10 5" \
  "remove n1 ingress" >/tmp/in.out 2>&1 &
probe=$!
sleep 1
outside_clean() { ! tc qdisc show | grep -q clsact; }
check "in_netns: no rule made outside the namespace" outside_clean
check "in_netns: the rule is in the namespace (group 45, trunc 32)" contains "$(ip netns exec inner tc -j filter show dev n1 ingress)" \
  '"kind":"sample","rate":1,"group":45,"trunc_size":32'
send-frames n0 10 120
wait $probe
cat /tmp/in.out
check "in_netns: the probe's thread stayed in the initial namespace" grep -q "^netns home=$home stayed=1$" /tmp/in.out
check "in_netns: n1 found by name in the namespace (index $n1 there)" grep -q "^added ifindex=$n1 ingress " /tmp/in.out
check "in_netns: 10 samples from n1 through a Receiver opened there, 32 of 120 bytes (the rule's trunc)" \
  grep -q "^received 10 group 45 in_ifindex $n1 len 32/120$" /tmp/in.out
check "in_netns: removed, and the namespace clean" sh -c "grep -q '^removed 1$' /tmp/in.out && ! ip netns exec inner tc qdisc show | grep -q clsact"
exit $status
