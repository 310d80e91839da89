#!/usr/bin/env bash
# The standalone gateway against HAProxy 2.6 doing the same checks, on one pinned core each, one
# after the other, driven by the same wrk load from the other core (issue 9, target T5).
#
# Both terminate TLS 1.3, verify an RS256 bearer token (signature, exp, iss, aud), apply a rate
# limit keyed by the token's sub (never reached: the point is its cost), and proxy to the same
# loopback upstream. Two loads each: one token repeated, and a wrk Lua script rotating through
# pre-minted distinct tokens. Prints req/s and latency percentiles of each and their ratio.
#
# Usage: apisec-benchmarks/load/gateway-vs-haproxy.sh [-d SECONDS] [-w WARMUP] [-c CONNECTIONS] [-t THREADS]
#        [--only haproxy|gateway] [--csv FILE] [--idle CONNECTIONS] [--jit-warmup SECONDS]
# The gateway gets --jit-warmup seconds (default 40) of load, in 10 s rounds alternating the two
# token loads with fresh connections each round, before its first
# measurement: pinned to one core, the JIT compilers share that core with the event loop and take
# ~40 s of load to finish (a flight recording shows C2 at 25-48 % of the core until then).
# After the gateway's load it holds CONNECTIONS idle TLS 1.3 connections open (default 1000) and
# reports the gateway's heap after a full GC, and its resident memory, without and with them (T6).
# GATEWAY_JAVA_OPTS (environment) adds JVM options to the gateway's, e.g. to record a profile.
# Needs: haproxy (2.5+ for jwt_verify), wrk, java 17+, openssl, curl, taskset, python3, and the jars
# built by `mvn -pl apisec-benchmarks,apisec-standalone -am package -DskipTests`.
# Loopback only; bounded (the defaults take about 3 minutes, a watchdog stops it at 295 s); it
# stops only the processes it started, by pid.
set -euo pipefail

DURATION=20
WARMUP=10
CONNECTIONS=50
THREADS=1
ONLY=""
CSV=""
TOKENS=1000
IDLE=1000       # idle TLS connections held open against the gateway for the memory figure (T6); 0 skips it
SOAK=0          # seconds of mixed valid/invalid traffic against the gateway, resources sampled before and after
JIT_WARMUP=40   # seconds of load before the gateway's first warm-up: C2 on the one pinned core needs ~40 s
LIMIT=1000000   # requests per second per subject: the limit is enforced but never reached

while [ $# -gt 0 ]; do
  case "$1" in
    -d) DURATION="$2"; shift 2 ;;
    -w) WARMUP="$2"; shift 2 ;;
    -c) CONNECTIONS="$2"; shift 2 ;;
    -t) THREADS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --csv) CSV="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --soak) SOAK="$2"; shift 2 ;;
    --jit-warmup) JIT_WARMUP="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "gateway-vs-haproxy: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "gateway-vs-haproxy: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed: $2"; }
need haproxy "install HAProxy 2.6 (apt-get install haproxy)"
need wrk "install wrk (apt-get install wrk)"
need java "install a JDK 17 or later"
need openssl "install openssl"
need curl "install curl"
need taskset "install util-linux (taskset)"
need python3 "install python3 (used to find free ports and to hold idle connections)"
need jcmd "install a full JDK (jcmd reads the gateway's heap)"
# (no `head` in pipelines: with pipefail, a writer killed by SIGPIPE would end the script)
HAPROXY_VERSION=$(haproxy -v | sed -nE '1s/.*version ([0-9]+\.[0-9]+).*/\1/p')
python3 -c "import sys; sys.exit(0 if tuple(map(int, '$HAPROXY_VERSION'.split('.'))) >= (2, 5) else 1)" \
  || die "HAProxy $HAPROXY_VERSION has no jwt_verify; 2.5 or later is needed (2.6 is what BENCHMARKS.md used)"
[ "$(nproc)" -ge 2 ] || die "needs 2 cores: core 0 for the proxy under test, core 1 for wrk and the upstream"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH_JAR="$ROOT/apisec-benchmarks/target/benchmarks.jar"
GATEWAY_JAR="${GATEWAY_JAR:-$ROOT/apisec-standalone/target/apisec-standalone.jar}"
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR is missing: build it with mvn -pl apisec-benchmarks -am package -DskipTests"
if [ "$ONLY" != "haproxy" ] && [ ! -f "$GATEWAY_JAR" ]; then
  die "$GATEWAY_JAR is missing: build it with mvn -pl apisec-standalone -am package -DskipTests (or run --only haproxy)"
