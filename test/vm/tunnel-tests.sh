#!/bin/sh
# Runs in the test VM (vm.sh --module act_tunnel_key --module vxlan --module
# geneve): tunnel keys from a real kernel. psample puts the skb's tunnel
# metadata into PSAMPLE_ATTR_TUNNEL; two producers give it:
#   A. a tc tunnel_key set action before sample in the same filter (transmit
#      side): IPv4 with geneve options and nocsum (group 40), IPv6 with the
#      default csum (group 41);
#   B. collect_md ("external") vxlan and geneve devices receiving frames
#      encapsulated by a vxlan / geneve device in another namespace, with a
#      sample rule on their ingress (receive side: groups 50 and 51).
# Every TUNNEL sub-attribute psample-dump prints must be what was configured,
# and nothing else. tcpdump on nlmon records the samples for test/data
# (tunnel-*/), with expected.txt written here from the configuration.
set -u
. /opt/bin/guest-lib.sh
ipv6_off

# --- A. tunnel_key set + sample --------------------------------------------------
ip link add t0 type veth peer name t1
ip link add t2 type veth peer name t3
for d in t0 t1 t2 t3; do ip link set $d up; done
tc qdisc add dev t0 clsact
tc qdisc add dev t2 clsact
tc filter add dev t0 egress matchall action tunnel_key set id 42 src_ip 192.0.2.10 dst_ip 198.51.100.20 \
  dst_port 6081 tos 0x28 ttl 17 geneve_opts 0102:80:00880022 nocsum action sample rate 1 group 40 trunc 64 ||
  bad "tc: tunnel_key set (IPv4, geneve options) + sample"
tc filter add dev t2 egress matchall action tunnel_key set id 4242 src_ip 2001:db8::10 dst_ip 2001:db8::20 \
  dst_port 4789 tos 0x10 ttl 9 action sample rate 1 group 41 trunc 64 || bad "tc: tunnel_key set (IPv6) + sample"

# --- B. collect_md vxlan and geneve on receive ------------------------------------
ip netns add far
ip link add u0 type veth peer name u1
ip link set u1 netns far
ip addr add 10.1.0.1/24 dev u0 && ip link set u0 up
# A new namespace starts with IPv6 on: off, so no router solicitation is sampled.
ip netns exec far sh -c '. /opt/bin/guest-lib.sh; ipv6_off'
ip -n far addr add 10.1.0.2/24 dev u1 && ip -n far link set u1 up && ip -n far link set lo up
ip link add vx0 type vxlan external dstport 4789 && ip link set vx0 up || bad "ip: vxlan external"
ip link add gn0 type geneve external && ip link set gn0 up || bad "ip: geneve external"
ip -n far link add vxf type vxlan id 77 remote 10.1.0.1 local 10.1.0.2 dstport 4789 tos 0x20 ttl 33 udpcsum
ip -n far link add gnf type geneve id 88 remote 10.1.0.1 ttl 44 tos 0x08 udpcsum
ip -n far link set vxf up && ip -n far link set gnf up
tc qdisc add dev vx0 clsact && tc filter add dev vx0 ingress matchall action sample rate 1 group 50
tc qdisc add dev gn0 clsact && tc filter add dev gn0 ingress matchall action sample rate 1 group 51
vx0_index=$(cat /sys/class/net/vx0/ifindex)
gn0_index=$(cat /sys/class/net/gn0/ifindex)
t0_index=$(cat /sys/class/net/t0/ifindex)
t2_index=$(cat /sys/class/net/t2/ifindex)

