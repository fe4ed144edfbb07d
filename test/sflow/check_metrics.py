#!/usr/bin/env python3
"""psample-sflow's and psample-dump's --metrics-file, checked by Prometheus' own tools.

On the golden 6.1 capture and on one derived from it with gaps (so the loss
figures are not all zero), psample-sflow -r exports to a UDP socket this
script holds on 127.0.0.1 and writes its metrics file at exit. Then:
1. `promtool check metrics` (Debian's prometheus) accepts the file: names,
   types, HELP, _total counters, no problems reported;
2. Debian's prometheus-node-exporter, started on 127.0.0.1 with only its
   textfile collector, pointed at the file's directory, serves the metrics:
   its /metrics, fetched over loopback, carries each psample_sflow_ sample
   with the file's value, and node_textfile_scrape_error is 0;
3. the values equal the tool's own summary on stderr: samples, lost,
   duplicates and resyncs per group, pool, drops and flow samples per data
   source, datagrams per collector (and equal to what the socket received),
   overruns, malformed;
4. a name that does not end in .prom is refused with a usage error.
psample-dump the same way (psample_dump_*): -r of the capture with gaps
(samples, bytes, lost, duplicates and resyncs per group against its
summary) and --drops -r of the 6.1 drop monitor capture (drops, lost by
where, overruns, malformed against its drop summary); with -l,
--metrics-file is a usage error.

usage: check_metrics.py PSAMPLE_SFLOW PSAMPLE_DUMP DATA_DIR
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derive_captures  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, failures  # noqa: E402



def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_metrics(text):
    """{(name, labels-string): value} of the sample lines."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$', line)
        if m:
            values[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return values


def summary_lines(stderr):
    """The summary's key=value lines: the first (totals), then per source and per group."""
    totals, sources, groups = {}, {}, {}
    for line in stderr.splitlines():
        if not line.startswith("psample-sflow: "):
            continue
        pairs = dict(re.findall(r"(\w+)=(\S+)", line))
        if "source" in pairs:
            sources[pairs["source"]] = pairs
        elif "group" in pairs:
            groups[pairs["group"]] = pairs
        elif "counter_samples" in pairs:
            totals = pairs
    return totals, sources, groups


def run_one(sflow, capture, workdir, name):
    collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    collector.bind(("127.0.0.1", 0))
    collector.settimeout(0.2)
    port = collector.getsockname()[1]
    metrics_file = os.path.join(workdir, name + ".prom")
    run = subprocess.run([sflow, "-r", capture, "--collector", "127.0.0.1:%d" % port, "--agent-address",
                          "192.0.2.1", "--metrics-file", metrics_file], capture_output=True, text=True, timeout=60)
    received = 0
    try:
        while True:
            collector.recv(65536)
            received += 1
    except socket.timeout:
        pass
    collector.close()
    check(run.returncode == 0, "%s: psample-sflow exit %d: %s" % (name, run.returncode, run.stderr))
    check(os.path.exists(metrics_file), "%s: no metrics file written at exit" % name)
    check(not os.path.exists(metrics_file + ".tmp"), "%s: the temporary file was left behind" % name)
    return metrics_file, run.stderr, port, received


def compare(name, values, stderr, port, received):
    totals, sources, groups = summary_lines(stderr)
    check(groups and sources and totals, "%s: no summary to compare with: %s" % (name, stderr))
    p = "psample_sflow_"

    def value(metric, labels=""):
        key = (p + metric, labels)
        check(key in values, "%s: %s%s missing" % (name, p + metric, labels))
        return values.get(key)

    for group, g in groups.items():
        label = '{group="%s"}' % group
        for metric, key in (("samples_total", "samples"), ("lost_total", "lost"), ("duplicates_total", "duplicates"),
                            ("resyncs_total", "resyncs")):
            check(value(metric, label) == float(g[key]), "%s: %s%s = %s, summary %s=%s" % (
                name, metric, label, value(metric, label), key, g[key]))
    for source, s in sources.items():
        label = '{source="%s"}' % source
        for metric, key in (("flow_samples_total", "samples"), ("sample_pool_total", "pool"),
                            ("source_drops_total", "drops")):
            check(value(metric, label) == float(s[key]), "%s: %s%s = %s, summary %s=%s" % (
                name, metric, label, value(metric, label), key, s[key]))
    collector = '{collector="127.0.0.1:%d"}' % port
    check(value("datagrams_total", collector) == float(totals["datagrams"]),
          "%s: datagrams_total %s, summary %s" % (name, value("datagrams_total", collector), totals["datagrams"]))
    check(value("datagrams_total", collector) == float(received),
          "%s: datagrams_total %s, the collector socket got %d" % (name, value("datagrams_total", collector), received))
    check(value("datagram_bytes_total", collector) == float(totals["bytes"]), "%s: datagram bytes" % name)
    check(value("send_errors_total", collector) == float(totals["send_errors"]), "%s: send errors" % name)
    check(value("interface_samples_total") == float(totals["counter_samples"]), "%s: counter samples" % name)
    for metric in ("overruns", "malformed"):
        check(value(metric + "_total") == float(totals[metric]), "%s: %s" % (name, metric))
    check(any(k[0] == p + "build_info" for k in values), "%s: no build_info" % name)
    started = value("start_time_seconds")
    check(started is not None and abs(started - time.time()) < 600, "%s: start_time_seconds %s" % (name, started))


def promtool_ok(name, metrics_file):
    promtool = subprocess.run(["promtool", "check", "metrics"], stdin=open(metrics_file), capture_output=True,
                              text=True)
    check(promtool.returncode == 0 and not promtool.stdout.strip() and not promtool.stderr.strip(),
          "%s: promtool check metrics: exit %d %s %s" % (name, promtool.returncode, promtool.stdout, promtool.stderr))


def check_dump(dump, data, capture, workdir):
    """psample-dump --metrics-file on samples (a capture with gaps) and on drops."""
    runs = {
        "dump-samples": [dump, "-r", capture, "--stats"],
        "dump-drops": [dump, "--drops", "-r", os.path.join(data, "dropmon-6.1", "nlmon.pcap"), "--stats"],
    }
    for name, command in runs.items():
        textdir = os.path.join(workdir, "textfile-" + name)
        os.mkdir(textdir)
        metrics_file = os.path.join(textdir, "psample-dump.prom")
        run = subprocess.run(command + ["--metrics-file", metrics_file], capture_output=True, text=True, timeout=60)
        if not check(run.returncode == 0 and os.path.exists(metrics_file),
                     "%s: exit %d, metrics file %s: %s" % (name, run.returncode, os.path.exists(metrics_file),
                                                          run.stderr)):
            continue
        promtool_ok(name, metrics_file)
        for source, values in (("file", parse_metrics(open(metrics_file).read())), ("scraped", scrape(textdir))):
            if not check(values is not None, "%s: node_exporter did not answer" % name):
                continue
            label = "%s (%s)" % (name, source)

            def value(metric, labels=""):
                key = ("psample_dump_" + metric, labels)
                check(key in values, "%s: psample_dump_%s%s missing" % (label, metric, labels))
                return values.get(key)

            lines = [dict(re.findall(r"(\w+)=(\S+)", l)) for l in run.stderr.splitlines()
                     if l.startswith("psample-dump: ")]
            if name == "dump-samples":
                totals = next((l for l in lines if "samples_per_s" in l), None)
                groups = [l for l in lines if "group" in l and "last_seq" in l]
                if not check(totals and groups, "%s: no summary: %s" % (label, run.stderr)):
                    continue
                check(value("sample_bytes_total") == float(totals["bytes"]), "%s: bytes" % label)
                for metric in ("overruns", "malformed"):
                    check(value(metric + "_total") == float(totals[metric]), "%s: %s" % (label, metric))
                for g in groups:
                    for metric, key in (("samples_total", "samples"), ("lost_total", "lost"),
                                        ("duplicates_total", "duplicates"), ("resyncs_total", "resyncs")):
                        got = value(metric, '{group="%s"}' % g["group"])
                        check(got == float(g[key]), "%s: %s{group=%s} = %s, summary %s" % (
                            label, metric, g["group"], got, g[key]))
                check(any(g["lost"] != "0" for g in groups), "%s: no group lost anything" % label)
            else:
                drops = next((l for l in lines if "drops" in l and "rate_limited" in l), None)
                if not check(drops, "%s: no drop summary: %s" % (label, run.stderr)):
                    continue
                check(value("drop_monitor_drops_total") == float(drops["drops"]), "%s: drops" % label)
                check(value("drop_monitor_lost_total", '{where="rate_limit"}') == float(drops["rate_limited"]),
                      "%s: rate limited" % label)
                check(value("drop_monitor_overruns_total") == float(drops["overruns"]), "%s: overruns" % label)
                check(value("drop_monitor_malformed_total") == float(drops["malformed"]), "%s: malformed" % label)
                check(value("drop_monitor_drops_total") > 0, "%s: no drops" % label)
    listing = subprocess.run([dump, "-l", "--metrics-file", os.path.join(workdir, "l.prom")], capture_output=True,
                             text=True)
    check(listing.returncode == 2 and "not -l" in listing.stderr,
          "psample-dump -l --metrics-file: exit %d, %s" % (listing.returncode, listing.stderr.strip()[:200]))


def scrape(textdir):
    """node_exporter's /metrics with its textfile collector on `textdir`, parsed; None if it never answered."""
    port = free_port()
    exporter = subprocess.Popen(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % port,
                                 "--collector.disable-defaults", "--collector.textfile",
                                 "--collector.textfile.directory=" + textdir],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                return parse_metrics(urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2)
                                     .read().decode())
            except OSError:
                time.sleep(0.1)
        return None
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)


