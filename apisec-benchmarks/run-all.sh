#!/usr/bin/env bash
# Re-measures everything BENCHMARKS.md reports, into apisec-benchmarks/results/:
# the JMH suites (results.json, jmh.log, redis-roundtrips.txt), the budget check (budget.txt),
# the gateway-vs-HAProxy load (load.csv, load.txt), the chart (chart.svg) and the tables (tables.md).
# Usage: apisec-benchmarks/run-all.sh [extra JMH options, e.g. -wi 1 -i 2 for a quick look]
# Needs the jars: mvn -pl apisec-benchmarks,apisec-standalone -am package -DskipTests
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/apisec-benchmarks/results"
JAR="$ROOT/apisec-benchmarks/target/benchmarks.jar"
[ -f "$JAR" ] || { echo "run-all: $JAR is missing; build it first" >&2; exit 2; }
mkdir -p "$OUT"
rm -f "$OUT/redis-roundtrips.txt"
{ echo "date: $(date -u +%FT%TZ)"; echo "nproc: $(nproc)"; free -h; java -version 2>&1; uptime; } > "$OUT/machine.txt"
(cd "$OUT" && java -jar "$JAR" -f 1 -wi 3 -w 2s -i 5 -r 1s "$@" -rf json -rff "$OUT/results.json" 2>&1 | tee "$OUT/jmh.log")
java -cp "$JAR" io.apisec.benchmarks.BudgetCheck "$OUT/results.json" "$ROOT/apisec-benchmarks/budgets.properties" \
  | tee "$OUT/budget.txt"
budget=${PIPESTATUS[0]}
"$ROOT/apisec-benchmarks/load/gateway-vs-haproxy.sh" --csv "$OUT/load.csv" 2>&1 | tee "$OUT/load.txt"
python3 "$ROOT/apisec-benchmarks/chart/chart.py" "$OUT/results.json" "$OUT/load.csv" "$OUT/chart.svg"
python3 "$ROOT/apisec-benchmarks/chart/tables.py" --load "$OUT/load.csv" --redis "$OUT/redis-roundtrips.txt" \
  "$OUT/results.json" > "$OUT/tables.md"
echo "run-all: results in $OUT (budget check exit status $budget)"
exit "$budget"
