#!/usr/bin/env bash
# The serving benchmark: the Release web app (Production, rate limits lifted) under wrk,
# 2 threads and 16 connections, for GET /api/models, GET /healthz, POST /api/predict with 784 JSON
# pixels, and POST /api/predict with a 280x280 page drawing (a PNG exported by Chromium's canvas,
# bench/canvas/seven-280.png); then the PNG path's throughput as a share of the pixels path's,
# measured in the same run, the time of the first drawing after the app reports healthy, and the
# preparation figures of `lenet5 bench --prepare-only` (one core). Installs wrk with apt when it is missing.
#   bench/serve/serve.sh [SECONDS]      (default 10 s per request kind)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
source bench/serve/prelude.sh
dotnet build src/LeNet5.Cli -c Release --nologo -v quiet >/dev/null
port=5187
(cd src/LeNet5.Web/bin/Release/net10.0 && ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
  Data__Directory="$work/data" RateLimit__PermitLimit=10000000 Admin__Token="bench-admin-token-0123456789abcdefghij" \
  exec dotnet LeNet5.Web.dll >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

# the bodies: the first MNIST test digit as 784 pixels (and a canvas drawing, replaced below by the page's own PNG)
dotnet bench/serve/bodies/bin/Release/net10.0/bodies.dll "$work" 2>/dev/null || {
  dotnet build bench/serve/bodies -c Release --nologo -v quiet >/dev/null && dotnet bench/serve/bodies/bin/Release/net10.0/bodies.dll "$work"; }
cp bench/canvas/seven-280.png "$work/canvas.png"
first=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: image/png' --data-binary "@$work/canvas.png" "http://127.0.0.1:$port/api/predict")

post() { # FILE CONTENT-TYPE -> a wrk Lua script that POSTs the file
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "%s"\nlocal f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' "$2" "$1" > "$1.lua"
  echo "$1.lua"
}
run() { # KEY NAME PATH [SCRIPT]
  local key=$1; shift
  local out; out=$(wrk -t2 -c16 -d"${seconds}s" --latency ${3:+-s "$3"} "http://127.0.0.1:$port$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); errors=${errors:-0}
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" > "$work/$key.rps"
}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c16 -d${seconds}s"
echo "| request | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run models "GET /api/models" /api/models
run health "GET /healthz" /healthz
run pixels "POST /api/predict, JSON pixels" /api/predict "$(post "$work/pixels.json" application/json)"
run png "POST /api/predict, 280x280 page drawing (PNG)" /api/predict "$(post "$work/canvas.png" image/png)"
pixels=$(cat "$work/pixels.rps"); png=$(cat "$work/png.rps")
echo "PNG path at $(awk -v a="$png" -v b="$pixels" 'BEGIN { printf "%.1f%%", 100 * a / b }') of the pixels path's throughput; first PNG request after the app reports healthy: $(awk -v t="$first" 'BEGIN { printf "%.1f ms", 1000 * t }') (curl's time_total)"
echo
echo "preparation on one core (lenet5 bench --prepare-only, while the server idles):"
dotnet src/LeNet5.Cli/bin/Release/net10.0/lenet5.dll bench --prepare-only 2>/dev/null | grep -v '^found'
