#!/usr/bin/env python3
"""psample-sflow --drops: the drop monitor's drops as sFlow discarded packet
samples, on the golden drop captures (test/data/dropmon-*).

1. `psample-sflow --drops -r nlmon.pcap -w out.pcap`: every discard sample,
   decoded here from sflow.org's "sFlow Dropped Packet Notification
   Structures", equals the drop the scenario made (expected.txt): sequence,
   data source 0:0, drops 0, input ifindex, output 0, the reason code that
   the README's table gives the kernel's reason, the raw header (Ethernet,
   frame length + 4, stripped 4, the frame's first 128 bytes), the function
   record (the symbol psample-dump reads) and the Linux reason record.
2. Derived captures (the hard case the recordings lack): each drop message
   repeated ten times in its record, so ten or more drops share a second of
   drop time. With --drops-rate-limit 3, each second exports 3, the others
   are counted, and each discard's drops field is the rate-limited count
   before it; the summary's rate_limited + delivered = the 40 drops.
3. tshark reads the datagrams (it does not decode format 5; it must not
   lose the datagram's framing either).
4. Samples and drops in one capture (the psample and drop captures of a
   kernel joined): no datagram mixes discards with flow samples, and
   sfacctd, which gives up on the rest of a datagram at a sample format it
   does not know, counts every flow sample it counts without --drops.

usage: check_discards.py PSAMPLE_SFLOW PSAMPLE_DUMP DATA_DIR README
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sflow_pcap import decode_datagram, read_pcap, udp_payload  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, expected_lines, failures  # noqa: E402


def readme_reason_codes(readme):
    """Kernel reason name -> code, from the README's table (reasons only)."""
    codes, table = {}, False
    for line in open(readme):
        if line.startswith("| kernel reason or trap | sFlow reason | code |"):
            table = True
            continue
        if not table or line.startswith("|---"):
            continue
        if not line.startswith("|"):
            break
        names, _, code = [c.strip() for c in line.strip().strip("|").split("|")]
        for kind in names.split(";"):
            kind = kind.strip()
            if kind.startswith(("trap ", "group ", "anything")):
                continue
            for name in kind.split(","):
                codes[name.strip()] = int(code)
    return codes


def discards_of(pcap):
    out = []
    for frame in read_pcap(pcap):
        out += decode_datagram(udp_payload(frame))["discards"]
    return out


def export(agent, pcap, out, *extra):
    result = subprocess.run([agent, "--drops", "-r", pcap, "-w", out] + list(extra), capture_output=True, text=True)
    summary = dict(re.findall(r"(\w+)=(\S+)", " ".join(l for l in result.stderr.splitlines() if " drops=" in l)))
    return result, summary


