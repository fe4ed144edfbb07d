#!/usr/bin/env python3
"""psample-dump offline tests, against the real kernel captures in test/data/.

1. `psample-dump -r nlmon.pcap --format json` gives every sample's fields as
   the recording scenario configured and sent them (expected.txt).
2. The same fields as tshark's psample dissector reads from the capture.
3. `-w out.pcapng`: tshark and tcpdump read it; tshark decodes the inner
   packets (ICMP, ICMPv6, ARP, UDP); lengths, comments and nanosecond
   timestamps round-trip.
4. `--format libpsample -v` in a non-UTC time zone: the lines libpsample's
   tool would print for the same messages, built here from its printf
   formats (test/vm/netdevsim-tests.sh compares with the tool itself).
5. Hostile capture files give a clear error and exit status 5, never a crash.
6. Drops (`--drops -r` over test/data/dropmon-*): every drop's fields in JSON
   as the scenario sent them, the summary alert's count, the text line's
   reason and location; `-w`: tshark reads each dropped frame back with the
   reason and location as its comment; a capture without NET_DM names
   --drops-family-id; --samples with --drops shows both sources.

usage: check_offline.py PSAMPLE_DUMP DATA_DIR
"""
import calendar
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, expected_lines, failures  # noqa: E402


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def tshark_time(text):
    # "Nov 26, 2026 16:47:31.047810330 UTC" -> ns since the epoch
    date, fraction = text.replace(" UTC", "").rsplit(".", 1)
    seconds = calendar.timegm(time.strptime(date, "%b %d, %Y %H:%M:%S"))
    return seconds * 10**9 + int(fraction.ljust(9, "0")[:9])


