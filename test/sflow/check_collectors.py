#!/usr/bin/env python3
"""psample-sflow against real collectors, on the golden kernel captures.

For each capture in test/data (tc sample on 6.1 and 6.12, netdevsim's driver
metadata, tunnel keys, Open vSwitch's probability samples), and for the
captures derive_captures.py makes from them (gaps, late samples, duplicates,
restarts), psample-sflow -r
exports it at once to pmacct's sfacctd and nfdump's sfcapd on 127.0.0.1 and
to a pcap (-w). Then:
1. every flow sample in the pcap, decoded here from the sFlow v5
   specification, equals what the mapping (README "psample-sflow") gives for
   the same sample as psample-dump -F json decodes it: data source, sequence,
   rate, pool, drops, in/out ifindex, header protocol, frame length,
   stripped, header bytes, extension records;
2. tshark's sflow dissector reads the same fields (captures without
   extension records: tshark 4.0 misreads the records after an extension it
   does not know);
3. sfacctd (print plugin, JSON): per agent and in/out interface, its packet
   and byte counts equal the samples and their frame lengths;
4. sfcapd + nfdump -o json: for the IP samples, packets = rate and bytes =
   frame length x rate per sample, per in/out interface;
5. the two collectors agree with each other on the IP samples;
6. on the derived captures: drops = the group's lost + take-backs waiting,
   pool = rate x (last - first + 1) where nothing restarted or repeated,
   counters never decrease; tcpdump and sfacctd -I read the pcap.
Also: many agents, one collector (4 agents replaying at once into one
sfacctd, per-agent counts exact), and broken mappings fail (every pool off by one;
gaps charged to the group's next sample).

usage: check_collectors.py PSAMPLE_SFLOW PSAMPLE_DUMP DATA_DIR
"""
import collections
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derive_captures
from sflow_pcap import decode_datagram, read_pcap, tshark_columns, udp_payload

failures = []


quiet = False


