#!/bin/bash
# cross-thread.sh: the submission-path figures of the README in one go, every peer beside us in the same run
# (each trial in a JVM of its own, each line's rows side by side; with ROUNDS > 1 each row is the median of
# that many rounds). Run on a quiet machine; about 6 minutes per round at the default.
# Under each table: every row over the peer named first in its line, divided within each round (--peer).
#
#   microbench/cross-thread.sh [SECONDS] [ROUNDS]   (default 5 s per trial after 3 s of warm-up, 1 round)
#
# Rows: NOP on the loop's own thread (batch / QD 32); 2 producers sharing 4,096 NOPs in flight (futures and
# callbacks); 32 in flight per producer for 1, 2 and 64 producers; 1,024 virtual threads each submitting one
# NOP and awaiting it, beside the pure-Java hand-off; 4 KiB page-cache reads at QD 32 on the loop thread and
# from one producer thread (QD 32 and 4,096).
set -eu
cd "$(dirname "$0")/.."
s=${1:-5}
common=(--seconds "$s" --warmup 3 --file-size 256m --repeat "${2:-1}")
# Each table, then each row's ratio to the peer named first, divided within each round (--peer).
run() {
  local peer=$1; shift
  ./i2o2 bench "${common[@]}" --peer "$peer" "$@" 2>/dev/null \
    | sed -n -e '/^backend/,/^ops\/s/{/^ops\/s/!p;}' -e '/^paired with/,/^results:/{/^results:/!p;}'
}
run c --workload nop --qd 32 --threads 0 --backends c,netty,i2o2
run netty --workload nop --qd 4096 --threads 2 --backends c,netty,i2o2,i2o2-callback
run netty --workload nop --qd 32 --threads 1 --backends c,netty,i2o2,i2o2-callback
run netty --workload nop --qd 64 --threads 2 --backends c,netty,i2o2,i2o2-callback
run netty --workload nop --qd 2048 --threads 64 --backends c,netty,i2o2,i2o2-callback
run java-handoff --workload nop --qd 1024 --threads 1024v --backends java-handoff,netty,i2o2,i2o2-callback
run netty --workload randread --qd 32 --backends c,netty,i2o2-netty,i2o2
run netty --workload randread-xt --qd 32,4096 --threads 1 --backends netty,i2o2,i2o2-callback
