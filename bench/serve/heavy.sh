#!/usr/bin/env bash
# Heavy work against predictions: an honest client's POST /api/predict latency (one connection, a
# 280x280 page drawing) alone, then while eight heavy clients (eight forwarded addresses, believed
# from loopback via Proxy:KnownProxies) hammer POST /api/explain/nudge as fast as they are answered.
# Run three times: with the heavy-work cap and priority as configured by default (HeavyWork:MaxConcurrent,
# half the cores; HeavyWork:Nice 10), with the same cap at normal priority, and with the cap lifted (64),
# so the effect of each shows on this machine. The rate limit is lifted
# in both: the point is the CPU, not the permits. Installs wrk with apt when it is missing.
#   bench/serve/heavy.sh [SECONDS]      (default 10 s per phase)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
source bench/serve/prelude.sh
port=5189

# the honest client's drawing, and the heavy clients' nudge of a vertical stroke toward 7 from eight addresses
cat > "$work/honest.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
wrk.headers["X-Forwarded-For"] = "198.51.100.1"
local f = io.open("bench/canvas/seven-280.png", "rb"); wrk.body = f:read("*a"); f:close()
LUA
python3 -c 'import json; print(json.dumps({"pixels": [255 if 12 <= i % 28 < 16 and 4 < i // 28 < 24 else 0 for i in range(784)]}))' > "$work/stroke.json"
cat > "$work/heavy.lua" <<LUA
wrk.method = "POST"
wrk.path = "/api/explain/nudge?target=7"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/stroke.json", "rb"); wrk.body = f:read("*a"); f:close()
local n = 0
function request()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = "203.0.113." .. (n % 8 + 1)
  return wrk.format()
end
LUA

start() { # MAX_CONCURRENT_HEAVY (0: the default) [NICE (default 10)]
  (cd src/LeNet5.Web/bin/Release/net10.0 && ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Data__Directory="$work/data" RateLimit__PermitLimit=10000000 Proxy__KnownProxies__0=127.0.0.1 \
    HeavyWork__MaxConcurrent="$1" HeavyWork__Nice="${2:-10}" HeavyWork__QueueLimit=1000 Admin__Token="bench-admin-token-0123456789abcdefghij" \
    exec dotnet LeNet5.Web.dll >"$work/server.log" 2>&1) &
  server=$!
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
}
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
honest() { # LABEL: the honest client's p50 and p99, one connection
  local out; out=$(wrk -t1 -c1 -d"${seconds}s" --latency -s "$work/honest.lua" "http://127.0.0.1:$port/api/predict")
  printf '| %s | %s | %s | %s |' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
crowded() { # LABEL: the same while eight heavy clients nudge (8 connections)
  wrk -t2 -c8 -d"$((seconds + 2))s" -s "$work/heavy.lua" "http://127.0.0.1:$port" >"$work/heavy.out" &
  local crowd=$!
  sleep 1
  honest "$1"
  wait "$crowd"
  local non2xx rps
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/heavy.out"); non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/heavy.out")
  printf ' %s nudges/s, %s non-2xx |\n' "$rps" "${non2xx:-0}"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); ${seconds}s per phase"
echo "| honest client (POST /api/predict, page drawing) | requests/s | p50 | p99 | heavy clients |"
echo "|---|---|---|---|---|"
start 0
honest "alone"; echo " none |"
crowded "8 heavy clients, cap HeavyWork:MaxConcurrent default ($(( $(nproc) / 2 > 1 ? $(nproc) / 2 : 1 ))), nice 10"
stop
start 0 0
crowded "8 heavy clients, the same cap at normal priority (nice 0)"
stop
start 64
crowded "8 heavy clients, cap lifted (64)"
stop
