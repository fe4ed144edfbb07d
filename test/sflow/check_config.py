#!/usr/bin/env python3
"""psample-sflow --config: a file of long options, the command line over it.

On the golden 6.1 capture (-r, so no kernel is needed):
1. a file with comments, blank lines, "key value" and "key = value" lines
   (collector, agent-address, group, metrics-file) is obeyed: the datagrams
   reach the file's collector (a UDP socket held here), only the file's
   group is exported, the metrics file appears where the file says;
2. the command line overrides the file: --collector on the command line
   replaces the file's collectors (the file's socket gets nothing), -g
   replaces its groups;
3. errors name the file and line: an unknown key, a value for an option
   that takes none, a missing value, a value the option refuses, a file
   that cannot be read: each exit status 2 (usage), the stream untouched.

usage: check_config.py PSAMPLE_SFLOW DATA_DIR
"""
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, failures  # noqa: E402



def collector():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    return s, s.getsockname()[1]


def drain(s):
    n = 0
    try:
        while True:
            s.recv(65536)
            n += 1
    except socket.timeout:
        return n


def exported_samples(stderr):
    m = re.search(r"psample-sflow: samples=(\d+)", stderr)
    return int(m.group(1)) if m else None


def group_samples(stderr):
    return {int(g): int(n) for g, n in re.findall(r"group=(\d+) samples=(\d+)", stderr)}


def main():
    sflow, data = sys.argv[1:3]
    capture = os.path.join(data, "kernel-6.1", "nlmon.pcap")
    with tempfile.TemporaryDirectory() as work:
        # All groups first, to know what one group holds.
        everything = subprocess.run([sflow, "-r", capture, "-w", "/dev/null"], capture_output=True, text=True)
        groups = group_samples(everything.stderr)
        if not check(everything.returncode == 0 and len(groups) >= 2, "no two groups in %s: %s" % (
                capture, everything.stderr)):
            return 1
        chosen, other = sorted(groups)[:2]

        file_socket, file_port = collector()
        line_socket, line_port = collector()
        metrics = os.path.join(work, "from-config.prom")
        config = os.path.join(work, "psample-sflow.conf")
        with open(config, "w") as f:
            f.write("# psample-sflow test configuration\n\n"
                    "collector 127.0.0.1:%d\n"
                    "agent-address = 192.0.2.7\n"
                    "   group %d   \n"
                    "metrics-file %s\n" % (file_port, chosen, metrics))
        run = subprocess.run([sflow, "--config", config, "-r", capture], capture_output=True, text=True)
        got = drain(file_socket)
        check(run.returncode == 0, "config run: exit %d: %s" % (run.returncode, run.stderr))
        check(got > 0, "the file's collector received no datagram")
        check(exported_samples(run.stderr) == groups[chosen],
              "the file's group %d: exported %s samples, it holds %d" % (chosen, exported_samples(run.stderr),
                                                                         groups[chosen]))
        check(os.path.exists(metrics), "the file's metrics-file was not written")

        # The command line's --collector and -g replace the file's.
        run = subprocess.run([sflow, "--config", config, "-r", capture, "--collector", "127.0.0.1:%d" % line_port,
                              "-g", str(other)], capture_output=True, text=True)
        check(run.returncode == 0, "override run: exit %d: %s" % (run.returncode, run.stderr))
        check(drain(file_socket) == 0, "the file's collector still got datagrams with --collector on the command line")
        check(drain(line_socket) > 0, "the command line's collector got nothing")
        check(exported_samples(run.stderr) == groups[other],
              "-g %d on the command line: exported %s samples, it holds %d" % (other, exported_samples(run.stderr),
                                                                               groups[other]))

        # Errors that name the line.
        cases = [
            ("collector 127.0.0.1:9\nbogus-key 3\n", ":2: unknown option 'bogus-key'"),
            ("collector 127.0.0.1:9\n\n# c\ndrops yes\n", ":4: 'drops' takes no value, got 'yes'"),
            ("collector\n", ":1: 'collector' needs a value"),
            ("collector 127.0.0.1:9\nheader-bytes 0\n", ":2: --header-bytes wants 1-65535"),
            ("collector 127.0.0.1:9\nconfig other.conf\n", ":2: unknown option 'config'"),
        ]
        for text, expected in cases:
            bad = os.path.join(work, "bad.conf")
            with open(bad, "w") as f:
                f.write(text)
            run = subprocess.run([sflow, "--config", bad, "-r", capture], capture_output=True, text=True)
            check(run.returncode == 2 and (bad + expected) in run.stderr,
                  "%r: exit %d, wanted '%s' in: %s" % (text, run.returncode, bad + expected,
                                                       run.stderr.splitlines()[0] if run.stderr else ""))
        missing = os.path.join(work, "missing.conf")
        run = subprocess.run([sflow, "--config", missing, "-r", capture], capture_output=True, text=True)
        check(run.returncode == 2 and missing + ": cannot read it: No such file or directory" in run.stderr,
              "missing file: exit %d: %s" % (run.returncode, run.stderr.splitlines()[0] if run.stderr else ""))
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok: the file's options obeyed, the command line's over them, errors name FILE:LINE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
