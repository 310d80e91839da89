#!/usr/bin/env python3
"""Draws BENCHMARKS.md's chart as a self-contained SVG, from JMH's JSON and the load script's CSV.

Left: the whole pipeline's latency percentiles (p50, p90, p99, p99.9; JMH SampleTime) for each
token kind, algorithm and thread count, on a log scale, with the T1 and 10 ms budgets drawn in.
Right: gateway and HAProxy requests per second for repeated and distinct tokens, p99 written on
each bar.

Usage: chart.py results.json [load.csv] out.svg   (standard library only)
"""
import csv
import json
import math
import sys
from html import escape

PERCENTILES = [("50.0", "p50"), ("90.0", "p90"), ("99.0", "p99"), ("99.9", "p99.9")]
COLOURS = ["#4e79a7", "#59a14f", "#f28e2b", "#e15759"]
TO_US = {"ns/op": 1e-3, "us/op": 1.0, "ms/op": 1e3, "s/op": 1e6}


def pipeline_groups(results):
    groups = []
    for run in results:
        name = run["benchmark"].rsplit(".", 2)
        if name[-2] != "PipelineBenchmark" or run["mode"] != "sample" or not name[-1].startswith("pipeline"):
            continue
        metric = run["primaryMetric"]
        scale = TO_US[metric["scoreUnit"]]
        values = [metric["scorePercentiles"][p] * scale for p, _ in PERCENTILES]
        params = run.get("params", {})
        label = "%s %s, %d thr" % (params.get("token", "?"), params.get("alg", "?"), run["threads"])
        groups.append((label, values))
    order = {"repeated": 0, "cold": 1}
    groups.sort(key=lambda g: (order.get(g[0].split()[0], 2), g[0]))
    return groups


def load_rows(path):
    if not path:
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def log_y(value, lo, hi, top, height):
    value = min(max(value, lo), hi)
    return top + height - (math.log10(value) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * height


def draw(results, rows, title_note):
    width, height = 1180, 520
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (width, height), '<rect width="100%" height="100%" fill="white"/>']
    # left panel: pipeline percentiles
    groups = pipeline_groups(results)
    left, top, panel_w, panel_h = 70, 60, 680, 360
    out.append('<text x="%d" y="28" font-size="16" font-weight="bold">Whole pipeline latency (ApiSecurity.evaluate, JMH SampleTime)</text>' % left)
    out.append('<text x="%d" y="46" fill="#555">%s</text>' % (left, escape(title_note)))
    lo, hi = 1.0, 100000.0
    for exp in range(0, 6):
        v = 10 ** exp
        y = log_y(v, lo, hi, top, panel_h)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, left + panel_w, y, y))
        label = "%g µs" % v if v < 1000 else "%g ms" % (v / 1000)
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#555">%s</text>' % (left - 6, y + 4, label))
    for budget, text in ((25, "T1 p99 ≤ 25 µs"), (12, "T1 p50 ≤ 12 µs"), (10000, "requirement p99 ≤ 10 ms")):
        y = log_y(budget, lo, hi, top, panel_h)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#b00" stroke-dasharray="5,4"/>' % (left, left + panel_w, y, y))
        out.append('<text x="%d" y="%.1f" fill="#b00" text-anchor="end">%s</text>' % (left + panel_w - 4, y - 4, text))
    if groups:
        slot = panel_w / len(groups)
        bar = min(22, (slot - 12) / len(PERCENTILES))
        for i, (label, values) in enumerate(groups):
            x0 = left + i * slot + (slot - bar * len(PERCENTILES)) / 2
            for j, v in enumerate(values):
                y = log_y(v, lo, hi, top, panel_h)
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %.1f µs</title></rect>'
                           % (x0 + j * bar, y, bar - 1, top + panel_h - y, COLOURS[j], escape(label), PERCENTILES[j][1], v))
            cx = left + i * slot + slot / 2
            for k, part in enumerate(label.split(", ")):
                out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (cx, top + panel_h + 16 + 14 * k, escape(part)))
    else:
        out.append('<text x="%d" y="%d" fill="#b00">no PipelineBenchmark SampleTime results in the file</text>' % (left + 20, top + 40))
    for j, (_, name) in enumerate(PERCENTILES):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>'
                   % (left + j * 80, height - 30, COLOURS[j], left + j * 80 + 16, height - 20, name))
    # right panel: gateway vs HAProxy
    rx, rw = 830, 320
    out.append('<text x="%d" y="28" font-size="16" font-weight="bold">Gateway vs HAProxy 2.6 (one core each)</text>' % rx)
    out.append('<text x="%d" y="46" fill="#555">TLS 1.3 + RS256 JWT + rate limit, wrk -c50, req/s</text>' % rx)
    if rows:
        peak = max(float(r["rps"]) for r in rows) * 1.15
        slot = rw / 2
        for i, scenario in enumerate(("repeated", "distinct")):
            for j, proxy in enumerate(("haproxy", "gateway")):
                row = next((r for r in rows if r["proxy"] == proxy and r["tokens"] == scenario), None)
                if row is None:
                    continue
                rps = float(row["rps"])
                h = rps / peak * panel_h
                x = rx + i * slot + 20 + j * 60
                colour = "#9c755f" if proxy == "haproxy" else "#4e79a7"
                out.append('<rect x="%.1f" y="%.1f" width="52" height="%.1f" fill="%s"/>' % (x, top + panel_h - h, h, colour))
                out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%.0f</text>' % (x + 26, top + panel_h - h - 18, rps))
                out.append('<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555">p99 %.1f ms</text>'
                           % (x + 26, top + panel_h - h - 5, float(row["p99_us"]) / 1000))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%s tokens</text>' % (rx + i * slot + 76, top + panel_h + 16, scenario))
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="#9c755f"/><text x="%d" y="%d">HAProxy</text>'
                   % (rx, height - 30, rx + 16, height - 20))
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="#4e79a7"/><text x="%d" y="%d">apisec gateway</text>'
                   % (rx + 90, height - 30, rx + 106, height - 20))
    else:
        out.append('<text x="%d" y="%d" fill="#b00">no load results (run load/gateway-vs-haproxy.sh --csv)</text>' % (rx, top + 40))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333"/>' % (rx, rx + rw, top + panel_h, top + panel_h))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        results = json.load(f)
    rows = load_rows(argv[2] if len(argv) == 4 else None)
    jdk = results[0].get("jdkVersion", "?") if results else "?"
    note = "JDK %s, %d JMH runs; bars per variant: p50 p90 p99 p99.9 (log scale)" % (jdk, len(results))
    with open(argv[-1], "w") as f:
        f.write(draw(results, rows, note))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
