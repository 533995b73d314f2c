#!/usr/bin/env bash
# nginx and the i2o2 file server on the same tree, measured alternately with wrk.
#
#   testsuite/bench/nginx-vs-i2o2.sh                 # 3 rounds x 10 s per point and server
#   ROUNDS=2 DURATION=5 testsuite/bench/nginx-vs-i2o2.sh
#   I2O2_VARIANTS="i2o2=--threads 1 --open-file-cache;sendfile=--threads 1 --open-file-cache --sendfile" ...
#
# Installs nginx and wrk with apt when missing. Points: a 4 KiB file with 50 connections, a 1 MiB file with
# 20, and random 4 KiB ranges of a 64 MiB file with 50. nginx: 1 worker (master_process off, so its one PID
# is the worker), sendfile on, access_log off, defaults otherwise. i2o2: one FileServer per variant of
# I2O2_VARIANTS ("name=args;name=args", default "i2o2=--threads 1 --open-file-cache --wiring channel"), run
# with Netty's leak detector off as in production. Per round and server (the order rotates each round):
# req/s, MiB/s, p99 latency, and CPU microseconds per
# request from /proc/PID/stat (utime+stime of the whole process, all threads) over the run. Prints a
# markdown table of the medians of the rounds.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WRK_THREADS=${WRK_THREADS:-2}
NGINX_PORT=${NGINX_PORT:-18080}
I2O2_PORT=${I2O2_PORT:-18081}
I2O2_VARIANTS=${I2O2_VARIANTS:-i2o2=--threads 1 --open-file-cache --wiring channel}
REPO=$(cd "$(dirname "$0")/../.." && pwd)

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "installing $2 with apt" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >&2
  fi
}
need nginx nginx-light
need wrk wrk
NGINX=$(command -v nginx)

WORK=$(mktemp -d /tmp/nginx-vs-i2o2.XXXXXX)
WWW=$WORK/www
mkdir -p "$WWW" "$WORK/logs"
head -c 4096 /dev/urandom > "$WWW/4k.bin"
head -c $((1 << 20)) /dev/urandom > "$WWW/1m.bin"
head -c $((64 << 20)) /dev/urandom > "$WWW/64m.bin"
cat > "$WORK/range.lua" <<'LUA'
math.randomseed(os.time())
request = function()
  local off = math.random(0, 16383) * 4096
  return wrk.format("GET", "/64m.bin", { ["Range"] = "bytes=" .. off .. "-" .. (off + 4095) })
end
LUA
cat > "$WORK/nginx.conf" <<CONF
master_process off;
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WWW;
  }
}
CONF

echo "building the server" >&2
cd "$REPO"
./i2o2 mvn -B -q ${MVN_OFFLINE:--o} -pl testsuite -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -DincludeScope=runtime >&2
echo >&2
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
CP="testsuite/target/classes:$(cat testsuite/target/classpath.txt)"

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/logs/nginx.stderr" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
declare -A PID PORT
PID[nginx]=$NGINX_PID
PORT[nginx]=$NGINX_PORT
SERVERS=(nginx)
IFS=';' read -r -a VARIANTS <<<"$I2O2_VARIANTS"
port=$I2O2_PORT
for v in "${VARIANTS[@]}"; do
  name=${v%%=*}
  args=${v#*=}
  # shellcheck disable=SC2086
  "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled \
    -cp "$CP" io.i2o2.example.fileserver.FileServer "$WWW" --port "$port" $args > "$WORK/logs/$name.out" 2>&1 &
  PID[$name]=$!
  PORT[$name]=$port
  PIDS+=("$!")
  SERVERS+=("$name")
  port=$((port + 1))
done
for s in "${SERVERS[@]}"; do
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:${PORT[$s]}/4k.bin" 2>/dev/null && break
    sleep 0.2
  done
  curl -fsS -o /dev/null "http://127.0.0.1:${PORT[$s]}/4k.bin" || { cat "$WORK/logs/$s.out" >&2; exit 1; }
done

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# wrk output -> "reqs req_per_s mib_per_s p99_ms"
parse() {
  awk '
    function mib(v,  n, u) { n = v + 0; u = v; sub(/[0-9.]+/, "", u);
      if (u == "B") return n / 1048576; if (u == "KB") return n / 1024; if (u == "MB") return n;
      if (u == "GB") return n * 1024; return n }
    function ms(v,  n, u) { n = v + 0; u = v; sub(/[0-9.]+/, "", u);
      if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000;
      if (u == "m") return n * 60000; return n }
    / requests in / { reqs = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /^Transfer\/sec:/ { mb = mib($2) }
    /^ +99%/ { p99 = ms($2) }
    END { printf "%d %.0f %.1f %.2f\n", reqs, rps, mb, p99 }'
}
# point server pid url conns [script]
measure() {
  local pid=$1 url=$2 conns=$3 script=${4:-}
  local before after out
  # A short warm-up (JIT, caches) before each measured run.
  wrk -t"$WRK_THREADS" -c"$conns" -d1s ${script:+-s "$script"} "$url" >/dev/null 2>&1 || true
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$WRK_THREADS" -c"$conns" -d"${DURATION}s" --latency ${script:+-s "$script"} "$url")
  after=$(cpu_ticks "$pid")
  read -r reqs rps mb p99 <<<"$(parse <<<"$out")"
  local us
  us=$(awk -v d=$((after - before)) -v t="$TICK" -v r="$reqs" 'BEGIN { printf "%.1f", (r > 0 ? d / t * 1e6 / r : 0) }')
  echo "$rps $mb $p99 $us"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

POINTS=("4k|/4k.bin|50|" "1m|/1m.bin|20|" "ranges|/|50|$WORK/range.lua")
declare -A R
for round in $(seq "$ROUNDS"); do
  for point in "${POINTS[@]}"; do
    IFS='|' read -r name path conns script <<<"$point"
    # Rotate which server goes first each round.
    n=${#SERVERS[@]}
    for k in $(seq 0 $((n - 1))); do
      server=${SERVERS[$(((k + round) % n))]}
      res=$(measure "${PID[$server]}" "http://127.0.0.1:${PORT[$server]}$path" "$conns" "$script")
      echo "round $round $name $server: req/s MiB/s p99(ms) cpu-us/req = $res" >&2
      R[$name,$server]+="$res"$'\n'
    done
  done
done

col() { cut -d' ' -f"$1" | { grep -v '^$' || true; } | median; }
echo
echo "| point | server | req/s | MiB/s | p99 ms | CPU us/req | req/s vs nginx | CPU/req vs nginx |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for point in "${POINTS[@]}"; do
  IFS='|' read -r name path conns script <<<"$point"
  n_rps=$(printf '%s' "${R[$name,nginx]}" | col 1)
  n_cpu=$(printf '%s' "${R[$name,nginx]}" | col 4)
  for server in "${SERVERS[@]}"; do
    rows=${R[$name,$server]}
    rps=$(printf '%s' "$rows" | col 1); mb=$(printf '%s' "$rows" | col 2)
    p99=$(printf '%s' "$rows" | col 3); cpu=$(printf '%s' "$rows" | col 4)
    ratio=$(awk -v a="$rps" -v b="$n_rps" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    cratio=$(awk -v a="$cpu" -v b="$n_cpu" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    echo "| $name ($conns conns) | $server | $rps | $mb | $p99 | $cpu | $ratio | $cratio |"
  done
done
echo
echo "rounds=$ROUNDS duration=${DURATION}s wrk threads=$WRK_THREADS; variants: $I2O2_VARIANTS; $(nproc) CPUs; $(uname -r); load before: $LOAD0"