fi

WORK="$(mktemp -d /tmp/apisec-load.XXXXXX)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# the watchdog: the whole comparison is bounded whatever happens
( trap 'kill $sleeper 2>/dev/null; exit 0' TERM
  sleep 295 & sleeper=$!
  wait $sleeper && { echo "gateway-vs-haproxy: stopped by the 295 s watchdog" >&2; kill -TERM $$ 2>/dev/null; } ) &
WATCHDOG=$!
PIDS+=("$WATCHDOG")

calc() { # expression
  awk "BEGIN { printf \"%.4f\", $1 }"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() { # port, pid, name
  local deadline=$((SECONDS + 60))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "--- $3 log:" >&2; cat "$WORK/$3.log" >&2 || true; die "$3 exited before listening on $1"; }
    [ $SECONDS -lt $deadline ] || die "$3 did not listen on port $1 within 60 s"
    sleep 0.2
  done
}

stop() { # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

ISSUER="https://issuer.bench/"
AUDIENCE="api"
UPSTREAM_PORT=$(free_port)
PROXY_PORT=$(free_port)
ADMIN_PORT=$(free_port)

echo "== preparing in $WORK: TLS certificate, RSA-2048 JWT key, $TOKENS distinct RS256 tokens"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/server-key.pem" -out "$WORK/server.pem" 2>/dev/null
cat "$WORK/server.pem" "$WORK/server-key.pem" > "$WORK/haproxy-bundle.pem"
java -cp "$BENCH_JAR" io.apisec.benchmarks.LoadTokens "$WORK" "$TOKENS" "$ISSUER" "$AUDIENCE"
TOKEN="$(cat "$WORK/token.txt")"

cat > "$WORK/repeated.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
cat > "$WORK/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50=%d p90=%d p99=%d p999=%d max=%d errors=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, errors, summary.errors.status, summary.requests))
end
EOF
cat "$WORK/report.lua" >> "$WORK/repeated.lua"
cat > "$WORK/distinct.lua" <<EOF
local tokens = dofile("$WORK/tokens.lua")
local i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", "/orders", { ["Authorization"] = "Bearer " .. tokens[i] })
end
EOF
cat "$WORK/report.lua" >> "$WORK/distinct.lua"
# The soak mix: valid rotating tokens, no token, a tampered token, an ambiguous path, a wrong method.
cat > "$WORK/mixed.lua" <<EOF
local tokens = dofile("$WORK/tokens.lua")
local i = 0
request = function()
  i = i + 1
  local token = tokens[i % #tokens + 1]
  local kind = i % 5
  if kind == 1 then
    return wrk.format("GET", "/orders", {})
  elseif kind == 2 then
    return wrk.format("GET", "/orders", { ["Authorization"] = "Bearer " .. token:sub(1, -5) .. "AAAA" })
  elseif kind == 3 then
    return wrk.format("GET", "/orders/..%2f..%2fadmin", { ["Authorization"] = "Bearer " .. token })
  elseif kind == 4 then
    return wrk.format("DELETE", "/orders", { ["Authorization"] = "Bearer " .. token })
  end
  return wrk.format("GET", "/orders", { ["Authorization"] = "Bearer " .. token })
end
EOF
cat "$WORK/report.lua" >> "$WORK/mixed.lua"

# The upstream: answers 200 to everything and serves the JWKS the gateway fetches. Pinned to core 1
# with wrk, so that core 0 belongs to the proxy under test alone.
cat > "$WORK/upstream.cfg" <<EOF
global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend upstream
  bind 127.0.0.1:$UPSTREAM_PORT
  http-request return status 200 content-type application/json file $WORK/jwks.json if { path /jwks.json }
  http-request return status 200 content-type text/plain string "ok"
EOF
taskset -c 1 haproxy -db -f "$WORK/upstream.cfg" > "$WORK/upstream.log" 2>&1 &
UPSTREAM=$!
PIDS+=("$UPSTREAM")
wait_for_port "$UPSTREAM_PORT" "$UPSTREAM" upstream

# HAProxy as the peer: TLS 1.3, jwt_verify RS256 with alg/iss/aud/exp checks, a stick table keyed by sub.
cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4000
  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
backend upstream
  http-reuse always
  server up 127.0.0.1:$UPSTREAM_PORT
frontend api
  bind 127.0.0.1:$PROXY_PORT ssl crt $WORK/haproxy-bundle.pem ssl-min-ver TLSv1.3 alpn http/1.1
  stick-table type string len 64 size 200k expire 120s store http_req_rate(1s)
  http-request deny deny_status 404 unless { path /orders }
  http-request deny deny_status 401 unless { req.hdr(authorization) -m beg "Bearer " }
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('\$.alg')
  http-request deny deny_status 401 unless { var(txn.alg) -m str RS256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"$WORK/jwt-public.pem") -m int 1 }
  http-request set-var(txn.iss) var(txn.bearer),jwt_payload_query('\$.iss')
  http-request deny deny_status 401 unless { var(txn.iss) -m str $ISSUER }
  http-request set-var(txn.aud) var(txn.bearer),jwt_payload_query('\$.aud')
  http-request deny deny_status 401 unless { var(txn.aud) -m str $AUDIENCE }
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('\$.exp','int')
  http-request set-var(txn.now) date()
  http-request deny deny_status 401 unless { var(txn.exp),sub(txn.now) -m int gt 0 }
  http-request set-var(txn.sub) var(txn.bearer),jwt_payload_query('\$.sub')
  http-request track-sc0 var(txn.sub)
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt $LIMIT }
  default_backend upstream
