#!/bin/sh
# Runs in the test VM: psample-sflow reloads its configuration on SIGHUP
# while samples flow. Three veth pairs, each x1 sampled by a rule the agent
# owns (--config: sample a1:1, b1:1, c1:1 to group 30), frames sent on a0 and
# b0 the whole time; halfway the file changes (collector 7001 -> 7002, a1 to
# 1 in 2, c1 gone, group 31 added to -g) and the agent gets SIGHUP. Then:
# - a1's rule has rate 2, b1's is untouched (tc lists it byte for byte as
#   before), c1 has no rule left;
# - group 31 (d1, a rule not the agent's) arrives only after the reload;
# - the metrics file named 7001 before and names only 7002 after, with
#   reloads_total{result="applied"} 1;
# - no sample lost across it: the group's samples = its GROUP_SEQ count (the
#   summary's last_seq + 1 = psample-dump -l's next seq) and lost = 0;
# - a file with a mistake is refused (the line named), the running
#   configuration stays, reloads_total{result="refused"} 1;
# - SIGTERM: exit 0, every rule removed.
set -u
. /opt/bin/guest-lib.sh
ipv6_off
for x in a b c d; do
  ip link add ${x}0 type veth peer name ${x}1
  ip link set ${x}0 up && ip link set ${x}1 up
done
# d1 is sampled by a rule that is not the agent's, to group 31, which the
# agent's -g leaves out until the reload adds it.
tc qdisc add dev d1 clsact && tc filter add dev d1 ingress matchall action sample rate 1 group 31
conf=/tmp/psample-sflow.conf
mkdir -p /tmp/metrics
cat >$conf <<CONF
# the agent's configuration, changed during the test
collector 127.0.0.1:7001
sample a1:1
sample b1:1
sample c1:1
sample-group 30
group 30
counter-interval 0
metrics-file /tmp/metrics/psample-sflow.prom
metrics-interval 1
CONF
psample-sflow --config $conf -w /out/reload.pcap --agent-address 192.0.2.60 2>/out/agent.err &
agent=$!
sleep 2
a_before=$(tc -j filter show dev a1 ingress)
b_before=$(tc -j filter show dev b1 ingress)
c_before=$(tc -j filter show dev c1 ingress)
(
  i=0
  while [ $i -lt 60 ]; do
    send-frames a0 10 200 >/dev/null
    send-frames b0 5 200 >/dev/null
    send-frames d0 5 200 >/dev/null
    i=$((i + 1))
  done
) &
sender=$!
sleep 1.5
cp /tmp/metrics/psample-sflow.prom /out/before.prom
sed -i -e 's/^collector 127.0.0.1:7001$/collector 127.0.0.1:7002/' -e 's/^sample a1:1$/sample a1:2/' \
  -e '/^sample c1:1$/d' -e 's/^group 30$/group 30\ngroup 31/' $conf
kill -HUP $agent
wait $sender
sleep 0.5
send-frames a0 10 200 >/dev/null
sleep 2 # a metrics file after the last frames
cp /tmp/metrics/psample-sflow.prom /out/after.prom
a_after=$(tc -j filter show dev a1 ingress)
b_after=$(tc -j filter show dev b1 ingress)
c_after=$(tc -j filter show dev c1 ingress)
psample-dump -l >/out/groups.txt 2>&1
# A mistake in the file: refused, the running configuration stays.
echo "colector 127.0.0.1:7003" >>$conf
kill -HUP $agent
sleep 2
cp /tmp/metrics/psample-sflow.prom /out/refused.prom
kill -TERM $agent
wait $agent
echo "agent exit $?" >>/out/agent.err
mkdir -p /out/final && cp /tmp/metrics/psample-sflow.prom /out/final/ # written at exit; the host scrapes it
cat /out/agent.err
echo "a1 before: $a_before"
echo "a1 after: $a_after"