def check_capture(dump, directory):
    name = os.path.basename(directory)
    pcap = os.path.join(directory, "nlmon.pcap")
    expected = expected_lines(os.path.join(directory, "expected.txt"))

    # 1. JSON against the scenario.
    result = run([dump, "-r", pcap, "--format", "json"], text=True)
    check(result.returncode == 0, "%s: psample-dump -r exits 0 (got %d: %s)" % (name, result.returncode, result.stderr))
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    samples = [o for o in objects if o["type"] == "sample"]
    wanted = [f for kind, f in expected if kind == "sample"]
    check(len(samples) == len(wanted), "%s: %d samples decoded, %d sent" % (name, len(samples), len(wanted)))
    by_group = {}
    for s in samples:
        by_group.setdefault(s["group"], []).append(s)
    for group in set(int(f["group"]) for f in wanted):
        got = by_group.get(group, [])
        exp = [f for f in wanted if int(f["group"]) == group]
        check(len(got) == len(exp), "%s: group %d sample count" % (name, group))
        for index, (s, e) in enumerate(zip(got, exp)):
            where = "%s group %d sample %d" % (name, group, index)
            frame = bytes.fromhex(e["frame"])
            data = frame[: min(int(e["trunc"]), len(frame))]
            check(s["seq"] == index, where + ": seq")
            check(s["rate"] == int(e["rate"]), where + ": rate")
            check(s["origsize"] == int(e["origsize"]), where + ": origsize")
            check(s["proto"] == int(e["proto"], 16), where + ": proto")
            check(s.get("in_ifindex") == (None if e["iif"] == "-" else int(e["iif"])), where + ": in_ifindex")
            check(s.get("out_ifindex") == (None if e["oif"] == "-" else int(e["oif"])), where + ": out_ifindex")
            check(s.get("user_cookie") == (None if e["cookie"] == "-" else e["cookie"]), where + ": user_cookie")
            check(int(e["time_min"]) <= s["timestamp"] <= int(e["time_max"]), where + ": timestamp window")
            check(s["data"] == data.hex() and s["data_len"] == len(data), where + ": data")
            check(s["truncated"] == (len(data) < len(frame)), where + ": truncated flag")

    # 2. The same fields as tshark's psample dissector (attributes 0-14).
    fields = ["psample.sample_group", "psample.group_seq_num", "psample.iifindex", "psample.oifindex",
              "psample.origsize", "psample.sample_rate", "psample.proto", "psample.timestamp"]
    args = ["tshark", "-r", pcap, "-Y", "psample.cmd == 0", "-T", "fields", "-E", "separator=|"]
    for f in fields:
        args += ["-e", f]
    result = run(args, text=True)
    check(result.returncode == 0, "%s: tshark reads the capture (%s)" % (name, result.stderr.strip()))
    rows = [line.split("|") for line in result.stdout.splitlines()]
    check(len(rows) == len(samples), "%s: tshark sees %d samples, psample-dump %d" % (name, len(rows), len(samples)))
    for row, s in zip(rows, samples):
        number = lambda text: int(text, 0) if text else None
        where = "%s tshark row group %s seq %s" % (name, row[0], row[1])
        check(number(row[0]) == s["group"] and number(row[1]) == s["seq"], where + ": group/seq")
        check(number(row[2]) == s.get("in_ifindex") and number(row[3]) == s.get("out_ifindex"), where + ": ifindexes")
        check(number(row[4]) == s["origsize"] and number(row[5]) == s["rate"], where + ": origsize/rate")
        check(number(row[6]) == s["proto"], where + ": proto")
        check(tshark_time(row[7]) == s["timestamp"], where + ": timestamp")

    # 3. pcapng out, read back by tshark and tcpdump.
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "samples.pcapng")
        result = run([dump, "-r", pcap, "-w", out], text=True)
        check(result.returncode == 0, "%s: -w exits 0 (%s)" % (name, result.stderr))
        result = run(["tshark", "-r", out, "-T", "fields", "-E", "separator=|", "-e", "frame.time_epoch",
                      "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.protocols", "-e", "frame.comment",
                      "-e", "frame.interface_name"], text=True)
        check(result.returncode == 0, "%s: tshark reads the pcapng (%s)" % (name, result.stderr.strip()))
        rows = [line.split("|") for line in result.stdout.splitlines()]
        check(len(rows) == len(samples), "%s: pcapng holds %d packets, want %d" % (name, len(rows), len(samples)))
        inner = {0x0800: ("icmp", "udp"), 0x86DD: ("icmpv6",), 0x0806: ("arp",)}
        for row, s in zip(rows, samples):
            where = "%s pcapng group %d seq %d" % (name, s["group"], s["seq"])
            seconds, fraction = row[0].split(".")
            check(int(seconds) * 10**9 + int(fraction.ljust(9, "0")) == s["timestamp"], where + ": ns timestamp")
            check(int(row[1]) == s["data_len"] and int(row[2]) == s["origsize"], where + ": captured/original length")
            check(row[3].startswith("eth:ethertype:"), where + ": Ethernet link type (%s)" % row[3])
            check(any(p in row[3].split(":") for p in inner[s["proto"]]), where + ": inner protocol in " + row[3])
            check("group %d seq %d rate %d" % (s["group"], s["seq"], s["rate"]) in row[4], where + ": comment")
            ifindex = s.get("in_ifindex", s.get("out_ifindex"))
            check(row[5] == "ifindex%d" % ifindex, where + ": interface name " + row[5])
        result = run(["tcpdump", "-nn", "-r", out], text=True)
        check(result.returncode == 0, "%s: tcpdump reads the pcapng (%s)" % (name, result.stderr.strip()))
        check(len(result.stdout.splitlines()) == len(samples), "%s: tcpdump lists every packet" % name)
        check("ICMP echo request" in result.stdout and "ICMP6, echo request" in result.stdout,
              "%s: tcpdump decodes the echo requests" % name)

    # 4. libpsample's lines.
    zone = "IST-5:30"
    result = run([dump, "-r", pcap, "--format", "libpsample", "-v"], env=dict(os.environ, TZ=zone))
    check(result.returncode == 0, "%s: --format libpsample exits 0" % name)
    want = b"".join(libpsample_lines(o, zone) for o in objects)
    check(result.stdout == want, "%s: --format libpsample -v is libpsample's output (%d bytes, want %d)"
          % (name, len(result.stdout), len(want)))
    if result.stdout != want:
        got_lines, want_lines = result.stdout.splitlines(), want.splitlines()
        for g, w in zip(got_lines, want_lines):
            if g != w:
                print("  got:  %r\n  want: %r" % (g, w))
                break