def check_capture(agent, dump, directory, codes, tmp):
    name = os.path.basename(directory)
    pcap = os.path.join(directory, "nlmon.pcap")
    wanted = [f for kind, f in expected_lines(os.path.join(directory, "expected.txt")) if kind == "drop"]
    symbols = [json.loads(line)["symbol"] for line in subprocess.run(
        [dump, "--drops", "-r", pcap, "-F", "json"], capture_output=True, text=True).stdout.splitlines()
        if '"type":"drop"' in line]
    out = os.path.join(tmp, name + ".pcap")
    result, summary = export(agent, pcap, out)
    check(result.returncode == 0, "%s: psample-sflow --drops -r exits 0 (%s)" % (name, result.stderr.strip()))
    got = discards_of(out)
    check(len(got) == len(wanted), "%s: %d discard samples for %d drops" % (name, len(got), len(wanted)))
    for i, (d, want) in enumerate(zip(got, wanted)):
        what = "%s: discard %d (%s)" % (name, i + 1, want["reason"])
        frame = bytes.fromhex(want["frame"])
        check(d["sequence"] == i + 1, what + ": sequence %d" % d["sequence"])
        check((d["source_class"], d["source"]) == (0, 0), what + ": data source 0:0")
        check(d["drops"] == 0, what + ": drops 0")
        check(d["input"] == int(want["iif"]) and d["output"] == 0, what + ": input %d output %d" % (d["input"], d["output"]))
        check(d["reason"] == codes[want["reason"]], what + ": reason code %d, README says %d" % (d["reason"], codes[want["reason"]]))
        proto, frame_length, stripped, header = d["records"].get(1, (0, 0, 0, b""))
        check((proto, frame_length, stripped) == (1, int(want["orig_len"]) + 4, 4),
              what + ": raw header Ethernet, frame length %d, stripped %d" % (frame_length, stripped))
        check(header == frame[:128], what + ": header bytes are the frame's first 128")
        check(d["records"].get(1038) == symbols[i], what + ": function record %r" % d["records"].get(1038))
        check(d["records"].get(1042) == want["reason"], what + ": Linux reason record")
        check(1041 not in d["records"], what + ": no hardware trap record for a software drop")
    check(summary.get("discards") == str(len(wanted)) and summary.get("lost") == "0",
          "%s: the summary counts %d discards, none lost (%s)" % (name, len(wanted), summary))
    rows = subprocess.run(["tshark", "-r", out, "-T", "fields", "-e", "sflow_245.sampletype"], capture_output=True,
                          text=True).stdout.split()
    check(len(rows) >= 1 and all(set(r.split(",")) <= {"5"} for r in rows),
          "%s: tshark reads every datagram's samples as type 5 (%s)" % (name, rows))


def net_dm_family_id(messages):
    """NET_DM's id from a CTRL_CMD_NEWFAMILY message among these, else None."""
    at = 0
    while at + 20 <= len(messages):
        length, kind = struct.unpack_from("=IH", messages, at)
        if length < 20:
            return None
        if kind == 0x10 and messages[at + 16] == 1:  # nlctrl, CTRL_CMD_NEWFAMILY
            name, ident, a = None, None, at + 20
            while a + 4 <= at + length:
                alen, atype = struct.unpack_from("=HH", messages, a)
                if alen < 4:
                    break
                if atype == 2:
                    name = messages[a + 4:a + alen].rstrip(b"\0")
                elif atype == 1:
                    ident = struct.unpack_from("=H", messages, a + 4)[0]
                a += (alen + 3) & ~3
            if name == b"NET_DM":
                return ident
        at += (length + 3) & ~3
    return None


def repeated_drops(pcap_in, pcap_out, copies):
    """The capture with each NET_DM packet alert repeated `copies` times in its record."""
    data = open(pcap_in, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    out, at = bytearray(data[:24]), 24
    family = None
    while at + 16 <= len(data):
        sec, frac, caplen, length = struct.unpack(endian + "IIII", data[at:at + 16])
        record = data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        messages = record[16:]
        if family is None:
            family = net_dm_family_id(messages)
        if family is not None and len(messages) >= 20 and struct.unpack_from("=H", messages, 4)[0] == family \
                and messages[16] == 5:
            messages = messages * copies
        record = record[:16] + messages
        out += struct.pack(endian + "IIII", sec, frac, len(record), len(record)) + record
    open(pcap_out, "wb").write(bytes(out))


def check_rate_limit(agent, dump, directory, tmp):
    name = os.path.basename(directory) + " x10"
    pcap = os.path.join(tmp, "repeated.pcap")
    repeated_drops(os.path.join(directory, "nlmon.pcap"), pcap, 10)
    seconds = [json.loads(line)["timestamp"] // 10**9 for line in subprocess.run(
        [dump, "--drops", "-r", pcap, "-F", "json"], capture_output=True, text=True).stdout.splitlines()
        if '"type":"drop"' in line]
    check(len(seconds) == 40, "%s: psample-dump reads 40 drops" % name)
    # The rule (DropMonitorOptions::rate_limit): at most 3 per second of drop
    # time; a second's window opens with its first drop.
    want_drops_fields, window, delivered, limited = [], None, 0, 0
    for second in seconds:
        if window is None or second > window:
            window, delivered = second, 0
        if delivered < 3:
            delivered += 1
            want_drops_fields.append(limited)
        else:
            limited += 1
    out = os.path.join(tmp, "limited.pcap")
    result, summary = export(agent, pcap, out, "--drops-rate-limit", "3")
    check(result.returncode == 0, "%s: exits 0 (%s)" % (name, result.stderr.strip()))
    got = discards_of(out)
    check(int(summary.get("drops", 0)) + int(summary.get("rate_limited", -1)) == 40,
          "%s: delivered + rate-limited = 40 drops (%s)" % (name, summary))
    check([d["drops"] for d in got] == want_drops_fields,
          "%s: discards' drops fields %s, want %s" % (name, [d["drops"] for d in got], want_drops_fields))
    check(len(got) < 40 and summary.get("rate_limited") == str(limited) and summary.get("lost") == str(limited),
          "%s: %d exported, rate_limited and lost %d (%s)" % (name, len(got), limited, summary))


