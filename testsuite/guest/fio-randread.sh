#!/bin/bash
# fio-randread.sh: 4 KiB random reads through fio's io_uring_cmd engine (NVMe passthrough, the same path
# as the ring tests), one run per queue depth; prints "fio qd=N iops=X" lines. Meant to run inside the guest:
#
#   run-in-guest.sh -o OUTDIR -- /path/to/testsuite/guest/fio-randread.sh [-f DEVICE] [-r SECONDS] [QD...]
#
#   -f  the NVMe generic char device (default /dev/ng0n1)
#   -r  seconds per queue depth, after a 1 s ramp (default 5)
#   QD  queue depths (default: 1 32)
#
# Writes fio-qdN.json (fio's full report) and fio-bench.txt (the summary lines) in the current folder.
# Exit status: 0 when every run worked, 1 when fio failed, 2 on a usage error.
set -eu
device=/dev/ng0n1
seconds=5
while getopts f:r:h opt; do
    case $opt in
        f) device=$OPTARG ;;
        r) seconds=$OPTARG ;;
        *) sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1 32
if ! command -v fio >/dev/null; then
    echo "fio-randread: fio is not installed (apt-get install fio on the host: the guest uses the host's)" >&2
    exit 1
fi
echo "$(fio --version) on $(uname -r), $device"
for qd in "$@"; do
    # --norandommap/--randrepeat=0: plain uniform random offsets, as the ring benchmark draws them.
    fio --name="randread-qd$qd" --filename="$device" --ioengine=io_uring_cmd --cmd_type=nvme \
        --rw=randread --bs=4k --iodepth="$qd" --ramp_time=1 --runtime="$seconds" --time_based \
        --norandommap --randrepeat=0 --eta=never --output-format=json --output="fio-qd$qd.json" \
        || { echo "fio-randread: fio failed at queue depth $qd" >&2; cat "fio-qd$qd.json" >&2 || true; exit 1; }
    # The first "iops" of the report is jobs[0].read.iops.
    iops=$(sed -n 's/^ *"iops" : \([0-9.]*\),*$/\1/p' "fio-qd$qd.json" | head -1)
    printf 'fio qd=%s iops=%.0f seconds=%s\n' "$qd" "$iops" "$seconds" | tee -a fio-bench.txt
done