{
  echo "# Written by test/vm/tunnel-tests.sh from the configuration it gave tc and ip."
  echo "kernel release=$(uname -r)"
  echo "tunnel group=40 oif=$t0_index id=42 ipv4_src=192.0.2.10 ipv4_dst=198.51.100.20 tos=40 ttl=17 tp_dst=6081 csum=no geneve_opts=0102800100880022 samples=5"
  echo "tunnel group=41 oif=$t2_index id=4242 ipv6_src=2001:db8::10 ipv6_dst=2001:db8::20 tos=16 ttl=9 tp_dst=4789 csum=yes samples=5"
  echo "tunnel group=50 iif=$vx0_index id=77 ipv4_src=10.1.0.2 ipv4_dst=10.1.0.1 tos=32 ttl=33 tp_src=ephemeral tp_dst=4789 csum=yes samples=5"
  echo "tunnel group=51 iif=$gn0_index id=88 ipv4_src=10.1.0.2 ipv4_dst=10.1.0.1 tos=8 ttl=44 tp_src=ephemeral tp_dst=6081 csum=yes samples=5"
  echo "frame length=60 ethertype=88b5"
} >/out/expected.txt

start_nlmon_capture
psample-dump -F json -n -c 20 >/tmp/t.json 2>/tmp/t.err &
dump=$!
sleep 1
send-frames t0 5 60
send-frames t2 5 60
ip netns exec far send-frames vxf 5 60
ip netns exec far send-frames gnf 5 60
for _ in $(seq 50); do kill -0 $dump 2>/dev/null || break; sleep 0.1; done
kill $dump 2>/dev/null
wait $dump
stop_nlmon_capture
cp /tmp/t.json /out/tunnel.json
cat /tmp/t.err

# The tunnel object of each group's samples, tp_src (the sender's flow hash
# port) replaced by EPHEMERAL once it is checked to be a valid port.
tunnels() {
  grep "\"group\":$1," /tmp/t.json | sed -n 's/.*,"tunnel":{\([^}]*\)}.*/\1/p' |
    awk -F'"tp_src":' '{ if (NF == 2) { split($2, r, /[,}]/); p = r[1] + 0; if (p >= 1 && p <= 65535) sub(/"tp_src":[0-9]+/, "\"tp_src\":EPHEMERAL") } print }' |
    sort | uniq -c | sed 's/^ *//'
}
expect() {  # expect GROUP WHAT TUNNEL-OBJECT
  got=$(tunnels "$1")
  [ "$got" = "5 $3" ] && ok "group $1 ($2): 5 samples, TUNNEL {$3}" || bad "group $1 ($2): got [$got], want 5 × {$3}"
}
expect 40 "tunnel_key set, IPv4, geneve options, nocsum" \
  '"id":42,"ipv4_src":"192.0.2.10","ipv4_dst":"198.51.100.20","tos":40,"ttl":17,"tp_dst":6081,"geneve_opts":"0102800100880022"'
expect 41 "tunnel_key set, IPv6, csum" \
  '"id":4242,"ipv6_src":"2001:db8:0:0:0:0:0:10","ipv6_dst":"2001:db8:0:0:0:0:0:20","tos":16,"ttl":9,"tp_dst":4789,"csum":true'
expect 50 "vxlan external, received" \
  '"id":77,"ipv4_src":"10.1.0.2","ipv4_dst":"10.1.0.1","tos":32,"ttl":33,"tp_src":EPHEMERAL,"tp_dst":4789,"csum":true'
expect 51 "geneve external, received" \
  '"id":88,"ipv4_src":"10.1.0.2","ipv4_dst":"10.1.0.1","tos":8,"ttl":44,"tp_src":EPHEMERAL,"tp_dst":6081,"csum":true'
# The sampled packet itself: the 60-byte frame send-frames built (decapsulated on receive).
for g in 40:out_ifindex:$t0_index 41:out_ifindex:$t2_index 50:in_ifindex:$vx0_index 51:in_ifindex:$gn0_index; do
  group=${g%%:*}
  rest=${g#*:}
  n=$(grep "\"group\":$group," /tmp/t.json | grep "\"${rest%%:*}\":${rest#*:}," | grep '"origsize":60,' |
    grep -c '"proto":34997,')
  [ "$n" -eq 5 ] && ok "group $group: 5 samples of the 60-byte 0x88b5 frame on ${rest%%:*} ${rest#*:}" ||
    bad "group $group: $n of 5 samples with the frame's size, protocol and interface"
done
exit $status
