#!/usr/bin/env python3
"""Prints BENCHMARKS.md's tables (Markdown) from one JMH JSON result file and the load CSV, so
every figure and ratio in the document comes from one run and none is typed by hand.

Usage: tables.py [--load load.csv] [--redis redis-roundtrips.txt] results.json [more.json ...]
(standard library only; several JSON files are read as one list of runs)
"""
import csv
import json
import re
import sys

TO_US = {"ns/op": 1e-3, "us/op": 1.0, "ms/op": 1e3, "s/op": 1e6}


class Results:
    def __init__(self, runs):
        self.runs = runs

    def find(self, name, mode, threads=None, **params):
        for run in self.runs:
            if not run["benchmark"].endswith("." + name) or run["mode"] != mode:
                continue
            if threads is not None and run["threads"] != threads:
                continue
            if all(run.get("params", {}).get(k) == v for k, v in params.items()):
                return run
        return None

    def us(self, name, mode="avgt", figure="score", threads=None, **params):
        run = self.find(name, mode, threads, **params)
        if run is None:
            return None
        metric = run["primaryMetric"]
        value = metric["score"] if figure == "score" else metric["scorePercentiles"][figure]
        return value * TO_US[metric["scoreUnit"]]

    def ops(self, name, threads=None, **params):
        run = self.find(name, "thrpt", threads, **params)
        if run is None:
            return None
        unit = run["primaryMetric"]["scoreUnit"]
        factor = {"ops/s": 1, "ops/ms": 1e3, "ops/us": 1e6}[unit]
        return run["primaryMetric"]["score"] * factor, run["primaryMetric"]["scoreError"] * factor


def fmt(value):
    if value is None:
        return "–"
    if value >= 1000:
        return "%.2f ms" % (value / 1000)
    if value >= 10:
        return "%.1f µs" % value
    return "%.2f µs" % value


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return ("%.2f×" if a / b >= 0.1 else "%.3f×" if a / b >= 0.01 else "%.4f×") % (a / b)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def pipeline(r):
    rows = []
    for token in ("repeated", "cold"):
        for alg in ("RS256", "ES256"):
            for name, threads in (("pipeline", 1), ("pipelineAllCores", None)):
                run = r.find(name, "sample", threads, token=token, alg=alg)
                if run is None:
                    continue
                p = dict(alg=alg, token=token)
                rows.append([token, alg, str(run["threads"]), fmt(r.us(name, "avgt", **p)),
                             fmt(r.us(name, "sample", "50.0", **p)), fmt(r.us(name, "sample", "90.0", **p)),
                             fmt(r.us(name, "sample", "99.0", **p)), fmt(r.us(name, "sample", "99.9", **p))])
            bare = r.us("bareLibraries", token=token, alg=alg)
            ours = r.us("pipeline", token=token, alg=alg)
            rows.append([token, alg, "1", "bare libraries chained: " + fmt(bare), "", "", "",
                         "ours / bare: " + ratio(ours, bare)])
    return table(["token", "alg", "threads", "mean (avgt)", "p50", "p90", "p99", "p99.9"], rows)


def jwt(r):
    rows = []
    for alg in ("RS256", "ES256"):
        for token in ("cold", "repeated"):
            ours = r.us("apisecStage", token=token, alg=alg)
            bare = r.us("nimbusProcessor", token=token, alg=alg)
            rows.append([alg, token, fmt(ours), fmt(r.us("apisecStage", "sample", "99.0", token=token, alg=alg)),
                         fmt(bare), fmt(r.us("nimbusProcessor", "sample", "99.0", token=token, alg=alg)), ratio(ours, bare)])
    return table(["alg", "token", "JWT stage mean", "stage p99", "nimbus DefaultJWTProcessor mean", "nimbus p99",
                  "stage / nimbus"], rows)


def payload(r):
    rows = []
    for body in ("valid", "invalid"):
        ours = r.us("PayloadBenchmark.apisecStage", body=body)
        bare = r.us("jacksonAndValidator", body=body)
        rows.append([body, fmt(ours), fmt(r.us("PayloadBenchmark.apisecStage", "sample", "99.0", body=body)), fmt(bare),
                     fmt(r.us("jacksonAndValidator", "sample", "99.0", body=body)), ratio(ours, bare)])
    return table(["1 KB body", "payload stage mean", "stage p99", "Jackson + networknt mean", "bare p99",
                  "stage / bare"], rows)


def stages(r):
    names = [("frontDoorOnly", "front door, no stage (hygiene, routing, request id, headers)"),
             ("mtlsStage", "mTLS identity stage (+ front door)"),
             ("rateLimitStage", "local rate-limit stage keyed by IP (+ front door)"),
             ("bareBucket", "bare bucket4j bucket tryConsume"),
             ("caffeineBucketAmong100k", "bare Caffeine lookup among 100k buckets + tryConsume"),
             ("sha256AndCaffeineHit", "bare SHA-256 of the token + Caffeine hit")]
    rows = [[label, fmt(r.us(n)), fmt(r.us(n, "sample", "50.0")), fmt(r.us(n, "sample", "99.0"))] for n, label in names]
    front = r.us("frontDoorOnly")
    rows.append(["rate-limit stage − front door, vs bare Caffeine + bucket",
                 fmt(None if front is None or r.us("rateLimitStage") is None else r.us("rateLimitStage") - front),
                 "", ratio(None if front is None or r.us("rateLimitStage") is None else r.us("rateLimitStage") - front,
                           r.us("caffeineBucketAmong100k"))])
    return table(["what", "mean", "p50", "p99"], rows)


