#!/usr/bin/env bash
# CI: ./i2o2 serve where a seccomp profile refuses io_uring, as Docker's default profile (25.0+) and
# containerd 2.0's RuntimeDefault do: io_uring_setup, io_uring_enter and io_uring_register fail with EPERM.
# Builds the no-uring launcher (testsuite/src/test/c/no-uring.c), proves that under it the three calls fail
# with EPERM, then for each wiring runs ./i2o2 serve under it, fetches a file with curl and checks that the
# server says, in exactly one line (its start-up line, "... file IO: ..."), that the portable engine serves.
# The testsuite's SeccompFileServerTest checks the same in more depth.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/i2o2-seccomp.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fails=0
fail() { echo "check-seccomp: FAIL: $*" >&2; fails=$((fails + 1)); }

# 1. The launcher, built as the tests build it (same place, same warnings as errors).
command -v gcc >/dev/null || { echo "check-seccomp: FAIL: gcc is needed to build the no-uring launcher" >&2; exit 1; }
launcher=$root/testsuite/target/seccomp/no-uring
mkdir -p "${launcher%/*}"
gcc -O2 -Wall -Wextra -Werror -o "$launcher.part" testsuite/src/test/c/no-uring.c && mv -f "$launcher.part" "$launcher"

# 2. The filter works: a program under it sees io_uring_setup, io_uring_enter and io_uring_register fail with
# EPERM. Without this nothing below would mean anything (a server that starts might just have been given
# io_uring).
cat > "$work/calls.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static void say(long r) { if (r >= 0) printf("ok "); else printf("errno%d ", errno); }
int main(void) {   /* setup(2, zeroed params); enter and register on a descriptor that is not open */
    char params[120] = {0};
    say(syscall(425, 2, params));
    say(syscall(426, 0x7fffffff, 0, 0, 0, NULL, 0));
    say(syscall(427, 0x7fffffff, 0, NULL, 0));
    puts("");
    return 0;
}
C
gcc -O2 -o "$work/calls" "$work/calls.c"
seen=$("$launcher" "$work/calls")
[ "$seen" = "errno1 errno1 errno1 " ] || { echo "check-seccomp: FAIL: under the no-uring filter io_uring_setup, _enter, _register gave '$seen', not EPERM (errno 1) each" >&2; exit 1; }

# 3. The server, built outside the filter first (Maven needs nothing of io_uring, but a build failure must
# not read as a seccomp one), then run under it, once per wiring.
./i2o2 serve --help >"$work/build.log" 2>&1 || { cat "$work/build.log"; echo "check-seccomp: FAIL: ./i2o2 serve --help failed" >&2; exit 1; }
mkdir -p "$work/site"
head -c $((1024 * 1024)) /dev/urandom > "$work/site/data.bin"
for wiring in netty-uring channel uring; do
  log=$work/$wiring.log
  "$launcher" "$root/i2o2" serve "$work/site" --port 0 --wiring "$wiring" --threads 2 >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    grep -q 'serving .* at http' "$log" && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1 || true)
  if [ -z "$url" ]; then
    fail "$wiring: the server did not start under the no-uring filter; its output: $(cat "$log")"
  else
    curl -s -f -m 10 -o "$work/got.bin" "${url}data.bin" || fail "$wiring: curl ${url}data.bin failed"
    cmp -s "$work/site/data.bin" "$work/got.bin" || fail "$wiring: the served file differs from the file"
    # Which engine serves is said once, in the start-up line; under the filter it must be the portable one.
    # (Not any line with "engine": the library also logs once, at INFO, that the portable engine runs.)
    engine=$(grep -F 'file IO: ' "$log" || true)
    if [ "$(grep -c . <<<"$engine")" != 1 ]; then
      fail "$wiring: expected one line saying which engine serves file IO, got: '$engine'; output: $(cat "$log")"
    elif ! grep -q -F 'file IO: portable engine, io_uring unavailable: ' <<<"$engine"; then
      fail "$wiring: the start-up line does not name the portable engine: '$engine'"
    fi
  fi
  kill "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
done

[ "$fails" -eq 0 ] || exit 1
echo "check-seccomp: OK in $((SECONDS - started)) s: ./i2o2 serve served under the no-uring filter with each wiring, on the portable engine"