EOF

# The gateway: the same route with jwt and a rate limit keyed by jwt.sub, keys from the upstream's JWKS.
cat > "$WORK/gateway.yaml" <<EOF
gateway:
  https:
    host: 127.0.0.1
    port: $PROXY_PORT
    certificate: server.pem
    private-key: server-key.pem
    protocols: [ TLSv1.3 ]
  upstream:
    url: http://127.0.0.1:$UPSTREAM_PORT
  admin: { host: 127.0.0.1, port: $ADMIN_PORT }
  watch-config: false
audit: { enabled: false }
jwt:
  issuers:
    - issuer: $ISSUER
      jwks-uri: http://127.0.0.1:$UPSTREAM_PORT/jwks.json
      audiences: [ $AUDIENCE ]
      algorithms: [ RS256 ]
rate-limits:
  per-subject:
    key: jwt.sub
    limits: [ { capacity: $LIMIT, refill: $LIMIT/1s } ]
routes:
  - match: GET /orders
    auth: jwt
    rate-limit: [ per-subject ]
EOF

# Equivalent checks, proven before measuring: a valid token passes, a missing or tampered one does not.
sanity() { # name
  local url="https://127.0.0.1:$PROXY_PORT/orders" ok missing tampered sig flip
  # flip one character in the middle of the signature (the last one may only carry padding bits)
  sig="${TOKEN##*.}"
  flip=A; [ "${sig:20:1}" = A ] && flip=B
  ok=$(curl -sk -o /dev/null -w '%{http_code}' --tlsv1.3 -H "Authorization: Bearer $TOKEN" "$url")
  missing=$(curl -sk -o /dev/null -w '%{http_code}' --tlsv1.3 "$url")
  tampered=$(curl -sk -o /dev/null -w '%{http_code}' --tlsv1.3 -H "Authorization: Bearer ${TOKEN%.*}.${sig:0:20}$flip${sig:21}" "$url")
  echo "   $1 sanity: valid token $ok, no token $missing, tampered signature $tampered"
  [ "$ok" = 200 ] && [ "$missing" = 401 ] && [ "$tampered" = 401 ] \
    || die "$1 does not apply the expected checks (want 200/401/401); log in $WORK/$1.log"
}

