#!/usr/bin/env bash
# The slow-client soak: the Release app (Production, rate limits lifted) under a 384 MB
# GC heap limit (what a container memory limit sets), 64 slow clients that each declare a 5 MB
# image and trickle it, reconnecting whenever they are cut off or refused, beside a steady wrk load
# of page drawings (2 threads, 8 connections) for SECONDS (default 60). Prints the steady load's
# answers by status, what the slow clients got, connection failures and the server's peak RSS.
# Installs wrk with apt when it is missing.
#   bench/serve/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
source bench/serve/prelude.sh
port=5188
(cd src/LeNet5.Web/bin/Release/net10.0 && ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" DOTNET_GCHeapHardLimit=0x18000000 \
  Data__Directory="$work/data" RateLimit__PermitLimit=10000000 Admin__Token="bench-admin-token-0123456789abcdefghij" \
  exec dotnet LeNet5.Web.dll >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
pid=$(pgrep -f "LeNet5.Web.dll" | while read -r p; do [ "$(readlink "/proc/$p/cwd")" = "$PWD/src/LeNet5.Web/bin/Release/net10.0" ] && echo "$p"; done | head -1)
[ -n "$pid" ] || { echo "the app did not start:"; cat "$work/server.log"; exit 1; }

# the steady load: wrk counts the answers by status in a Lua table per thread
cat > "$work/steady.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
local f = io.open("bench/canvas/seven-280.png", "rb"); wrk.body = f:read("*a"); f:close()
local threads = {}
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function init() statuses = {} end
function response(status) statuses[status] = (statuses[status] or 0) + 1 end
function done()
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. ": " .. n) end
  table.sort(parts)
  io.write("steady load answers: " .. table.concat(parts, ", ") .. "\n")
end
LUA

peak=0
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status"; sleep 0.5; done ) > "$work/rss" &
sampler=$!
python3 bench/serve/slow_clients.py 127.0.0.1 "$port" 64 "$seconds" > "$work/slow" &
slow=$!
wrk -t2 -c8 -d"${seconds}s" -s "$work/steady.lua" "http://127.0.0.1:$port/api/predict" > "$work/wrk"
wait "$slow"
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss" | tail -1)
start=$(head -1 "$work/rss")

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); ${seconds}s; GC heap limit 384 MB"
grep -E "Requests/sec|Socket errors" "$work/wrk" || true
grep "steady load answers" "$work/wrk"
cat "$work/slow"
echo "server RSS: $((start / 1024)) MB after start, peak $((peak / 1024)) MB during the soak"
echo "server log lines at Error or above: $(grep -cE '\[(ERR|FTL)\]|"Level":"(Error|Fatal)"' "$work/server.log" || true)"
