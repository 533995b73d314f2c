#!/usr/bin/env bash
# CI: the launcher's promises about ./i2o2 serve. DIR is relative to the caller's directory; without DIR it
# serves a generated sample tree and says so; the default wiring is netty-uring (the README's first way);
# when nothing changed it starts without running Maven; a changed source is rebuilt; where io_uring is
# unavailable it still serves, on the portable engine, and says so in its start-up line. And about ./i2o2 mvn
# and ./i2o2 test: plain text on both streams (no colour codes), Maven's exit status kept.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/i2o2-launcher.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fails=0
fail() { echo "check-launcher: FAIL: $*" >&2; fails=$((fails + 1)); }
stamp=testsuite/target/.i2o2-built
mtime() { stat -c %Y.%y "$1" 2>/dev/null || echo none; }

mkdir -p "$work/caller/site/sub" && echo "launcher-check" > "$work/caller/site/sub/x.txt"
serve() {  # log args...: starts ./i2o2 serve from $work/caller; sets url once it serves
  local log=$1 i; shift
  (cd "$work/caller" && exec "$root/i2o2" serve "$@" --port 0) >"$log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 1800); do
    grep -q 'serving .* at http' "$log" && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1 || true)
}
stop() { kill "${pids[-1]}" 2>/dev/null || true; wait "${pids[-1]}" 2>/dev/null || true; [ -z "${I2O2_DEBUG:-}" ] || echo "stopped ${pids[-1]}" >&2; }

# 1. a relative DIR, from another directory (builds if needed)
serve "$work/1.log" site
[ -n "$url" ] || { cat "$work/1.log"; fail "serve site did not start"; }
grep -q "serving $work/caller/site at " "$work/1.log" || fail "DIR was not resolved against the caller's directory: $(head -3 "$work/1.log")"
grep -q ' (wiring netty-uring; ' "$work/1.log" || fail "the default wiring is not netty-uring: $(grep serving "$work/1.log")"
[ "$(curl -s -m 5 "${url}sub/x.txt")" = launcher-check ] || fail "the relative DIR's file was not served"
stop

# 2. nothing changed: no Maven run, quick start
before=$(mtime "$stamp"); t0=$(date +%s%N)
serve "$work/2.log" site
ms=$((($(date +%s%N) - t0) / 1000000))
[ -n "$url" ] || fail "the second start failed"
[ "$(mtime "$stamp")" = "$before" ] || fail "the launcher rebuilt although nothing changed"
[ "$ms" -lt 10000 ] || fail "an up-to-date start took $ms ms"
stop

# 3. no DIR: the sample tree
serve "$work/3.log"
grep -q 'no DIR given, serving a generated sample tree' "$work/3.log" || fail "no DIR: the launcher did not say it serves a sample tree"
curl -s -m 5 "${url}hello.txt" | grep -q 'read through io_uring' || fail "the sample tree's hello.txt was not served"
stop

# 4. io_uring unavailable (simulated for this library; .ci/check-seccomp.sh blocks it for real): it serves on
# the portable engine, says so once with the reason, and prints no stack trace
JAVA_TOOL_OPTIONS=-Dio.i2o2.uring.simulateUnavailable=enosys serve "$work/4.log" site
[ -n "$url" ] || fail "unavailable io_uring: serve did not start: $(cat "$work/4.log")"
[ "$(curl -s -m 5 "${url}sub/x.txt")" = launcher-check ] || fail "unavailable io_uring: the file was not served"
[ "$(grep -c -F 'file IO: ' "$work/4.log")" = 1 ] && grep -q -F 'file IO: portable engine, io_uring unavailable: ' "$work/4.log" \
  || fail "unavailable io_uring: expected one start-up line naming the portable engine: $(cat "$work/4.log")"
grep -q -E 'Exception|^\s+at ' "$work/4.log" && fail "unavailable io_uring printed a stack trace: $(cat "$work/4.log")"
stop

# 5. a changed source is rebuilt
before=$(mtime "$stamp")
sleep 1; touch testsuite/src/main/java/io/i2o2/example/fileserver/FileServer.java
"$root/i2o2" serve --help >"$work/5.log" 2>&1 || fail "serve --help failed: $(tail -3 "$work/5.log")"
[ "$(mtime "$stamp")" != "$before" ] || fail "a changed source did not make the launcher rebuild"

# 6. Maven through the launcher: no colour codes on either stream (Maven 3.8 writes ESC[0m even with -B),
# and its exit status, success or failure
esc=$'\x1b'
set +e
"$root/i2o2" test -pl bom >"$work/6.out" 2>"$work/6.err"; rc_test=$?
"$root/i2o2" mvn -B -q -pl no-such-module validate >"$work/7.out" 2>"$work/7.err"; rc_fail=$?
set -e
[ "$rc_test" = 0 ] || fail "./i2o2 test -pl bom exited $rc_test: $(tail -3 "$work/6.out")"
[ "$rc_fail" = 1 ] || fail "./i2o2 mvn with a missing module exited $rc_fail, not Maven's 1"
grep -q 'BUILD SUCCESS' "$work/6.out" || fail "./i2o2 test wrote no BUILD SUCCESS to stdout"
grep -q 'no-such-module' "$work/7.out" || fail "./i2o2 mvn lost Maven's error: $(head -3 "$work/7.out")"
for f in 6.out 6.err 7.out 7.err; do
  ! grep -q "$esc" "$work/$f" || fail "colour codes in ./i2o2's Maven output ($f): $(grep "$esc" "$work/$f" | head -2 | cat -v)"
done

[ "$fails" -eq 0 ] || exit 1
echo "check-launcher: OK in $((SECONDS - started)) s (an up-to-date start served in $ms ms)"
