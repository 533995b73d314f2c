#!/usr/bin/env bash
# The example HTTP file server under the no-uring seccomp filter (the portable engine: io_uring_setup, _enter
# and _register fail with EPERM, as under Docker's default profile) beside the same server on io_uring, in one
# run: 4 KiB files, keep-alive GETs, req/s and the server's CPU per request, and their ratio.
#
#   microbench/server-bench.sh [SECONDS] [ROUNDS]                       (defaults 10 and 3)
#
# Each round starts the server twice, one after the other (every other round in the other order, so drift on
# a shared host hits both alike): `./i2o2 serve TREE --port 0 --wiring $WIRING` as it is, then the very same
# command under testsuite/src/test/c/no-uring.c. Each time the load generator runs WARMUP unmeasured seconds,
# then SECONDS measured ones, and the server is stopped. The result is the median over the rounds of each
# round's filtered / io_uring ratio (the issue's bar: >= 0.8x req/s).
#
# The load generator is wrk when LOAD=wrk (it must be installed; a Lua script picks a random path per
# request), else the module's own (`./i2o2 bench http-load`, io.i2o2.bench.http.HttpLoad: N keep-alive
# connections on T selector threads, no pipelining, the same random paths). Settings, from the environment:
#   WIRING=netty-uring      the server's wiring (netty-uring | channel | uring)
#   SERVER_THREADS=         --threads of the server (default: its own, one per processor)
#   CONNECTIONS=64 CLIENT_THREADS=2 WARMUP=3
#   FILES=1000              4 KiB files in the tree (random bytes), in 10 directories
#   SERVER_CPUS= CLIENT_CPUS=   taskset CPU lists for the server and the generator (e.g. 0-3 and 4-7): on a
#                           machine with enough CPUs keep them apart, or the two fight for the same ones
#   LOAD=http-load | wrk    the generator
#   OUT=bench-results/server-TIMESTAMP   logs and results.txt
#   ONLY=uring | filtered   run one half only (a check of the script itself)
#   FILTER=                 what the filtered half runs the server under, instead of the no-uring launcher
#                           (a check of the script: FILTER=env gives two io_uring halves, ratio ~1)
# Until the server runs under the filter, the filtered half exits at once with "cannot run: io_uring is
# forbidden" and the script says so and reports the io_uring half alone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-10}
rounds=${2:-3}
wiring=${WIRING:-netty-uring}
connections=${CONNECTIONS:-64}
client_threads=${CLIENT_THREADS:-2}
warmup=${WARMUP:-3}
files=${FILES:-1000}
load=${LOAD:-http-load}
only=${ONLY:-}
out=${OUT:-bench-results/server-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

say() { echo "server-bench: $*" >&2; }
die() { say "$*"; exit 1; }

# 1. Build outside the filter (a build failure must not read as the filter's): the server, the generator,
#    the launcher.
say "building (./i2o2 serve --help, ./i2o2 bench --help)"
./i2o2 serve --help >"$out/build.log" 2>&1 || { cat "$out/build.log"; die "./i2o2 serve --help failed"; }
./i2o2 bench --help >>"$out/build.log" 2>&1 || { cat "$out/build.log"; die "./i2o2 bench --help failed"; }
command -v gcc >/dev/null || die "gcc is needed to build the no-uring launcher"
launcher=$root/microbench/target/no-uring
mkdir -p "$(dirname "$launcher")"
gcc -O2 -Wall -o "$launcher.part" testsuite/src/test/c/no-uring.c && mv -f "$launcher.part" "$launcher"
if [ "$load" = wrk ]; then
  command -v wrk >/dev/null || die "LOAD=wrk but wrk is not installed (apt-get install wrk), or leave LOAD unset"
fi

# 2. The tree: FILES files of 4 KiB in 10 directories, and the list of their paths.
tree=$root/bench-results/server-tree-$files
if [ ! -f "$tree/.complete" ]; then
  say "writing $files files of 4 KiB under $tree"
  rm -rf "$tree" && mkdir -p "$tree"
  for ((i = 0; i < files; i++)); do
    d=$tree/d$((i % 10)); mkdir -p "$d"
    head -c 4096 /dev/urandom > "$d/f$i.bin"
  done
  touch "$tree/.complete"
fi
paths=$out/paths.txt
(cd "$tree" && find . -name '*.bin' | sed 's|^\.||' | sort) > "$paths"
[ "$(wc -l < "$paths")" -eq "$files" ] || die "the tree $tree does not hold $files files; remove it and run again"
# Keep the tree in memory for the run (a DAMON reclaim scheme on these hosts pages out cold page cache).
lock_pid=
if command -v vmtouch >/dev/null; then
  vmtouch -l "$tree" >/dev/null 2>&1 & lock_pid=$!
fi

server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$lock_pid" ] && kill "$lock_pid" 2>/dev/null || true
}
trap cleanup EXIT

