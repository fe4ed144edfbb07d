# Sourced by the guest scripts of the VM suite (netdevsim-tests.sh, dump-drops-tests.sh,
# tunnel-tests.sh, ovs-tests.sh, record-captures.sh; the host adds it with --add): check
# reporting, IPv6 off, and the nlmon recording the golden captures come from.
status=0
ok() { echo "ok: $*"; }
bad() {
  echo "FAIL: $*"
  status=1
}
# check DESCRIPTION CONDITION...: ok or bad, as the condition (a command) says.
check() {
  what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

# IPv6 off for interfaces created from now on (no router solicitations get
# sampled), in this network namespace; a new namespace starts with it on.
ipv6_off() {
  echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
  echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
}

# tcpdump on an nlmon device into /out/nlmon.pcap: every netlink message, as
# test/data's captures hold them. --immediate-mode and a 16 MiB buffer, so a
# burst is neither held back nor dropped; ready when this returns.
start_nlmon_capture() {
  ip link add nlmon0 type nlmon && ip link set nlmon0 up
  tcpdump -Z root -i nlmon0 -U --immediate-mode -B 16384 -w /out/nlmon.pcap 2>/dev/null &
  nlmon_capture=$!
  sleep 1
}
stop_nlmon_capture() {
  sleep 0.5
  kill "$nlmon_capture"
  wait "$nlmon_capture"
}