def main():
    sflow, dump, data = sys.argv[1:4]
    for tool in ("promtool", "prometheus-node-exporter"):
        if shutil.which(tool) is None:
            print("SKIP: %s is not installed (apt-get install prometheus prometheus-node-exporter)" % tool)
            return 77
    with tempfile.TemporaryDirectory() as workdir:
        derived = derive_captures.write_all(data, workdir)
        gap = [path for n, (path, _, _) in derived.items() if "gap" in n]
        captures = [("kernel_6_1", os.path.join(data, "kernel-6.1", "nlmon.pcap"))]
        if check(gap, "derive_captures made no capture with gaps: %s" % sorted(derived)):
            captures.append(("gaps", gap[0]))
        results = {}
        for name, capture in captures:
            textdir = os.path.join(workdir, "textfile-" + name)
            os.mkdir(textdir)
            metrics_file, stderr, port, received = run_one(sflow, capture, textdir, name)
            results[name] = (metrics_file, stderr, port, received)
            promtool_ok(name, metrics_file)
            file_values = parse_metrics(open(metrics_file).read())
            compare(name, file_values, stderr, port, received)
            if name == "gaps":
                check(any(v > 0 for (n, _), v in file_values.items() if n == "psample_sflow_lost_total"),
                      "gaps: every lost_total is 0")
        # node_exporter with only its textfile collector, on each file's
        # directory (two agents on one host would write to one directory
        # under distinct names and labels; these two replay the same groups).
        for name, (metrics_file, stderr, collector_port, received) in results.items():
            served = scrape(os.path.dirname(metrics_file))
            if check(served is not None, "%s: node_exporter did not answer" % name):
                check(served.get(("node_textfile_scrape_error", "")) == 0.0,
                      "%s: node_textfile_scrape_error is %s" % (name, served.get(("node_textfile_scrape_error", ""))))
                compare(name + " (scraped)", served, stderr, collector_port, received)
        check_dump(dump, data, gap[0] if gap else captures[0][1], workdir)
        bad = subprocess.run([sflow, "-r", captures[0][1], "-w", "/dev/null", "--metrics-file",
                              os.path.join(workdir, "metrics.txt")], capture_output=True, text=True)
        check(bad.returncode == 2 and "must end in .prom" in bad.stderr,
              "--metrics-file metrics.txt: exit %d, %s" % (bad.returncode, bad.stderr.strip()[:200]))
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok: promtool accepts both tools' metrics; node_exporter serves them; they equal the summaries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
