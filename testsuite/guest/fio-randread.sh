#!/bin/bash
# fio-randread.sh: 4 KiB random reads through fio's io_uring_cmd engine (NVMe passthrough, the same path
# as the library's NvmeNamespace), one run per queue depth; prints "fio ... qd=N iops=X" lines. Meant to run
# inside the guest:
#
#   run-in-guest.sh -q 1 -p fio -o OUTDIR -- /path/to/testsuite/guest/fio-randread.sh [-n NSID | -f DEVICE] \
#       [-r SECONDS] [-m plain|fixedbufs|hipri] [-t default|tuned] [-l LABEL] [QD...]
#
#   -n  the namespace id to read (default 1): its generic char device is the /dev/ng0nY whose
#       /sys/block/nvme0nY/nsid says so (the kernel may number namespaces in any order)
#   -f  the NVMe generic char device, instead of -n
#   -r  seconds per queue depth, after a 1 s ramp (default 5)
#   -m  plain (default): fio's own buffers; fixedbufs: registered buffers (--fixedbufs, which sets
#       IORING_URING_CMD_FIXED); hipri: polled completions (--hipri, an IOPOLL ring; the guest needs a poll queue, -q 1)
#   -t  default: fio's defaults beyond the workload; tuned: fio at its best for this workload (--gtod_reduce=1,
#       --registerfiles, and at QD > 1 --iodepth_batch_submit=QD --iodepth_batch_complete_min=1)
#   -l  a label for the result lines and file names (e.g. round=2)
#   QD  queue depths (default: 1 32)
#
# Writes fio-MODE-TUNING-qdN[-LABEL].json (fio's full report) and appends the summary lines to fio-bench.txt in
# the current folder; each run's full command line is printed first ("fio cmd: ...").
# Exit status: 0 when every run worked, 1 when fio failed, 2 on a usage error.
set -eu
nsid=1
device=
seconds=5
mode=plain
tuning=default
label=
while getopts n:f:r:m:t:l:h opt; do
    case $opt in
        n) nsid=$OPTARG ;;
        f) device=$OPTARG ;;
        r) seconds=$OPTARG ;;
        m) mode=$OPTARG ;;
        t) tuning=$OPTARG ;;
        l) label=$OPTARG ;;
        *) sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1 32
case $mode in plain) mode_opts=() ;; fixedbufs) mode_opts=(--fixedbufs) ;; hipri) mode_opts=(--hipri) ;;
    *) echo "fio-randread: -m $mode: use plain, fixedbufs or hipri" >&2; exit 2 ;; esac
case $tuning in default | tuned) ;; *) echo "fio-randread: -t $tuning: use default or tuned" >&2; exit 2 ;; esac
if ! command -v fio >/dev/null; then
    echo "fio-randread: fio is not installed (apt-get install fio on the host: the guest uses the host's)" >&2
    exit 1
fi
if [ -z "$device" ]; then
    for id in /sys/block/nvme0n*/nsid; do
        [ -r "$id" ] && [ "$(cat "$id")" = "$nsid" ] || continue
        y=${id#/sys/block/nvme0n}; y=${y%/nsid}
        device=/dev/ng0n$y
    done
    [ -n "$device" ] || { echo "fio-randread: no /sys/block/nvme0nY/nsid says namespace $nsid" >&2; exit 1; }
fi
echo "$(fio --version) on $(uname -r), $device (mode $mode, $tuning options)"
suffix=${label:+-${label//[^A-Za-z0-9]/}}
for qd in "$@"; do
    tune_opts=()
    if [ "$tuning" = tuned ]; then
        tune_opts=(--gtod_reduce=1 --registerfiles)
        [ "$qd" -le 1 ] || tune_opts+=(--iodepth_batch_submit="$qd" --iodepth_batch_complete_min=1)
    fi
    json=fio-$mode-$tuning-qd$qd$suffix.json
    # --norandommap/--randrepeat=0: plain uniform random offsets, as the library's benchmark draws them.
    cmd=(fio --name="randread-qd$qd" --filename="$device" --ioengine=io_uring_cmd --cmd_type=nvme
        --rw=randread --bs=4k --iodepth="$qd" "${mode_opts[@]}" "${tune_opts[@]}" --ramp_time=1
        --runtime="$seconds" --time_based --norandommap --randrepeat=0 --eta=never
        --output-format=json --output="$json")
    echo "fio cmd: ${cmd[*]}"
    "${cmd[@]}" || { echo "fio-randread: fio failed at queue depth $qd" >&2; cat "$json" >&2 || true; exit 1; }
    # The first "iops" of the report is jobs[0].read.iops.
    iops=$(sed -n 's/^ *"iops" : \([0-9.]*\),*$/\1/p' "$json" | head -1)
    printf 'fio mode=%s opts=%s qd=%s iops=%.0f seconds=%s%s\n' "$mode" "$tuning" "$qd" "$iops" "$seconds" \
        "${label:+ $label}" | tee -a fio-bench.txt
done
