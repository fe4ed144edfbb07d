#!/usr/bin/env python3
"""After the VM's reload test (test/vm/sflow-reload-tests.sh): the metrics
file psample-sflow wrote at exit, live, on a real kernel, as Prometheus
sees it. promtool check metrics accepts it; node_exporter's textfile
collector on 127.0.0.1 serves it; its samples, lost, duplicates and resyncs
per group, flow samples, pool and drops per data source and datagrams per
collector equal the agent's own summary (agent.err).

usage: check_reload_metrics.py OUT_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_metrics import parse_metrics, promtool_ok, scrape, summary_lines  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, failures  # noqa: E402


def main():
    out = sys.argv[1]
    metrics_file = os.path.join(out, "final", "psample-sflow.prom")
    stderr = open(os.path.join(out, "agent.err")).read()
    if not check(os.path.exists(metrics_file), "no metrics file from the VM run"):
        return 1
    promtool_ok("live", metrics_file)
    totals, sources, groups = summary_lines(stderr)
    check(groups and sources and totals, "no summary in agent.err")
    for where, values in (("file", parse_metrics(open(metrics_file).read())),
                          ("scraped", scrape(os.path.dirname(metrics_file)))):
        if not check(values is not None, "node_exporter did not answer"):
            continue
        check(values.get(("node_textfile_scrape_error", ""), 0.0) == 0.0, "%s: textfile scrape error" % where)

        def value(metric, labels=""):
            return values.get(("psample_sflow_" + metric, labels))

        for group, g in groups.items():
            for metric, key in (("samples_total", "samples"), ("lost_total", "lost"),
                                ("duplicates_total", "duplicates"), ("resyncs_total", "resyncs")):
                got = value(metric, '{group="%s"}' % group)
                check(got == float(g[key]), "%s: %s{group=%s} = %s, summary %s" % (where, metric, group, got, g[key]))
        for source, s in sources.items():
            for metric, key in (("flow_samples_total", "samples"), ("sample_pool_total", "pool"),
                                ("source_drops_total", "drops")):
                got = value(metric, '{source="%s"}' % source)
                check(got == float(s[key]), "%s: %s{source=%s} = %s, summary %s" % (where, metric, source, got, s[key]))
        sent = sum(v for (n, labels), v in values.items()
                   if n in ("psample_sflow_datagrams_total", "psample_sflow_send_errors_total"))
        check(sent > 0, "%s: no datagram counted" % where)
        check(value("reloads_total", '{result="applied"}') == 1.0, "%s: reloads applied" % where)
        check(value("kernel_drops_total") == 0.0, "%s: kernel drops %s" % (where, value("kernel_drops_total")))
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok: the live metrics file: promtool accepts it, node_exporter serves it, it equals the summary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