stop_server() {
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=
}

pin() {  # CPU list, command...: the command under taskset when a list is given
  local cpus=$1; shift
  if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# One measurement: start the server (io_uring or filtered), run the load, stop it. Sets result to
# "REQ_PER_S CPU_US_PER_REQ", or "FAILED reason" (in this shell, so the EXIT trap sees server_pid).
measure() {  # name round
  local name=$1 round=$2 log=$out/$1-$2.server.log res=$out/$1-$2.load.txt url cmd=()
  # One simple command, started in the background: taskset, no-uring and ./i2o2 each exec the next, so
  # $! is the server's JVM itself (its CPU time is read from /proc/$!/stat).
  [ -n "${SERVER_CPUS:-}" ] && cmd=(taskset -c "$SERVER_CPUS")
  if [ "$name" = filtered ]; then
    if [ -n "${FILTER:-}" ]; then read -r -a prefix <<<"$FILTER"; cmd+=("${prefix[@]}"); else cmd+=("$launcher"); fi
  fi
  cmd+=("$root/i2o2" serve "$tree" --port 0 --wiring "$wiring")
  [ -n "${SERVER_THREADS:-}" ] && cmd+=(--threads "$SERVER_THREADS")
  "${cmd[@]}" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    grep -q 'serving .* at http' "$log" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1 || true)
  if [ -z "$url" ]; then
    stop_server
    result="FAILED $(grep -v '^\s*$' "$log" | head -1)"
    return
  fi
  [ "$(cat "/proc/$server_pid/comm" 2>/dev/null)" = java ] \
    || say "WARNING: process $server_pid is $(cat "/proc/$server_pid/comm" 2>/dev/null), not the server's JVM: its CPU figures are not the server's"
  curl -s -f -m 10 -o /dev/null "$url${paths_first}" || { stop_server; result="FAILED curl $url$paths_first"; return; }
  if [ "$load" = wrk ]; then
    wrk_load "$url" "$res"
  else
    pin "${CLIENT_CPUS:-}" ./i2o2 bench http-load --url "$url" --paths "$paths" --connections "$connections" \
      --threads "$client_threads" --seconds "$seconds" --warmup "$warmup" --server-pid "$server_pid" \
      >"$res" 2>>"$out/$name-$round.load.err" || true
  fi
  stop_server
  local line; line=$(grep '^RESULT' "$res" || true)
  [ -n "$line" ] || { result="FAILED no result from the load generator (see $res)"; return; }
  local errors; errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
  local non200; non200=$(sed -n 's/.* non_200=\([0-9]*\).*/\1/p' <<<"$line")
  if [ "${errors:-0}" != 0 ] || [ "${non200:-0}" != 0 ]; then
    result="FAILED $errors errors, $non200 non-200 responses: $line"; return
  fi
  result="$(sed -n 's/.*req_per_s=\([0-9.]*\).*/\1/p' <<<"$line") $(sed -n 's/.*server_cpu_us_per_req=\([0-9.a-zA-Z]*\).*/\1/p' <<<"$line")"
}

# wrk: a warm-up run, then the measured one with the server's CPU read around it; the same RESULT line.
wrk_load() {  # url result-file
  local url=$1 res=$2 lua=$out/paths.lua c0 c1
  { echo "paths = {"; sed 's/.*/"&",/' "$paths"; echo "}"
    echo 'request = function() return wrk.format("GET", paths[math.random(#paths)]) end'; } > "$lua"
  pin "${CLIENT_CPUS:-}" wrk -t "$client_threads" -c "$connections" -d "${warmup}s" -s "$lua" "$url" >/dev/null 2>&1 || true
  c0=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$server_pid/stat")
  pin "${CLIENT_CPUS:-}" wrk -t "$client_threads" -c "$connections" -d "${seconds}s" -s "$lua" "$url" >"$res.wrk" 2>&1 || true
  c1=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$server_pid/stat")
  local rps; rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$res.wrk")
  local reqs; reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$res.wrk")
  local non2xx; non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$res.wrk")
  local errs; errs=$(sed -n 's/^ *Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p' "$res.wrk")
  [ -n "$rps" ] || return 0
  awk -v rps="$rps" -v reqs="$reqs" -v non="${non2xx:-0}" -v errs="$(( ${errs:-0} ))" -v c0="$c0" -v c1="$c1" -v s="$seconds" \
    'BEGIN { printf "RESULT req_per_s=%s requests=%s non_200=%s errors=%s seconds=%s server_cpu_s=%.2f server_cpu_us_per_req=%.2f\n", rps, reqs, non, errs, s, (c1 - c0) / 100, (reqs > 0 ? (c1 - c0) / 100 * 1e6 / reqs : 0) }' > "$res"
}

