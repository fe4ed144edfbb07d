#!/usr/bin/env python3
"""Checks what psample-sflow wrote live in the VM (test/vm/sflow-tests.sh):
30 frames of 200 bytes sampled on ingress of s1 (group 70) and on egress of
s0 (group 71, --egress-group), counter samples every second.
1. our decoder (sflow_pcap.py): 30 flow samples per data source, in order,
   rate 1, pool and drops as the mapping says, the right in/out interface,
   frame length 204 (200 + the FCS), stripped 4, the first 128 bytes of the
   frame send-frames built;
   With --drops-start: the 30 frames' drops (no handler for their
   ethertype) as discard samples, every field checked.
2. the samples equal each group's GROUP_SEQ advance (psample-dump -l: 30);
3. the last counter sample of each interface equals `ip -s -j link`, read
   independently in the VM after the traffic stopped;
4. tshark reads the flow samples' and counters' fields; sfacctd reads the
   pcap (-I) and writes the counter samples (sfacctd_counter_file) with the
   same values;
5. the agent counted its sends to the absent collector as send errors and
   went on.
usage: check_live.py OUT_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sflow_pcap import decode_datagram, read_pcap, tshark_columns, udp_payload

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what)
    else:
        print("ok: " + what)
    return condition


def main():
    out = sys.argv[1]
    ifindex = dict(line.split() for line in open(os.path.join(out, "ifindex.txt")))
    s0, s1 = int(ifindex["s0"]), int(ifindex["s1"])
    pcap = os.path.join(out, "live.pcap")
    datagrams = [decode_datagram(udp_payload(p)) for p in read_pcap(pcap)]
    flows = [s for d in datagrams for s in d["samples"]]
    counters = [c for d in datagrams for c in d["counters"]]
    frame = bytes([0xFF] * 6 + [0x02, 0, 0, 0, 0, 0x01, 0x88, 0xB5] + [i & 0xFF for i in range(14, 200)])
    # 1. flow samples
    for source, direction in ((s1, "in"), (s0, "out")):
        mine = [s for s in flows if s["source"] == source]
        check(len(mine) == 30, "%d flow samples with data source %d (%s), want 30" % (len(mine), source, direction))
        good = all(s["sequence"] == i + 1 and s["rate"] == 1 and s["pool"] == i + 1 and s["drops"] == 0 and
                   (s["input"], s["output"]) == ((source, 0) if direction == "in" else (0, source)) and
                   s["records"] == [(1, (1, 204, 4, frame[:128]))] for i, s in enumerate(mine))
        check(good, "data source %d: sequence 1..30, rate 1, pool 1..30, drops 0, interfaces, frame length 204, "
                    "stripped 4, 128 header bytes of the frame sent" % source)
    # 1b. discard samples: each frame dropped on s1 (ethertype 0x88b5 has no
    # handler); the others are the agent's own datagrams to the absent
    # collector, dropped on lo (NO_SOCKET), one per send error.
    discards = [d for datagram in datagrams for d in datagram["discards"]]
    check([d["sequence"] for d in discards] == list(range(1, len(discards) + 1)), "discard sequence 1..N")
    mine = [d for d in discards if d["input"] == s1]
    check(len(mine) == 30, "%d discard samples with input s1, want 30" % len(mine))
    good = all((d["source_class"], d["source"]) == (0, 0) and d["drops"] == 0 and d["output"] == 0 and
               d["reason"] == 325 and d["records"].get(1) == (1, 204, 4, frame[:128]) and
               d["records"].get(1042) == "UNHANDLED_PROTO" and
               d["records"].get(1038, "").startswith("__netif_receive_skb") for d in mine)
    check(good, "s1's discards: source 0:0, drops 0, reason unhandled_proto (325), the frame's 128 header bytes of "
                "204, function __netif_receive_skb*, Linux reason UNHANDLED_PROTO")
    others = [d for d in discards if d["input"] != s1]
    check(all(d["reason"] == 3 and d["records"].get(1042) == "NO_SOCKET" for d in others),
          "the other %d discards: the agent's own datagrams to the absent collector (port_unreachable, NO_SOCKET): %s"
          % (len(others), sorted(set((d["input"], d["reason"]) for d in others))))
    # 2. GROUP_SEQ
    groups = {}
    for line in open(os.path.join(out, "groups.txt")):
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit():
            groups[int(parts[0])] = int(parts[2])
    check(groups.get(70) == 30 and groups.get(71) == 30,
          "GROUP_SEQ advanced by 30 in groups 70 and 71 (%s), as many as the flow samples" % groups)
    # 3. counters against ip -s -j link
    last = {}
    for c in counters:
        last[c["ifindex"]] = c
    check(set(last) == {s0, s1}, "counter samples for both data sources (%s)" % sorted(last))
    for name, index in (("s0", s0), ("s1", s1)):
        link = json.load(open(os.path.join(out, name + ".json")))[0]["stats64"]
        want = dict(in_octets=link["rx"]["bytes"], in_unicast=link["rx"]["packets"] - link["rx"]["multicast"],
                    in_multicast=link["rx"]["multicast"], in_discards=link["rx"]["dropped"],
                    in_errors=link["rx"]["errors"], out_octets=link["tx"]["bytes"], out_unicast=link["tx"]["packets"],
                    out_discards=link["tx"]["dropped"], out_errors=link["tx"]["errors"], status=3)
        got = {k: last.get(index, {}).get(k) for k in want}
        check(got == want, "%s: last counter sample %s = ip -s -j link %s" % (name, got, want))
        check(last.get(index, {}).get("in_broadcast") == 0xFFFFFFFF, "%s: broadcast counts sent as unknown" % name)
    # 4. tshark and sfacctd
    fields = ["sflow.flow_sample.source_id_index", "sflow_245.header.frame_length", "sflow_245.ifindex",
              "sflow_245.ifinoct", "sflow_245.ifoutoct"]
    columns = tshark_columns(pcap, fields)
    check(sorted(columns[0]) == sorted(s["source"] for s in flows) and set(columns[1]) == {204},
          "tshark: %d flow samples, frame length 204" % len(columns[0]))
    tshark_counters = list(zip(columns[2], columns[3], columns[4]))
    check(tshark_counters == [(c["ifindex"], c["in_octets"], c["out_octets"]) for c in counters] and counters,
          "tshark: %d counter samples, ifindex and octets as sent" % len(counters))
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "sfacctd.conf")
        counter_file = os.path.join(tmp, "counters.json")
        with open(conf, "w") as f:
            f.write("daemonize: false\npcap_savefile: %s\nplugins: print\naggregate: peer_src_ip\n"
                    "print_output: json\nprint_output_file: %s\nprint_output_file_append: true\nsfacctd_counter_file: %s\n"
                    "sfacctd_counter_output: json\n" % (pcap, os.path.join(tmp, "flows.json"), counter_file))
        subprocess.run(["timeout", "20", "sfacctd", "-f", conf], capture_output=True)
        records = [json.loads(l) for l in open(counter_file)] if os.path.exists(counter_file) else []
        generic = [r for r in records if "ifInOctets" in r]
        check(len(generic) == len(counters) and all(r["ifInOctets"] == c["in_octets"] and
                                                   r["ifOutOctets"] == c["out_octets"] and
                                                   r["ifIndex"] == c["ifindex"] for r, c in zip(generic, counters)),
              "sfacctd: %d counter samples with the same ifIndex and octets (%s)" % (len(generic),
                                                                                   records[:1]))
    # 5. the absent collector
    summary = open(os.path.join(out, "agent.err")).readline()
    errors = int(summary.split("send_errors=")[1].split()[0])
    check(errors >= 1 and " samples=60 " in summary, "send errors to the absent collector counted (%d), all 60 "
                                                    "samples still written" % errors)
    print("%d checks failed" % len(failures) if failures else "psample-sflow live: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