declare -A RESULT
measure() { # name scenario
  local script="$WORK/$2.lua" out
  taskset -c 1 timeout $((WARMUP + 15)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" \
    "https://127.0.0.1:$PROXY_PORT/orders" > /dev/null 2>&1 || true
  out=$(taskset -c 1 timeout $((DURATION + 15)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$script" "https://127.0.0.1:$PROXY_PORT/orders" 2>&1) || true
  local line
  line=$(grep '^RESULT' <<<"$out" || true)
  [ -n "$line" ] || { echo "$out" >&2; die "wrk gave no result for $1 $2"; }
  RESULT["$1,$2"]="$line"
  echo "   $1 $2: $line"
}

heap_kb() { # pid: heap used after a full GC, in KB (the sum over generations: Serial, Parallel or G1)
  jcmd "$1" GC.run > /dev/null 2>&1 || true
  jcmd "$1" GC.heap_info 2>/dev/null | grep -E '(heap|generation|Gen) +total' \
    | grep -oE 'used [0-9]+K' | grep -oE '[0-9]+' | awk '{ sum += $1 } END { print sum + 0 }'
}
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }

MEMORY=""
idle_memory() { # pid of the gateway
  [ "$IDLE" -gt 0 ] || return 0
  local heap0 rss0 heap1 rss1 holder deadline
  heap0=$(heap_kb "$1"); rss0=$(rss_kb "$1")
  cat > "$WORK/idle.py" <<PYTHON
import socket, ssl, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
held = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", $PROXY_PORT)), server_hostname="localhost")
        for _ in range($IDLE)]
open("$WORK/idle.ready", "w").write(str(len(held)))
time.sleep(120)
PYTHON
  taskset -c 1 python3 "$WORK/idle.py" > "$WORK/idle.log" 2>&1 &
  holder=$!
  PIDS+=("$holder")
  deadline=$((SECONDS + 60))
  until [ -f "$WORK/idle.ready" ]; do
    kill -0 "$holder" 2>/dev/null || { cat "$WORK/idle.log" >&2; die "could not hold $IDLE idle TLS connections"; }
    [ $SECONDS -lt $deadline ] || die "opening $IDLE idle TLS connections took over 60 s"
    sleep 0.2
  done
  heap1=$(heap_kb "$1"); rss1=$(rss_kb "$1")
  stop "$holder"
  MEMORY=$(printf 'gateway memory with %d idle TLS 1.3 connections: heap after GC %.1f MB -> %.1f MB (+%.1f MB, %.1f MB per 1,000); RSS %.1f MB -> %.1f MB (+%.1f MB)' \
    "$IDLE" "$(calc "$heap0 / 1024")" "$(calc "$heap1 / 1024")" "$(calc "($heap1 - $heap0) / 1024")" \
    "$(calc "($heap1 - $heap0) / 1024 * 1000 / $IDLE")" "$(calc "$rss0 / 1024")" "$(calc "$rss1 / 1024")" \
    "$(calc "($rss1 - $rss0) / 1024")")
  echo "   $MEMORY"
}

resources() { # pid: heap KB after GC, threads, open file descriptors
  echo "$(heap_kb "$1") $(ls "/proc/$1/task" | wc -l) $(ls "/proc/$1/fd" | wc -l)"
}

soak() { # pid of the gateway: mixed traffic for SOAK seconds, then resources must return to their baseline
  local before after out
  before=$(resources "$1")
  out=$(taskset -c 1 timeout $((SOAK + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SOAK}s" --latency \
    -s "$WORK/mixed.lua" "https://127.0.0.1:$PROXY_PORT" 2>&1) || true
  grep '^RESULT' <<<"$out" | sed 's/^/   soak: /' || { echo "$out" >&2; die "wrk gave no soak result"; }
  # wrk has closed its connections; let the gateway's timers pass, then sample again
  sleep 5
  after=$(resources "$1")
  read -r h0 t0 f0 <<<"$before"
  read -r h1 t1 f1 <<<"$after"
  SOAKED=$(printf 'soak %ds mixed traffic: heap after GC %.1f MB -> %.1f MB, threads %d -> %d, open fds %d -> %d' \
    "$SOAK" "$(calc "$h0 / 1024")" "$(calc "$h1 / 1024")" "$t0" "$t1" "$f0" "$f1")
  echo "   $SOAKED"
  [ "$t1" -le $((t0 + 2)) ] && [ "$f1" -le $((f0 + 4)) ] && [ "$h1" -le $((h0 + 16384)) ] \
    || die "resources did not return to their baseline after the soak ($SOAKED)"
}

run_proxy() { # name, command...
  local name="$1"; shift
  taskset -c 0 "$@" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_for_port "$PROXY_PORT" "$pid" "$name"
  sanity "$name"
  if [ "$name" = gateway ] && [ "$JIT_WARMUP" -gt 0 ]; then
    # in 10 s rounds alternating both loads, each opening and closing its connections: one long
    # uniform run left connection churn and the switch of load uncompiled, and C2 then deoptimised
    # and recompiled on the measured core during the first measurement (a flight recording shows
    # 100-350 ms compilations 2 s into it)
    local round=0 left="$JIT_WARMUP" slice
    while [ "$left" -gt 0 ]; do
      slice=$(( left < 10 ? left : 10 ))
      taskset -c 1 timeout $((slice + 15)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${slice}s" \
        -s "$WORK/$([ $((round % 2)) -eq 0 ] && echo distinct || echo repeated).lua" \
        "https://127.0.0.1:$PROXY_PORT/orders" > /dev/null 2>&1 || true
      left=$((left - slice)); round=$((round + 1))
    done
  fi
  measure "$name" repeated
  measure "$name" distinct
  if [ "$name" = gateway ] && [ "$SOAK" -gt 0 ]; then
    soak "$pid"
  fi
  if [ "$name" = gateway ]; then
    idle_memory "$pid"
  fi
  stop "$pid"
  while (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null; do sleep 0.2; done
}

echo "== load: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP}s warm-up then ${DURATION}s measured, TLS 1.3 keep-alive, GET /orders"
echo "   proxy on core 0 (taskset -c 0), wrk and upstream on core 1; HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }'), $(java -version 2>&1 | awk 'NR == 1')"
if [ "$ONLY" != "gateway" ]; then
  echo "== HAProxy"
  run_proxy haproxy haproxy -db -f "$WORK/haproxy.cfg"
fi
if [ "$ONLY" != "haproxy" ]; then
  echo "== apisec gateway"
  # GATEWAY_JAVA_OPTS adds JVM options, e.g. a flight recording of the whole run:
  #   GATEWAY_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/gw.jfr,settings=profile'
  # shellcheck disable=SC2086
  run_proxy gateway java -Xms256m -Xmx256m ${GATEWAY_JAVA_OPTS:-} -jar "$GATEWAY_JAR" --config "$WORK/gateway.yaml"
fi

field() { # line key
  sed -E "s/.*[ ]$2=([0-9.]+).*/\1/" <<<"$1"
}

echo
printf '%-10s %-9s %12s %9s %9s %9s %10s %7s\n' proxy tokens "req/s" "p50 ms" "p90 ms" "p99 ms" "p99.9 ms" non2xx
[ -n "$CSV" ] && echo "proxy,tokens,rps,p50_us,p90_us,p99_us,p999_us,non2xx,errors" > "$CSV"
for key in haproxy,repeated haproxy,distinct gateway,repeated gateway,distinct; do
  line="${RESULT[$key]:-}"
  [ -n "$line" ] || continue
  printf '%-10s %-9s %12.0f %9.2f %9.2f %9.2f %10.2f %7s\n' "${key%,*}" "${key#*,}" "$(field "$line" rps)" \
    "$(calc "$(field "$line" p50) / 1000")" "$(calc "$(field "$line" p90) / 1000")" \
    "$(calc "$(field "$line" p99) / 1000")" "$(calc "$(field "$line" p999) / 1000")" "$(field "$line" non2xx)"
  [ -n "$CSV" ] && echo "${key%,*},${key#*,},$(field "$line" rps),$(field "$line" p50),$(field "$line" p90),$(field "$line" p99),$(field "$line" p999),$(field "$line" non2xx),$(field "$line" errors)" >> "$CSV"
done
for scenario in repeated distinct; do
  h="${RESULT[haproxy,$scenario]:-}"
  g="${RESULT[gateway,$scenario]:-}"
  if [ -n "$h" ] && [ -n "$g" ]; then
    printf 'ratio gateway/HAProxy, %-8s tokens: req/s %.2f x, p99 %.2f x\n' "$scenario" \
      "$(calc "$(field "$g" rps) / $(field "$h" rps)")" "$(calc "$(field "$g" p99) / $(field "$h" p99)")"
  fi
done
[ -z "${SOAKED:-}" ] || echo "$SOAKED"
if [ -n "$MEMORY" ]; then
  echo "$MEMORY"
  [ -z "$CSV" ] || echo "$MEMORY" > "${CSV%.csv}-memory.txt"
fi
exit 0