def check(condition, what):
    if not condition:
        failures.append(what)
        if not quiet:
            print("FAIL: " + what)
    return condition


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the mapping, written from the README, independently of the agent -------
def one_in_n(p):
    return 0 if p == 0 else max(1, (0xFFFFFFFF + p // 2) // p)


class SequenceModel:
    """The loss estimate's verdicts, from the rules README "Counters" states,
    kept here as sets of numbers (the library keeps a 64-bit window)."""

    def __init__(self):
        self.groups = {}

    def verdict(self, group, seq):
        """(verdict, lost) for the next sample of `group`."""
        g = self.groups.get(group)
        if g is None:  # first sight: it and everything before it count as seen
            self.groups[group] = dict(top=seq, floor=seq, seen={seq}, pending=None)
            return "first", 0
        step = (seq - g["top"] + 2**31) % 2**32 - 2**31
        pending, g["pending"] = g["pending"], None
        if 0 < step <= 65536:
            g["seen"].add(seq)
            g["top"] = seq
            return "in_order", step - 1
        if -64 < step <= 0:
            behind_floor = (g["floor"] - seq + 2**31) % 2**32 - 2**31 >= 0
            if seq in g["seen"] or behind_floor:
                return "duplicate", 0
            g["seen"].add(seq)
            return "late", 0
        if step > 0 or (pending is not None and 0 <= (seq - pending - 1) % 2**32 < 64):
            lost = 0 if step > 0 else (seq - pending - 1) % 2**32
            start = seq if step > 0 else pending
            self.groups[group] = dict(top=seq, floor=start, seen={start, seq}, pending=None)
            return "resync", lost
        g["pending"] = seq
        return "straggler", 0


def expected_samples(samples, header_bytes=128, late_charge=False):
    """The flow samples README "psample-sflow" maps `samples` to (psample-dump
    JSON objects, in delivery order). late_charge: the old, wrong mapping that
    charged a gap to the group's next sample (the self-test must catch it)."""
    pools = collections.defaultdict(int)
    drops = collections.defaultdict(int)
    takebacks = collections.defaultdict(int)
    sequences = collections.defaultdict(int)
    owed = collections.defaultdict(int)  # late_charge: per group, lost not yet charged
    model = SequenceModel()
    out = []
    for s in samples:
        source = s.get("in_ifindex", 0) or s.get("out_ifindex", 0)
        rate = one_in_n(s["rate"]) if s.get("sample_probability") else s["rate"]
        verdict, lost = ("untracked", 0) if s.get("sample_probability") or "seq" not in s else \
            model.verdict(s["group"], s["seq"])
        if late_charge:
            lost, owed[s["group"]] = owed[s["group"]], lost
        if verdict == "late":
            takebacks[source] += 1
        elif verdict != "straggler":
            back = min(lost, takebacks[source])
            takebacks[source] -= back
            pools[source] += rate * (1 + lost)
            drops[source] += lost - back
        sequences[source] += 1
        data = bytes.fromhex(s.get("data", ""))
        records = [(1, (1, s.get("origsize", len(data)) + 4, 4, data[:header_bytes]))]
        if "out_tc" in s:
            records.append((1036, s["out_tc"]))
        if "out_tc_occ" in s:
            records.append((1040, min(s["out_tc_occ"], 0xFFFFFFFF)))
        if "latency" in s:
            records.append((1039, min(s["latency"], 0xFFFFFFFF)))
        out.append(dict(source=source, sequence=sequences[source], rate=rate, pool=pools[source] & 0xFFFFFFFF,
                        drops=drops[source] & 0xFFFFFFFF, input=s.get("in_ifindex", 0), output=s.get("out_ifindex", 0),
                        records=records))
    return out


# --- collectors ----------------------------------------------------------------
class Collectors:
    def __init__(self, tmp):
        self.tmp = tmp
        self.sfacctd_port, self.sfcapd_port = free_port(), free_port()
        self.sfacctd_json = os.path.join(tmp, "sfacctd.json")
        conf = os.path.join(tmp, "sfacctd.conf")
        # The print plugin rewrites its file every refresh unless told to
        # append: datagrams that straddle a refresh would leave only the later
        # ones in it (a CI run saw 12 of 19). The records are summed.
        with open(conf, "w") as f:
            f.write("daemonize: false\nsfacctd_ip: 127.0.0.1\nsfacctd_port: %d\nplugins: print\n"
                    "aggregate: peer_src_ip, in_iface, out_iface, etype\nprint_output: json\n"
                    "print_output_file: %s\nprint_output_file_append: true\nprint_refresh_time: 1\n" % (self.sfacctd_port, self.sfacctd_json))
        self.nfdir = os.path.join(tmp, "nf")
        os.mkdir(self.nfdir)
        self.sfacctd = subprocess.Popen(["sfacctd", "-f", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sfcapd = subprocess.Popen(["sfcapd", "-b", "127.0.0.1", "-p", str(self.sfcapd_port), "-w", self.nfdir,
                                        "-t", "3600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)  # both listening

    def endpoints(self):
        return ["127.0.0.1:%d" % self.sfacctd_port, "127.0.0.1:%d" % self.sfcapd_port]

    def stop(self):
        time.sleep(2.5)  # sfacctd's print plugin writes every second
        for p in (self.sfacctd, self.sfcapd):
            p.send_signal(signal.SIGINT)
        for p in (self.sfacctd, self.sfcapd):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def sfacctd_records(self):
        if not os.path.exists(self.sfacctd_json):
            return []
        return [json.loads(line) for line in open(self.sfacctd_json) if line.strip()]

    def nfdump_records(self):
        result = subprocess.run(["nfdump", "-R", self.nfdir, "-o", "json"], capture_output=True, text=True)
        text = result.stdout.strip()
        return json.loads(text) if text.startswith("[") else []


def ip_ethertype(s):
    data = bytes.fromhex(s.get("data", ""))
    return data[12:14] in (b"\x08\x00", b"\x86\xdd") if len(data) >= 14 else False


def read_back(name, out, want, ref, agent_address):
    """The pcap -w wrote, read by tcpdump and by sfacctd -I (a savefile, no network)."""
    dump = subprocess.run(["tcpdump", "-nn", "-r", out], capture_output=True, text=True)
    flows = dump.stdout.count("sFlowv5")
    datagrams = len(read_pcap(out))
    check(dump.returncode == 0 and "link-type EN10MB" in dump.stderr and flows == datagrams > 0,
          "%s: tcpdump reads the pcap: %d sFlow datagrams of %d (%s)" % (name, flows, datagrams, dump.stderr.strip()))
    with tempfile.TemporaryDirectory() as tmp:
        output = os.path.join(tmp, "acct.json")
        conf = os.path.join(tmp, "sfacctd.conf")
        with open(conf, "w") as f:
            f.write("daemonize: false\nplugins: print\naggregate: peer_src_ip, in_iface, out_iface\n"
                    "print_output: json\nprint_output_file: %s\nprint_output_file_append: true\nprint_refresh_time: 1\n" % output)
        subprocess.run(["sfacctd", "-f", conf, "-I", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=60)
        records = [json.loads(l) for l in open(output)] if os.path.exists(output) else []
    got = collections.Counter()
    for r in records:
        check(r.get("peer_ip_src") == agent_address, "%s: sfacctd -I agent %s" % (name, r.get("peer_ip_src")))
        got[(r["iface_in"], r["iface_out"])] += r["packets"]
    sent = collections.Counter((w["input"], w["output"]) for w, s in zip(want, ref) if ip_ethertype(s))
    check(got == sent, "%s: sfacctd -I reads per in/out interface %s, sent %s" % (name, dict(got), dict(sent)))


def check_invariants(name, got, ref, delivered, summary, group_lost):
    """README's invariants for a data source fed by one group:
    - drops = the Receiver's lost for that group (psample-dump's summary of
      the same capture) + the take-backs still waiting (psample-sflow's);
    - with no restart and no duplicate, against the derivation's ground truth
      (which numbers were delivered): pool = rate x (last - first + 1), and
      drops = the numbers in [first, last] never delivered + take-backs;
    - neither counter decreases from one flow sample to the next."""
    by_source, groups_of = collections.defaultdict(list), collections.defaultdict(set)
    for s, r in zip(got, ref):
        by_source[s["source"]].append(s)
        groups_of[s["source"]].add(r["group"])
    takebacks = {int(m.group(1)): int(m.group(2))
                 for m in re.finditer(r"source=(\d+) .*takebacks=(\d+)", summary)}
    checked = 0
    for source, samples in by_source.items():
        pools, drops = [s["pool"] for s in samples], [s["drops"] for s in samples]
        check(pools == sorted(pools) and drops == sorted(drops),
              "%s source %d: pool and drops never decrease (%s, %s)" % (name, source, pools, drops))
        if len(groups_of[source]) != 1:
            continue
        group = next(iter(groups_of[source]))
        check(drops[-1] == group_lost[group] + takebacks.get(source, -1),
              "%s source %d: drops %d = group %d's lost %d + %s take-backs waiting"
              % (name, source, drops[-1], group, group_lost[group], takebacks.get(source)))
        seqs = delivered[group]
        ordered = all(b > a for a, b in zip(seqs, seqs[1:]))
        restart = any(b < a - 63 or b > a + 65536 for a, b in zip(seqs, seqs[1:]))
        if len(set(seqs)) != len(seqs) or restart:
            continue
        first, last = min(seqs), max(seqs)
        missing = len(set(range(first, last + 1)) - set(seqs))
        rate = samples[-1]["rate"]
        check(pools[-1] == rate * (last - first + 1),
              "%s source %d: pool %d = rate %d x (%d - %d + 1)" % (name, source, pools[-1], rate, last, first))
        check(drops[-1] == missing + takebacks.get(source, -1),
              "%s source %d: drops %d = %d missing + %s take-backs waiting%s" %
              (name, source, drops[-1], missing, takebacks.get(source), "" if ordered else " (reordered)"))
        checked += 1
    return checked


def check_capture(agent_bin, dump_bin, name, pcap_in, agent_address, broken=None, delivered=None):
    ref = [o for o in (json.loads(l) for l in subprocess.run([dump_bin, "-r", pcap_in, "-F", "json"],
                                                                  capture_output=True, text=True).stdout.splitlines())
           if o["type"] == "sample"]
    want = expected_samples(ref, late_charge=broken == "late_charge")
    if broken == "pool":  # --self-test: a deliberately wrong mapping must be caught
        for w in want:
            w["pool"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        collectors = Collectors(tmp)
        out = os.path.join(tmp, "sflow.pcap")
        args = [agent_bin, "-r", pcap_in, "-w", out, "--agent-address", agent_address]
        for e in collectors.endpoints():
            args += ["--collector", e]
        result = subprocess.run(args, capture_output=True, text=True)
        collectors.stop()
        check(result.returncode == 0, "%s: psample-sflow -r exits 0 (%s)" % (name, result.stderr))
        # 1. our own decoding of the datagrams
        datagrams = [decode_datagram(udp_payload(p)) for p in read_pcap(out)]
        got = [s for d in datagrams for s in d["samples"]]
        check(all(d["version"] == 5 and socket.inet_ntoa(d["agent"]) == agent_address for d in datagrams),
              "%s: version 5, agent %s" % (name, agent_address))
        check([d["sequence"] for d in datagrams] == list(range(1, len(datagrams) + 1)),
              "%s: datagram sequence numbers 1..%d" % (name, len(datagrams)))
        check(len(got) == len(want) and len(want) > 0, "%s: %d flow samples, want %d" % (name, len(got), len(want)))
        for i, (g, w) in enumerate(zip(got, want)):
            if not check(g == w, "%s sample %d: %s\n   want %s" % (name, i, g, w)):
                break
        # 2. tshark: the flow sample fields always; the raw header's when no
        # extension record follows it (tshark 4.0 misreads the records after
        # an extension it does not know).
        fields = ["sflow.flow_sample.source_id_index", "sflow.flow_sample.sampling_rate",
                  "sflow.flow_sample.sample_pool", "sflow.flow_sample.dropped_packets",
                  "sflow.flow_sample.input_interface_value", "sflow.flow_sample.output_interface_value"]
        mine = [(w["source"], w["rate"], w["pool"], w["drops"], w["input"], w["output"]) for w in want]
        if not any(len(w["records"]) > 1 for w in want):
            fields += ["sflow_245.header.frame_length", "sflow_245.header.payload_stripped",
                       "sflow_245.header.sampled_header_length"]
            mine = [m + (w["records"][0][1][1], w["records"][0][1][2], len(w["records"][0][1][3]))
                    for m, w in zip(mine, want)]
        tshark_samples = list(zip(*tshark_columns(out, fields)))
        check(tshark_samples == mine, "%s: tshark reads %d fields of each sample as sent (%d samples)"
              % (name, len(fields), len(mine)))
        # 3. sfacctd (it accounts IPv4 and IPv6 frames only): per in/out
        # interface, the IP samples and their frame lengths.
        ip = [w for w, s in zip(want, ref) if ip_ethertype(s)]
        by_key, by_key_bytes = collections.Counter(), collections.Counter()
        for w in ip:
            by_key[(w["input"], w["output"])] += 1
            by_key_bytes[(w["input"], w["output"])] += w["records"][0][1][1]
        acct, acct_bytes = collections.Counter(), collections.Counter()
        for r in collectors.sfacctd_records():
            check(r.get("peer_ip_src") == agent_address, "%s: sfacctd agent %s" % (name, r.get("peer_ip_src")))
            acct[(r["iface_in"], r["iface_out"])] += r["packets"]
            acct_bytes[(r["iface_in"], r["iface_out"])] += r["bytes"]
        check(acct == by_key, "%s: sfacctd packets per in/out interface %s, want %s" % (name, dict(acct), dict(by_key)))
        check(acct_bytes == by_key_bytes, "%s: sfacctd bytes per in/out interface %s, want %s"
              % (name, dict(acct_bytes), dict(by_key_bytes)))
        # 4. sfcapd / nfdump (every frame): packets = rate, bytes = frame length x rate.
        nf_want, nf_bytes = collections.Counter(), collections.Counter()
        for w in want:
            nf_want[(w["input"], w["output"])] += w["rate"]
            nf_bytes[(w["input"], w["output"])] += w["rate"] * w["records"][0][1][1]
        nf, nfb, nf_ip = collections.Counter(), collections.Counter(), collections.Counter()
        for r in collectors.nfdump_records():
            key = (r["input_snmp"], r["output_snmp"])
            nf[key] += r["in_packets"]
            nfb[key] += r["in_bytes"]
            if r.get("src4_addr", "0.0.0.0") != "0.0.0.0" or "src6_addr" in r:
                nf_ip[key] += r["in_packets"]
        check(nf == nf_want, "%s: nfdump packets per in/out interface %s, want %s" % (name, dict(nf), dict(nf_want)))
        check(nfb == nf_bytes, "%s: nfdump bytes per in/out interface %s, want %s" % (name, dict(nfb), dict(nf_bytes)))
        # 5. the two collectors agree on the IP samples (nfdump scales by the rate).
        acct_scaled = collections.Counter()
        for w in ip:
            acct_scaled[(w["input"], w["output"])] += w["rate"]
        check(nf_ip == acct_scaled and sum(acct.values()) == len(ip),
              "%s: sfacctd and nfdump agree on the IP samples (nfdump %s, sfacctd x rate %s)"
              % (name, dict(nf_ip), dict(acct_scaled)))
        invariants = ""
        if delivered is not None:
            read_back(name, out, want, ref, agent_address)
            stats = subprocess.run([dump_bin, "-r", pcap_in, "--stats"], capture_output=True, text=True).stderr
            group_lost = {int(g): int(n) for g, n in re.findall(r"group=(\d+) samples=\d+ lost=(\d+)", stats)}
            sources = check_invariants(name, got, ref, delivered, result.stderr, group_lost)
            invariants = "; drops = lost + take-backs, pool = rate x numbers on %d data sources; tcpdump and " \
                "sfacctd -I read the pcap" % sources
            check(sources > 0 or "restart" in name or "jump" in name or "duplicates" in name,
                  "%s: the pool invariant was checked on some data source" % name)
        lost = sum(w["drops"] for w in want if w["drops"])
        print("%s: %d samples in %d datagrams: our decoder, tshark, sfacctd (%d IP samples), nfdump (%d packets)%s%s"
              % (name, len(got), len(datagrams), sum(acct.values()), sum(nf.values()), invariants,
                 "" if lost == 0 else "; drops charged"))


def check_many_agents(agent_bin, directory):
    """4 agents replay one capture each at once into one sfacctd."""
    with tempfile.TemporaryDirectory() as tmp:
        collectors = Collectors(tmp)
        agents = ["192.0.2.%d" % (100 + i) for i in range(4)]
        pcap_in = os.path.join(directory, "nlmon.pcap")
        procs = [subprocess.Popen([agent_bin, "-r", pcap_in, "--agent-address", a, "--collector",
                                   collectors.endpoints()[0]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) for a in agents]
        for p in procs:
            p.communicate()
        # Each agent sent every sample of the capture; sfacctd accounts the IP ones.
        ref = subprocess.run([sys.argv[2], "-r", pcap_in, "-F", "json"], capture_output=True, text=True).stdout
        ip_samples = sum(1 for l in ref.splitlines() if json.loads(l)["type"] == "sample" and ip_ethertype(json.loads(l)))
        sent = {a: ip_samples for a in agents}
        collectors.stop()
        per_agent = collections.Counter()
        for r in collectors.sfacctd_records():
            per_agent[r["peer_ip_src"]] += r["packets"]
        check(dict(per_agent) == sent, "many agents: sfacctd per agent %s, sent %s" % (dict(per_agent), sent))
        print("many agents: %s" % dict(per_agent))


def self_test(what, *args, **kwargs):
    """A deliberately broken mapping must fail the comparison."""
    global quiet
    real = len(failures)
    quiet = True
    check_capture(*args, **kwargs)
    quiet = False
    caught = len(failures) - real
    del failures[real:]
    check(caught > 0, "self-test: a deliberately broken mapping (%s) was not caught" % what)
    print("self-test: a mapping with %s fails %d checks" % (what, caught))


def check_sampling_usage(agent_bin, pcap):
    """--sample, --sample-egress, --sample-pattern, --sample-rate and
    --sample-group: what cannot work is a usage error (exit 2) naming it."""
    for args, says in ((["--sample", "eth0:0"], "RATE 1 in N"), (["--sample-egress", ":5"], "an interface name"),
                       (["--sample-pattern", "(unclosed"], "not a POSIX extended regular expression"),
                       (["--sample-rate", "0"], "--sample-rate wants 1 in N"),
                       (["--sample-group", "4294967295", "--sample", "eth0"], "--sample-group"),
                       (["--sample", "eth0", "-r", pcap], "not -r"), (["--sample-pattern", "^eth", "-r", pcap], "not -r")):
        result = subprocess.run([agent_bin, "-w", os.devnull] + args, capture_output=True, text=True)
        check(result.returncode == 2 and says in result.stderr,
              "psample-sflow %s: a usage error saying '%s' (%d: %s)" % (" ".join(args), says, result.returncode,
                                                                      result.stderr.splitlines()[0] if result.stderr else ""))


def main():
    agent_bin, dump_bin, data = sys.argv[1], sys.argv[2], sys.argv[3]
    check_sampling_usage(agent_bin, os.path.join(data, "kernel-6.1", "nlmon.pcap"))
    names = ["kernel-6.1", "kernel-6.12", "netdevsim-6.1", "netdevsim-6.12", "tunnel-6.1", "tunnel-6.12", "ovs-6.12"]
    for i, n in enumerate(names):
        check_capture(agent_bin, dump_bin, n, os.path.join(data, n, "nlmon.pcap"), "192.0.2.%d" % (10 + i))
    with tempfile.TemporaryDirectory() as tmp:
        derived = derive_captures.write_all(data, tmp)
        for i, (n, (path, delivered, _)) in enumerate(derived.items()):
            check_capture(agent_bin, dump_bin, n, path, "192.0.2.%d" % (30 + i), delivered=delivered)
        check_many_agents(agent_bin, os.path.join(data, "kernel-6.12"))
        self_test("every pool off by one", agent_bin, dump_bin, "kernel-6.1", os.path.join(data, "kernel-6.1", "nlmon.pcap"),
                  "192.0.2.9", broken="pool")
        path, delivered, _ = derived["gaps-netdevsim-6.12"]
        self_test("each gap charged to the group's next sample", agent_bin, dump_bin, "gaps-netdevsim-6.12", path,
                  "192.0.2.9", broken="late_charge")
    print("%d checks failed" % len(failures) if failures else "psample-sflow: all collector checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