paths_first=$(head -1 "$paths" | sed 's|^/||')
say "$rounds round(s): $wiring wiring, $connections connections, $client_threads client threads, ${warmup}+${seconds} s each, $load; logs in $out"
rows=() ratios=() cpu_ratios=()
filtered_failed=
for ((r = 1; r <= rounds; r++)); do
  if [ -n "$only" ]; then order=("$only"); elif [ $((r % 2)) -eq 1 ]; then order=(uring filtered); else order=(filtered uring); fi
  declare -A got=()
  for name in "${order[@]}"; do
    say "round $r: $name"
    measure "$name" "$r"; got[$name]=$result
    say "round $r: $name: ${got[$name]}"
  done
  u=${got[uring]:-FAILED not run}; f=${got[filtered]:-FAILED not run}
  if [[ $f == FAILED* ]]; then filtered_failed=$f; fi
  ur=failed ucpu=- fr=failed fcpu=- ratio=- cratio=-
  [[ $u == FAILED* ]] || read -r ur ucpu <<<"$u"
  [[ $f == FAILED* ]] || read -r fr fcpu <<<"$f"
  if [[ $u != FAILED* && $f != FAILED* ]]; then
    ratio=$(awk -v a="$fr" -v b="$ur" 'BEGIN { printf "%.3f", a / b }')
    cratio=$(awk -v a="$fcpu" -v b="$ucpu" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }')
    ratios+=("$ratio"); cpu_ratios+=("$cratio")
    ratio=${ratio}x cratio=${cratio}x
  fi
  rows+=("$(printf '%-6s %12s %12s %12s %12s %9s %9s' "$r" "$ur" "$ucpu" "$fr" "$fcpu" "$ratio" "$cratio")")
  unset got
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo "server-bench $(date -u '+%Y-%m-%d %H:%M:%S') UTC: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
  echo "server: ./i2o2 serve TREE --wiring $wiring${SERVER_THREADS:+ --threads $SERVER_THREADS}${SERVER_CPUS:+ (CPUs $SERVER_CPUS)}; filtered: the same under ${FILTER:-no-uring (io_uring -> EPERM)}"
  for name in uring filtered; do   # which engine each half's server said it runs, once
    e=$(grep -h -i -w -m1 'engine' "$out/$name"-*.server.log 2>/dev/null | head -1 || true)
    if [ -n "$e" ]; then echo "$name server: $e"; fi
  done
  echo "load: $load, $connections keep-alive connections, $client_threads threads${CLIENT_CPUS:+ (CPUs $CLIENT_CPUS)}, $files files of 4 KiB at random, ${warmup} s warm-up + ${seconds} s"
  printf '%-6s %12s %12s %12s %12s %9s %9s\n' round "uring req/s" "us CPU/req" "filt. req/s" "us CPU/req" "req/s" "CPU/req"
  printf '%s\n' "${rows[@]}"
  if [ "${#ratios[@]}" -gt 0 ]; then
    m=$(printf '%s\n' "${ratios[@]}" | median); c=$(printf '%s\n' "${cpu_ratios[@]}" | grep -v nan | median)
    verdict=$(awk -v m="$m" 'BEGIN { print (m >= 0.8 ? "met" : "MISSED") }')
    printf 'filtered (portable engine) / io_uring, median of %d round(s): req/s %.2fx [>= 0.8x: %s], server CPU per request %.2fx\n' \
      "${#ratios[@]}" "$m" "$verdict" "$c"
  elif [ -n "$filtered_failed" ]; then
    echo "the filtered server did not run: $filtered_failed"
  fi
} | tee "$out/results.txt"