def libpsample_lines(o, zone):
    """What libpsample's psample -v prints for one message, from its printf formats (psample_tool/psample.c)."""
    int32 = lambda v: v - (1 << 32) if v >= 1 << 31 else v  # %d of a u32
    if o["type"] == "group_event":
        line = ("created " if o["command"] == "new_group" else "deleted ") + "group %d " % int32(o["group"])
        if "seq" in o:
            line += "with current seq %d " % int32(o["seq"])
        return (line + "\n").encode()
    line = ""
    fields = [("group", "group %d ", int32), ("in_ifindex", "in-ifindex %d ", lambda v: v & 0xFFFF),
              ("out_ifindex", "out-ifindex %d ", lambda v: v & 0xFFFF), ("origsize", "origsize %d ", int32),
              ("rate", "sample-rate %d ", int32), ("seq", "seq %d ", int32), ("out_tc", "out-tc %u ", int),
              ("out_tc_occ", "out-tc-occ %d ", int), ("latency", "latency %d ", int)]
    for key, form, convert in fields:
        if key in o:
            line += form.replace("%u", "%d") % convert(o[key])
    if "timestamp" in o:
        saved = os.environ.get("TZ")
        os.environ["TZ"] = zone
        time.tzset()
        local = time.asctime(time.localtime(o["timestamp"] // 10**9))
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()
        line += "timestamp %s %09d nsec " % (local, o["timestamp"] % 10**9)
    if "proto" in o:
        line += "protocol 0x%x " % o["proto"]
    out = line.encode()
    if "data" in o:
        data = bytes.fromhex(o["data"])
        out += b"data len %d\n" % len(data)
        for start in range(0, len(data), 16):
            chunk = data[start:start + 16]
            out += b"0x%04x:  " % (start & 0xFF)  # "%04hhx": the offset's low byte
            out += b"".join(b"%02x " % c for c in chunk) + b"   " * (16 - len(chunk)) + b" "
            out += bytes(c if 0x20 <= c < 0x7F else ord(".") for c in chunk) + b"\n"
    return out + b"\n"


def check_hostile(dump, directory):
    pcap = open(os.path.join(directory, "nlmon.pcap"), "rb").read()
    cases = {
        "empty file": b"",
        "wrong magic": b"\x00\x01\x02\x03" + pcap[4:],
        "truncated pcap header": pcap[:20],
        "truncated record": pcap[: 24 + 16 + 10],
        "absurd record length": pcap[:32] + (0x7FFFFFF0).to_bytes(4, "little") + pcap[36:],
        "pcapng truncated block": bytes.fromhex("0a0d0d0a") + (28).to_bytes(4, "little") + b"\x4d\x3c\x2b\x1a",
        "pcapng absurd block length": bytes.fromhex("0a0d0d0a") + (0xFFFFFFF0).to_bytes(4, "little")
        + b"\x4d\x3c\x2b\x1a" + bytes(16),
        "pcapng bad byte-order magic": bytes.fromhex("0a0d0d0a") + (28).to_bytes(4, "little") + bytes(20),
        "pcapng packet before any interface": bytes.fromhex("0a0d0d0a") + (28).to_bytes(4, "little")
        + b"\x4d\x3c\x2b\x1a" + bytes.fromhex("01000000ffffffffffffffff") + (28).to_bytes(4, "little")
        + (6).to_bytes(4, "little") + (32).to_bytes(4, "little") + bytes(20) + (32).to_bytes(4, "little"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for what, content in cases.items():
            path = os.path.join(tmp, "hostile")
            open(path, "wb").write(content)
            result = run([dump, "-r", path], text=True)
            message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            print("%-36s exit %d: %s" % (what, result.returncode, message))
            check(result.returncode == 5, "hostile '%s': exit status 5 (got %d)" % (what, result.returncode))
            check(message.startswith("psample-dump: " + path), "hostile '%s': the error names the file" % what)


def check_drops(dump, directory, psample_directory):
    name = os.path.basename(directory)
    pcap = os.path.join(directory, "nlmon.pcap")
    expected = expected_lines(os.path.join(directory, "expected.txt"))
    wanted = [f for kind, f in expected if kind == "drop"]
    result = run([dump, "--drops", "-r", pcap, "--format", "json"], text=True)
    check(result.returncode == 0, "%s: --drops -r exits 0 (got %d: %s)" % (name, result.returncode, result.stderr))
    events = [json.loads(line) for line in result.stdout.splitlines()]
    drops = [e for e in events if e["type"] == "drop"]
    summaries = [e for e in events if e["type"] == "drop_summary"]
    check(len(drops) == len(wanted), "%s: %d drops decoded, %d made" % (name, len(drops), len(wanted)))
    for got, want in zip(drops, wanted):
        what = "%s: drop %s" % (name, want["reason"])
        check(got["origin"] == "software", what + ": origin software")
        check(got["reason"] == want["reason"], what + ": reason %s" % got["reason"])
        check(got["in_ifindex"] == int(want["iif"]), what + ": in_ifindex")
        check(got["proto"] == int(want["proto"], 16), what + ": proto")
        check(got["orig_len"] == int(want["orig_len"]), what + ": orig_len")
        check(got["data"] == want["frame"] and got["truncated"] is False, what + ": data is the frame sent")
        check(int(want["time_min"]) <= got["timestamp"] <= int(want["time_max"]), what + ": timestamp in the window")
        check(got["symbol"] != "" and got["pc"] > 0, what + ": symbol and pc")
    want_total = [int(f["total"]) for kind, f in expected if kind == "summary"]
    check(sum(s["total"] for s in summaries) == sum(want_total), "%s: the summary alert counts %s drops" % (name, want_total))
    check("drops=%d " % len(wanted) in result.stderr and "malformed=0" in result.stderr,
          "%s: the summary line counts the drops (%s)" % (name, result.stderr.strip()))

    text = run([dump, "--drops", "-r", pcap], text=True).stdout.splitlines()
    drop_lines = [line for line in text if " drop " in line]
    check(len(drop_lines) == len(wanted), "%s: one text line per drop" % name)
    for line, want in zip(drop_lines, wanted):
        check(" drop %s at " % want["reason"] in line and "len %d/%d" % (int(want["orig_len"]), int(want["orig_len"])) in line,
              "%s: text line says reason, location and lengths: %s" % (name, line))

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "drops.pcapng")
        result = run([dump, "--drops", "-r", pcap, "-w", out], text=True)
        check(result.returncode == 0, "%s: --drops -w exits 0" % name)
        result = run(["tshark", "-r", out, "-T", "fields", "-E", "separator=|", "-e", "frame.len", "-e", "frame.comment",
                      "-e", "eth.type"], text=True)
        rows = [r.split("|") for r in result.stdout.splitlines()]
        check(len(rows) == len(wanted), "%s: tshark reads %d dropped frames, want %d" % (name, len(rows), len(wanted)))
        for row, want in zip(rows, wanted):
            check(int(row[0]) == int(want["orig_len"]), "%s: frame length %s" % (name, row[0]))
            check(row[1].startswith("drop %s at " % want["reason"]), "%s: comment '%s'" % (name, row[1]))
            check(int(row[2], 16) == int(want["proto"], 16), "%s: tshark decodes the ethertype %s" % (name, row[2]))

    # A psample capture has no NET_DM: the error names the option that fixes it.
    result = run([dump, "--drops", "-r", os.path.join(psample_directory, "nlmon.pcap")], text=True)
    check(result.returncode == 5 and "--drops-family-id" in result.stderr,
          "%s: no NET_DM in a psample capture: exit 5 naming --drops-family-id (%d: %s)" % (name, result.returncode, result.stderr.strip()))
    # Usage errors for what does not go together: exit 2, naming the fix.
    for args, says in ((["--drops", "-g", "3"], "add --samples"), (["--samples"], "--samples goes with --drops"),
                       (["--drops-trunc", "64"], "go with --drops-start"), (["--drops", "-F", "libpsample"], "no drops"),
                       (["--drops-start", "-r", pcap], "not -r"), (["--drops-start=sideways"], "software, hardware or all")):
        result = run([dump] + args, text=True)
        check(result.returncode == 2 and says in result.stderr,
              "%s: %s is a usage error saying '%s' (%d: %s)" % (name, " ".join(args), says, result.returncode,
                                                               result.stderr.splitlines()[0] if result.stderr else ""))
    # Both sources over a capture that holds only drops: psample's id is missing, said so.
    result = run([dump, "--drops", "--samples", "-r", pcap], text=True)
    check(result.returncode == 5 and "--family-id" in result.stderr, "%s: --samples --drops on a drops-only capture names --family-id" % name)


def check_sample_usage(dump, directory):
    """--sample and --sample-egress: what is not IFACE[:RATE], or does not go
    with them, is a usage error (exit 2) that names the fix; nothing is set up."""
    pcap = os.path.join(directory, "nlmon.pcap")
    for args, says in ((["--sample", "eth0:0"], "RATE 1 in N"), (["--sample", "eth0:x"], "RATE 1 in N"),
                       (["--sample-egress", ":10"], "an interface name"),
                       (["--sample", "a-name-longer-than-15"], "1-15 characters"),
                       (["--sample", "eth0", "-r", pcap], "not with -r or -l"), (["--sample", "eth0", "-l"], "not with -r or -l"),
                       (["--sample", "eth0", "--drops"], "add --samples")):
        result = run([dump] + args, text=True)
        check(result.returncode == 2 and says in result.stderr,
              "%s is a usage error saying '%s' (%d: %s)" % (" ".join(args), says, result.returncode,
                                                          result.stderr.splitlines()[0] if result.stderr else ""))


def main():
    dump, data = sys.argv[1], sys.argv[2]
    directories = sorted(os.path.join(data, d) for d in os.listdir(data) if d.startswith("kernel-"))
    check(len(directories) >= 2, "captures of two kernels")
    for directory in directories:
        check_capture(dump, directory)
    check_hostile(dump, directories[0])
    drop_directories = sorted(os.path.join(data, d) for d in os.listdir(data) if d.startswith("dropmon-"))
    check(len(drop_directories) >= 2, "drop monitor captures of two kernels")
    for directory in drop_directories:
        check_drops(dump, directory, directories[0])
    check_sample_usage(dump, directories[0])
    print("%d checks failed" % len(failures) if failures else "psample-dump offline: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