echo "$a_before" | grep -q '"kind":"sample","rate":1,"group":30' && ok "a1 sampled 1 in 1 before the reload" ||
  bad "a1 before: $a_before"
echo "$a_after" | grep -q '"kind":"sample","rate":2,"group":30' && ok "a1 sampled 1 in 2 after it" ||
  bad "a1 after: $a_after"
[ -n "$b_before" ] && [ "$b_before" = "$b_after" ] && ok "b1's rule untouched (tc lists it as before)" ||
  bad "b1 changed: $b_before -> $b_after"
echo "$c_before" | grep -q '"kind":"sample"' && ! echo "$c_after" | grep -q '"kind":"sample"' &&
  ok "c1's rule removed" || bad "c1: $c_before -> $c_after"
grep -q '^psample-sflow: reloaded: collectors 127.0.0.1:7002; groups 30 31$' /out/agent.err &&
  ok "the agent says it reloaded" || bad "no 'reloaded' line"
! grep -q 'samples_total{group="31"}' /out/before.prom && grep '^psample-sflow: group=31 ' /out/agent.err |
  grep -q -v ' samples=0 ' && ok "group 31: filtered out before, received after (-g replaced on the open socket)" ||
  bad "group 31: $(grep 'group="31"' /out/before.prom) / $(grep 'group=31' /out/agent.err)"
sent_to() { # FILE PORT: datagrams + send errors to that collector in a metrics file
  awk -v c="collector=\"127.0.0.1:$2\"" 'index($0, c) && /^psample_sflow_(datagrams|send_errors)_total/ { n += $2 }
    END { print n + 0 }' "$1"
}
[ "$(sent_to /out/before.prom 7001)" -gt 0 ] && ok "before: datagrams to 7001" || bad "before: nothing to 7001"
[ "$(sent_to /out/after.prom 7002)" -gt 0 ] && ! grep -q '7001' /out/after.prom &&
  ok "after: datagrams to 7002, 7001 gone" || bad "after: $(grep collector= /out/after.prom)"
grep -q '^psample_sflow_reloads_total{result="applied"} 1$' /out/after.prom && ok "reloads_total applied 1" ||
  bad "reloads_total: $(grep reloads_total /out/after.prom)"
line=$(grep '^psample-sflow: group=30 ' /out/agent.err)
samples=$(echo "$line" | sed -n 's/.* samples=\([0-9]*\) .*/\1/p')
last_seq=$(echo "$line" | sed -n 's/.* last_seq=\([0-9]*\) .*/\1/p')
seq=$(awk '$1 == "30" { print $3 }' /out/groups.txt) # Group Num, Refcount, Group Seq
echo "group 30: $line; psample-dump -l: $(cat /out/groups.txt | tr '\n' ' ')"
# act_sample numbers a group's samples from 0; GET_GROUP gives the next number.
echo "$line" | grep -q ' lost=0 ' && [ -n "$samples" ] && [ "$samples" -gt 300 ] &&
  [ "$samples" = "$((last_seq + 1))" ] && [ "$seq" = "$samples" ] &&
  ok "no sample lost across the reload: $samples samples = GROUP_SEQ 0..$last_seq (next $seq), lost 0" ||
  bad "samples across the reload: $line"
grep -q "reload: $conf:[0-9]*: unknown option 'colector'" /out/agent.err &&
  grep -q 'reload refused: the running configuration stays' /out/agent.err &&
  grep -q '^psample_sflow_reloads_total{result="refused"} 1$' /out/refused.prom &&
  ok "a mistake in the file: refused, its line named" || bad "the refused reload: $(grep reload /out/agent.err)"
grep -q 'agent exit 0' /out/agent.err && ok "SIGTERM: exit 0" || bad "exit: $(tail -n 1 /out/agent.err)"
for x in a1 b1 c1; do
  tc -j filter show dev $x ingress | grep -q '"kind":"sample"' && bad "$x: a rule left after exit"
done
ok "checked the rules after exit"
exit $status