def sfacctd_packets(pcap, tmp):
    conf, out = os.path.join(tmp, "sfacctd.conf"), os.path.join(tmp, "sfacctd.json")
    if os.path.exists(out):
        os.remove(out)
    with open(conf, "w") as f:
        f.write("daemonize: false\npcap_savefile: %s\nplugins: print\naggregate: peer_src_ip, in_iface, out_iface\n"
                "print_output: json\nprint_output_file: %s\nprint_output_file_append: true\n" % (pcap, out))
    subprocess.run(["timeout", "20", "sfacctd", "-f", conf], capture_output=True)
    return sum(json.loads(line).get("packets", 0) for line in open(out)) if os.path.exists(out) else 0


def check_mixed(agent, drops_dir, psample_dir, tmp):
    name = "%s + %s" % (os.path.basename(psample_dir), os.path.basename(drops_dir))
    joined = os.path.join(tmp, "joined.pcap")
    drops = open(os.path.join(drops_dir, "nlmon.pcap"), "rb").read()
    samples = open(os.path.join(psample_dir, "nlmon.pcap"), "rb").read()
    check(drops[:24] == samples[:24], "%s: the two captures share their pcap header" % name)
    open(joined, "wb").write(drops + samples[24:])
    both, alone = os.path.join(tmp, "both.pcap"), os.path.join(tmp, "alone.pcap")
    subprocess.run([agent, "--drops", "-r", joined, "-w", both], capture_output=True)
    subprocess.run([agent, "-r", os.path.join(psample_dir, "nlmon.pcap"), "-w", alone], capture_output=True)
    datagrams = [decode_datagram(udp_payload(f)) for f in read_pcap(both)]
    check(sum(len(d["discards"]) for d in datagrams) > 0 and sum(len(d["samples"]) for d in datagrams) > 0,
          "%s: both discards and flow samples exported" % name)
    check(all(not (d["discards"] and (d["samples"] or d["counters"])) for d in datagrams),
          "%s: no datagram mixes discards with flow or counter samples" % name)
    with_drops, without = sfacctd_packets(both, tmp), sfacctd_packets(alone, tmp)
    check(with_drops == without and without > 0,
          "%s: sfacctd counts %d packets with the discards, %d without" % (name, with_drops, without))


def main():
    agent, dump, data, readme = sys.argv[1:5]
    codes = readme_reason_codes(readme)
    directories = sorted(os.path.join(data, d) for d in os.listdir(data) if d.startswith("dropmon-"))
    check(len(directories) >= 2, "drop captures of two kernels")
    with tempfile.TemporaryDirectory() as tmp:
        for directory in directories:
            check_capture(agent, dump, directory, codes, tmp)
        for directory in directories:
            check_rate_limit(agent, dump, directory, tmp)
            check_mixed(agent, directory, directory.replace("dropmon-", "kernel-"), tmp)
    print("%d checks failed" % len(failures) if failures else "psample-sflow discards: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
