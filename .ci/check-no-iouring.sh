#!/usr/bin/env bash
# CI: proves that on a machine without io_uring the tests that need it are skipped, with the reason said
# loudly, and the others still run, among them the file API's suites on the portable engine. Simulates the machine through the fault seam
# (-Di2o2.simulate.unavailable=enosys, i.e. IoUringProbe's io.i2o2.uring.simulateUnavailable) on a few
# classes of both library modules, run from the classes .ci/check-artifacts.sh already built.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
log=$(mktemp); trap 'rm -f "$log"' EXIT
needs=(io.i2o2.uring.RingTest io.i2o2.file.SmokeTest)      # need io_uring: all skipped
free=(io.i2o2.uring.ErrnoTest io.i2o2.uring.ArchConstantsTest)  # @WithoutIoUring: all run
portable=(io.i2o2.file.FileOpsTest io.i2o2.file.ContractsTest)   # run on the portable engine; ring-only methods skipped
tests=$(IFS=,; echo "${needs[*]},${free[*]},${portable[*]}")
./i2o2 mvn -B -ntp -Dstyle.color=never -pl transport-iouring-native,transport-iouring-file test \
  -Di2o2.simulate.unavailable=enosys -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1 \
  || { cat "$log"; echo "check-no-iouring: FAIL: the run failed" >&2; exit 1; }

fails=0
fail() { echo "check-no-iouring: FAIL: $*" >&2; fails=$((fails + 1)); }
report() {  # class -> its surefire XML report
  local c=$1 m=transport-iouring-native
  [[ $c == io.i2o2.file.* ]] && m=transport-iouring-file
  echo "$m/target/surefire-reports/TEST-$c.xml"
}
attr() { sed -n "s/.*<testsuite [^>]* $2=\"\([0-9]*\)\".*/\1/p" "$1" | head -1; }

grep -q 'io_uring is NOT AVAILABLE here: every test that needs it is SKIPPED' "$log" \
  || fail "no banner on the console"
grep -q 'Reason: io_uring is not available: io_uring_setup fails with ENOSYS' "$log" \
  || fail "the banner does not give the reason"
[ "$(grep -c 'io_uring is NOT AVAILABLE here' "$log")" -le 2 ] || fail "the banner is printed more than once per JVM"
for c in "${needs[@]}"; do
  r=$(report "$c"); [ -f "$r" ] || { fail "$c did not run"; continue; }
  t=$(attr "$r" tests); s=$(attr "$r" skipped)
  [ "${t:-0}" -gt 0 ] && [ "$t" = "$s" ] || fail "$c: $s of $t skipped, expected all"
  grep -q 'io_uring unavailable: io_uring is not available' "$r" || fail "$c: the skip carries no reason"
done
for c in "${free[@]}"; do
  r=$(report "$c"); [ -f "$r" ] || { fail "$c did not run"; continue; }
  t=$(attr "$r" tests); s=$(attr "$r" skipped); f=$(attr "$r" failures); e=$(attr "$r" errors)
  [ "${t:-0}" -gt 0 ] && [ "$s" = 0 ] && [ "$f" = 0 ] && [ "$e" = 0 ] || fail "$c: tests=$t skipped=$s failures=$f errors=$e, expected all to pass"
done
for c in "${portable[@]}"; do
  r=$(report "$c"); [ -f "$r" ] || { fail "$c did not run"; continue; }
  t=$(attr "$r" tests); s=$(attr "$r" skipped); f=$(attr "$r" failures); e=$(attr "$r" errors)
  [ "${t:-0}" -gt "${s:-0}" ] && [ "$f" = 0 ] && [ "$e" = 0 ] || fail "$c: tests=$t skipped=$s failures=$f errors=$e, expected the portable cases to run and pass"
done
grep -E 'Tests run: .*Skipped: [1-9]' "$log" | tail -1 | grep -q . || fail "the run does not say how many were skipped"
# CI reads Surefire's closing summaries: whole lines, with no colour codes anywhere in the log.
! grep -q $'\x1b' "$log" || fail "colour codes in the log: $(grep $'\x1b' "$log" | head -2 | cat -v)"
grep -E -q '^\[(INFO|WARNING)\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [1-9][0-9]*$' "$log" \
  || fail "no whole closing Surefire summary line"

if [ "$fails" -gt 0 ]; then
  cat "$log"
  exit 1
fi
echo "check-no-iouring: OK in $((SECONDS - started)) s: $(grep -E '^\[(WARNING|INFO)\] Tests run:' "$log" | grep -v ' -- in ' | tr '\n' ' ')"