def providers(r):
    rows = []
    for cls, alg, provs in (("Es256", "ES256", ("JDK", "BC", "Conscrypt")), ("EdDsa", "EdDSA", ("JDK", "BC", "Conscrypt"))):
        jdk = r.us(cls + ".rawSignature", provider="JDK")
        for p in provs:
            raw = r.us(cls + ".rawSignature", provider=p)
            stage = r.us(cls + ".apisecStage", provider=p)
            if raw is None and stage is None:
                rows.append([alg, p, "not offered", "", ""])
                continue
            rows.append([alg, p, fmt(raw), fmt(stage), ratio(jdk, raw)])
    return table(["alg", "provider", "raw Signature.verify", "JWT stage, cold token, provider first", "JDK / provider"], rows)


def redis(r, roundtrips):
    rows = []
    trips = {}
    for line in roundtrips:
        m = re.search(r"optimization=(\w+) keys=(\d+) threads=(\d+) decisions=\d+: Redis commands per decision ([0-9.]+) "
                      r"\(([^)]*)\); round trips per decision ([0-9.]+)", line)
        if m:
            trips[(m.group(1), m.group(2), int(m.group(3)))] = (m.group(4), m.group(6))
    for opt in ("none", "batching", "delaying"):
        for keys in ("10000", "1"):
            for name, threads in (("oneThread", 1), ("fourThreads", 4)):
                got = r.ops(name, optimization=opt, keys=keys)
                if got is None:
                    continue
                t = trips.get((opt, keys, threads), ("–", "–"))
                rows.append([opt, keys, str(threads), "%.0f ± %.0f" % got, t[1], t[0]])
    return table(["optimization", "keys", "threads", "decisions/s", "round trips/decision", "Redis commands/decision"], rows)


def adapters(r):
    rows = []
    for framework, label in (("netty", "Netty 4.1 (HttpServerCodec)"), ("vertx", "Vert.x 4.5 Router")):
        bare = r.us("AdapterBenchmark.request", framework=framework, server="bare")
        ours = r.us("AdapterBenchmark.request", framework=framework, server="apisec")
        if bare is None and ours is None:
            continue
        rows.append([label, fmt(bare), fmt(r.us("AdapterBenchmark.request", "sample", "99.0", framework=framework, server="bare")),
                     fmt(ours), fmt(r.us("AdapterBenchmark.request", "sample", "99.0", framework=framework, server="apisec")),
                     fmt(None if bare is None or ours is None else ours - bare), ratio(ours, bare)])
    return table(["framework", "bare mean", "bare p99", "with apisec mean", "with apisec p99", "added per request",
                  "apisec / bare"], rows)


def load(rows):
    out = []
    by = {(x["proxy"], x["tokens"]): x for x in rows}
    for tokens in ("repeated", "distinct"):
        h, g = by.get(("haproxy", tokens)), by.get(("gateway", tokens))
        for name, x in (("HAProxy 2.6", h), ("apisec gateway", g)):
            if x:
                out.append([tokens, name, "%.0f" % float(x["rps"])] +
                           ["%.2f ms" % (float(x[k]) / 1000) for k in ("p50_us", "p90_us", "p99_us", "p999_us")] +
                           [x["non2xx"]])
        if h and g:
            out.append([tokens, "**gateway / HAProxy**", "**%.2f×**" % (float(g["rps"]) / float(h["rps"])), "", "",
                        "**%.2f×**" % (float(g["p99_us"]) / float(h["p99_us"])), "", ""])
    return table(["tokens", "proxy", "req/s", "p50", "p90", "p99", "p99.9", "non-2xx"], out)


def main(argv):
    args = list(argv[1:])
    load_rows, roundtrips, runs = [], [], []
    while args:
        a = args.pop(0)
        if a == "--load":
            with open(args.pop(0), newline="") as f:
                load_rows = list(csv.DictReader(f))
        elif a == "--redis":
            with open(args.pop(0)) as f:
                roundtrips = f.read().splitlines()
        else:
            with open(a) as f:
                runs += json.load(f)
    if not runs:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    r = Results(runs)
    for title, body in (("Whole pipeline", pipeline(r)), ("JWT stage vs nimbus", jwt(r)),
                        ("Payload stage vs Jackson + networknt", payload(r)), ("Cheap stages and bare building blocks", stages(r)),
                        ("JCA providers for ES256 and EdDSA", providers(r)), ("Redis limiter", redis(r, roundtrips)),
                        ("Adapter overhead over the bare framework", adapters(r)),
                        ("Gateway vs HAProxy", load(load_rows))):
        print("#### " + title + "\n\n" + body + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
