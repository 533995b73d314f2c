#!/bin/bash
# run-in-guest.sh: runs one command as root inside a throwaway Debian Linux guest (QEMU, TCG) that has an
# emulated NVMe controller, so the NVMe passthrough tests run on machines without NVMe hardware.
#
#   run-in-guest.sh [-k 6.1|6.12] [-o OUTDIR] [-t SECONDS] [-c CACHEDIR] [-m MEM] [-s CPUS] [-d DISK] \
#       [-p PACKAGE]... -- COMMAND [ARG...]
#
#   -k  guest kernel series; the newest Debian linux-image of the series is used (default 6.12,
#       or $I2O2_GUEST_KERNEL)
#   -o  results folder, shared read-write with the guest at the same path; COMMAND runs there
#       (default ./guest-out). Its old guest-* files are removed first.
#   -t  hard limit for the whole guest run, boot included (default 480 s)
#   -c  cache for the unpacked kernels (default $I2O2_GUEST_CACHE or /var/tmp/i2o2-guest)
#   -m  guest memory (default 2G); -s guest CPUs (default 2); -d NVMe namespace size (default 1G)
#   -q  polled NVMe queues: the nvme driver is loaded with poll_queues=N (default 0: none), which
#       IORING_SETUP_IOPOLL rings need to poll /dev/ng0n1 and O_DIRECT /dev/nvme0n1
#   -p  a Debian package COMMAND needs (e.g. fio): installed on the host first, since the guest runs the
#       host's binaries; repeatable
#
# The guest sees the host's root file system read-only (the host's JDK, ~/.m2 and build output work
# unchanged), a writable tmpfs on /dev/shm, and these devices: /dev/nvme0 (controller), /dev/nvme0n1 and /dev/ng0n1
# (namespace 1, block and generic char device) on a scratch sparse image deleted afterwards, and a zoned namespace 2
# (/dev/ng0n2: 8 zones of 8 MiB, for the zone commands) on a second one, and namespace 3 formatted with metadata
# (512 + 8 B extended LBAs, PI type 1: the library must refuse its data commands) on a third.
# COMMAND runs under bash with HOME=TMPDIR=/dev/shm and I2O2_GUEST=1 in the environment (tests use it as their guard).
#
# I2O2_GUEST_KVM=1 tries KVM first where /dev/kvm is writable; when KVM cannot boot the guest (QEMU reports
# "KVM internal error", exits, or the guest's init has not started after I2O2_GUEST_KVM_BOOT_LIMIT seconds,
# default 10; TCG reaches it in 3-6 s) the same run goes on under TCG, and guest-summary's kvm= line says why.
#
# Exit status (the caller tells a test failure from a broken guest by it):
#   0  COMMAND ran and exited 0
#   1  COMMAND ran and exited non-zero: a test failure (its status is in OUTDIR/guest-exit-status)
#   2  usage error
#   3  host setup failed: missing tools that could not be installed, no kernel package, download failed
#   4  guest infrastructure failure: the guest stopped without reporting COMMAND's status
#      (kernel panic, init or mount failure, QEMU died)
#   5  guest infrastructure failure: the time limit ran out before COMMAND reported (the summary's verdict
#      says whether the guest had booted: a hanging COMMAND also ends here)
#
# Files left in OUTDIR: console.log (the guest's serial console), guest-summary (key=value: kernel,
# timings, verdict), guest-exit-status (when COMMAND finished), and any hs_err_pid*.log a JVM wrote.
#
# The host needs qemu-system-x86, busybox-static, cpio, xz-utils, kmod (depmod), apt (to fetch the kernel):
# missing ones are installed with apt-get when running as root (as CI does), otherwise exit 3.
# Always TCG, single-threaded: no KVM needed (see testsuite/guest/README.md for why).
set -eu

usage() {
    sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

series=${I2O2_GUEST_KERNEL:-6.12}
out=$PWD/guest-out
limit=480
cache=${I2O2_GUEST_CACHE:-/var/tmp/i2o2-guest}
mem=2G
cpus=2
disk=1G
extra=
pollq=0
while getopts k:o:t:c:m:s:d:p:q:h opt; do
    case $opt in
        k) series=$OPTARG ;;
        o) out=$OPTARG ;;
        t) limit=$OPTARG ;;
        c) cache=$OPTARG ;;
        m) mem=$OPTARG ;;
        s) cpus=$OPTARG ;;
        d) disk=$OPTARG ;;
        p) extra="$extra $OPTARG" ;;
        q) pollq=$OPTARG ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || usage
case $series in 6.1 | 6.12) ;; *) echo "run-in-guest: kernel series '$series': use 6.1 or 6.12" >&2; exit 2 ;; esac
case $limit in '' | *[!0-9]*) echo "run-in-guest: -t wants seconds: '$limit'" >&2; exit 2 ;; esac
case $pollq in '' | *[!0-9]*) echo "run-in-guest: -q wants a number of queues: '$pollq'" >&2; exit 2 ;; esac
# Read by the guest's init (busybox insmod takes module options as arguments; /proc/cmdline is not read).
kargs="i2o2.pollq=$pollq"
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
# The folder's path goes to the guest on the kernel command line, which splits at spaces.
case $out in *[[:space:]]*) echo "run-in-guest: OUTDIR must not contain spaces: '$out'" >&2; exit 2 ;; esac

started=$(date +%s)
say() { echo "run-in-guest: $*" >&2; }
setup_failed() { say "host setup failed: $*"; exit 3; }

# ---- host tools: install what is missing (CI is a fresh Debian 12 machine, running as root) ----
export PATH=$PATH:/sbin:/usr/sbin  # depmod lives in /sbin, outside a plain user's PATH
need=
for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio xz:xz-utils \
        depmod:kmod flock:util-linux gzip:gzip; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
# busybox must be static: the initramfs has no libc, and Debian's plain "busybox" package is dynamic.
if command -v dpkg-query >/dev/null 2>&1 \
        && ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
    case $need in *busybox-static*) ;; *) need="$need busybox-static" ;; esac
fi
for p in $extra; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
    [ "$(id -u)" = 0 ] || setup_failed "missing packages:$need (install them, or run as root)"
    say "installing$need"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $need >/dev/null; } \
        || setup_failed "apt-get install$need failed"
fi
busybox_bin=$(command -v busybox)

# ---- kernel: newest Debian package of the series, unpacked once into the cache ----
mkdir -p "$cache" || setup_failed "cannot create cache folder $cache"
# Several builds may share the cache: one unpacks, the others wait.
exec 9>"$cache/.lock"
flock -w 900 9 || setup_failed "cache $cache stayed locked for 15 minutes"

newest_kernel() {
    case $series in
        6.1) apt-cache search '^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
        6.12) apt-cache search '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64$' ;;
    esac | awk '{print $1}' | sort -V | tail -1
}
pkg=$(newest_kernel)
if [ -z "$pkg" ]; then
    [ "$(id -u)" = 0 ] || setup_failed "no linux-image-$series package known to apt (run apt-get update as root)"
    apt-get update -qq || setup_failed "apt-get update failed"
    pkg=$(newest_kernel)
    [ -n "$pkg" ] || setup_failed "apt knows no linux-image-$series package (is Debian 12 main in sources.list?)"
fi

# What goes into the initramfs: the NVMe driver and the virtio 9p transport (plus their dependencies).
# A change of this list changes the cache key, so stale caches are rebuilt.
modules="nvme virtio_pci 9pnet_virtio 9p"
key=$(echo "v1 $modules" | md5sum | cut -c1-8)
# Unpacks $pkg into $cache/$pkg-$key: vmlinuz, release, and mods/ (uncompressed, in load order).
fetch_kernel() {
    local tmp status
    say "fetching $pkg into $cache/$pkg-$key"
    tmp=$(mktemp -d "$cache/unpack.XXXXXX")
    # Not "( ... ) || fail": bash ignores set -e inside a subshell whose status is tested.
    set +e
    (
        set -e
        cd "$tmp"
        apt-get download -qq "$pkg"
        dpkg -x ./*.deb root
        mods=$(echo root/lib/modules/* root/usr/lib/modules/* | tr ' ' '\n' | grep -v '\*' | head -1)
        rel=$(basename "$mods")
        # The .deb has no modules.dep: depmod writes it, and gives the order to load modules in.
        depmod -b "${mods%/lib/modules/*}" "$rel"
        mkdir -p kernel/mods
        cp "root/boot/vmlinuz-$rel" kernel/vmlinuz
        echo "$rel" > kernel/release
        # Depth first: a module's dependencies before the module itself.
        order() {
            local line dep
            # Not in modules.dep: built into this kernel, nothing to load.
            line=$(grep -m1 -E "/$1\.ko(\.xz|\.zst|\.gz)?:" "$mods/modules.dep") || return 0
            for dep in ${line#*:}; do
                dep=${dep##*/}
                order "${dep%%.ko*}"
            done
            echo "${line%%:*}"
        }
        for m in $modules; do order "$m"; done | awk '!seen[$0]++' > order.list
        : > kernel/mods/order
        while read -r p; do
            n=$(basename "$p")
            # busybox insmod cannot read compressed modules (6.12 ships them .ko.xz).
            case $n in
                *.ko.xz) n=${n%.xz}; xz -dc "$mods/$p" > "kernel/mods/$n" ;;
                *.ko.zst) n=${n%.zst}; zstd -dcq "$mods/$p" > "kernel/mods/$n" ;;
                *.ko.gz) n=${n%.gz}; gzip -dc "$mods/$p" > "kernel/mods/$n" ;;
                *) cp "$mods/$p" "kernel/mods/$n" ;;
            esac
            echo "$n" >> kernel/mods/order
        done < order.list
        grep -q '^nvme\.ko$' kernel/mods/order
        echo "$pkg" > kernel/package
        touch kernel/ready
    )
    status=$?
    set -e
    if [ "$status" = 0 ]; then
        rm -rf "$cache/$pkg-$key"
        mv "$tmp/kernel" "$cache/$pkg-$key"
    fi
    rm -rf "$tmp"
    return "$status"
}
if [ ! -f "$cache/$pkg-$key/ready" ] && ! fetch_kernel; then
    # Package lists older than the mirror name a kernel it no longer serves: refresh them and try again.
    [ "$(id -u)" = 0 ] || setup_failed "could not fetch $pkg (as root, the lists would be refreshed)"
    apt-get update -qq || setup_failed "apt-get update failed"
    pkg=$(newest_kernel)
    [ -f "$cache/$pkg-$key/ready" ] || fetch_kernel || setup_failed "could not fetch and unpack $pkg"
fi
kdir=$cache/$pkg-$key
flock -u 9
rel=$(cat "$kdir/release")

# ---- initramfs: static busybox, the modules, and an init that mounts the shares and runs COMMAND ----
work=$(mktemp -d "$cache/run.XXXXXX")
img=$work/nvme.img
zimg=$work/zoned.img
mimg=$work/meta.img
qemu_pid=
cleanup() {
    # qemu_pid is timeout(1)'s, which runs QEMU in its own process group and passes the signal on.
    [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ir=$work/initramfs
mkdir -p "$ir/bin" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/host"
cp "$busybox_bin" "$ir/bin/busybox"
cp -r "$kdir/mods" "$ir/mods"
cat > "$ir/init" <<'EOF'
#!/bin/busybox sh
# Guest init: everything it prints goes to the serial console (OUTDIR/console.log on the host).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
stop() { echo "i2o2-guest: $*"; sync; poweroff -f; }
pollq=$(sed -n 's/.* i2o2\.pollq=\([0-9]*\).*/\1/p' /proc/cmdline)
for m in $(cat /mods/order); do
    opts=
    [ "$m" = nvme.ko ] && [ "${pollq:-0}" != 0 ] && opts="poll_queues=$pollq"
    insmod "/mods/$m" $opts || echo "i2o2-guest: insmod $m $opts failed"
done
out=$(sed -n 's/.* i2o2\.out=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$out" ] || stop "no i2o2.out= on the kernel command line"
# The host root, read-only. cache=loose: it does not change under a run, and class loading from jars
# over uncached 9p is slow.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host \
    || stop "cannot mount the host root (9p)"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
# The host's /tmp and /run stay visible (read-only): a checkout or a Maven repository may live there. The
# guest's scratch space is a tmpfs on /dev/shm instead (TMPDIR and HOME below).
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results "/host$out" \
    || stop "cannot mount the results share at $out"
mkdir -p /host/dev/shm && mount -t tmpfs shm /host/dev/shm
# Loopback is down in a fresh guest: socket tests would fail with ENETUNREACH.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up || echo "i2o2-guest: cannot bring lo up"
i=0
while [ ! -e /dev/ng0n1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
up=$(cut -d' ' -f1 /proc/uptime)
echo "i2o2-guest: kernel $(uname -r) up after ${up}s; nvme: $(ls /dev/nvme0 /dev/nvme0n1 /dev/ng0n1 2>&1 | tr '\n' ' ')"\
"poll_queues=$(cat /sys/module/nvme/parameters/poll_queues 2>/dev/null || echo ?)"
echo "kernel=$(uname -r)" > "/host$out/guest-started"
echo "boot_s=$up" >> "/host$out/guest-started"
# stdin is /dev/null: the serial console is a terminal, and programs that see one on stdin probe it (a JVM's
# System.console() reports a terminal, and JUnit's launcher then forks stty to measure it).
chroot /host /usr/bin/env -i HOME=/dev/shm TMPDIR=/dev/shm TERM=dumb LANG=C.UTF-8 I2O2_GUEST=1 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c 'cd "$1" && exec /bin/bash ./.guest-cmd' guest "$out" < /dev/null
rc=$?
up=$(cut -d' ' -f1 /proc/uptime)
echo "$rc" > "/host$out/guest-exit-status"
stop "command exited with status $rc at ${up}s"
EOF
chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.cpio.gz"

# ---- the run ----
rm -f "$out"/guest-started "$out"/guest-exit-status "$out"/guest-summary "$out"/console.log "$out"/.guest-cmd \
    "$out"/console-kvm.log
printf '%q ' "$@" > "$out/.guest-cmd"
echo >> "$out/.guest-cmd"
truncate -s "$disk" "$img"
truncate -s 64M "$zimg"
truncate -s 16M "$mimg"
# Boots the guest once: boot ACCEL LIMIT. Sets qemu_rc. With ACCEL=kvm it watches the boot and gives up early
# (qemu_rc=kvm-failed) when KVM cannot run the guest: QEMU reports "KVM internal error" and then sits paused,
# or exits, or the guest has not reached its init within $kvm_boot_limit seconds.
boot() {
    local accel=$1 lim=$2 waited=0 tail_pid
    # panic=-1 reboots at once on a panic, and -no-reboot turns that reboot into QEMU exiting.
    # The console goes straight to a file (complete once QEMU exits) and is followed live on stdout.
    timeout --kill-after=10 "$lim" qemu-system-x86_64 -accel "$accel" -m "$mem" -smp "$cpus" \
        -nographic -no-reboot -nic none -kernel "$kdir/vmlinuz" -initrd "$work/initramfs.cpio.gz" \
        -append "console=ttyS0 quiet panic=-1 i2o2.out=$out $kargs" \
        -drive file="$img",if=none,id=nvm,format=raw,cache=unsafe \
        -device nvme,serial=i2o2guest01,id=nvme0 \
        -device nvme-ns,drive=nvm,bus=nvme0,nsid=1,mssrl=128,mcl=128,msrc=127 \
        -drive file="$zimg",if=none,id=zns,format=raw,cache=unsafe \
        -device nvme-ns,drive=zns,bus=nvme0,nsid=2,zoned=on,zoned.zone_size=8M,zoned.zone_capacity=8M \
        -drive file="$mimg",if=none,id=meta,format=raw,cache=unsafe \
        -device nvme-ns,drive=meta,bus=nvme0,nsid=3,ms=8,mset=1,pi=1 \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -virtfs local,path="$out",mount_tag=results,security_model=none \
        < /dev/null > "$out/console.log" 2>&1 &
    qemu_pid=$!
    tail -n +1 -f --pid="$qemu_pid" "$out/console.log" &
    tail_pid=$!
    if [ "$accel" = kvm ]; then
        # Deciseconds, so a KVM that fails at once costs well under a second.
        while :; do
            if [ -f "$out/guest-started" ]; then break; fi
            if ! kill -0 "$qemu_pid" 2>/dev/null \
                    || grep -q -e 'KVM internal error' -e 'emulation failure' -e 'failed to set MSR' \
                        -e 'Could not access KVM' "$out/console.log" \
                    || [ "$waited" -ge $((kvm_boot_limit * 10)) ]; then
                kvm_why=$(grep -m1 -e 'KVM' -e 'kvm' "$out/console.log" | cut -c1-160)
                [ -n "$kvm_why" ] || kvm_why="guest not at its init after ${kvm_boot_limit}s"
                kill "$qemu_pid" 2>/dev/null || true
                wait "$qemu_pid" 2>/dev/null || true
                wait "$tail_pid" 2>/dev/null || true
                qemu_pid=
                qemu_rc=kvm-failed
                return 0
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
    qemu_rc=0
    wait "$qemu_pid" || qemu_rc=$?
    qemu_pid=
    wait "$tail_pid" || true
}
# Single-threaded TCG: multi-threaded TCG raced on cross-modifying code here (kernel text patching oopses,
# SIGILL in freshly patched JIT code). KVM only when asked for (I2O2_GUEST_KVM=1), only where /dev/kvm is
# writable, and it fails fast: these machines' KVM is paravirtual (kvm_pvm) and has stopped a guest in its
# decompressor with "KVM internal error"; then the same run goes on under TCG.
accel=tcg,thread=single
kvm_boot_limit=${I2O2_GUEST_KVM_BOOT_LIMIT:-10}
kvm_note=
boot_started=$(date +%s)
if [ "${I2O2_GUEST_KVM:-0}" = 1 ]; then
    if [ -w /dev/kvm ]; then
        say "booting $pkg ($rel), accel=kvm (falls back to TCG if KVM cannot boot it), limit ${limit}s, results in $out"
        kvm_why=
        boot kvm "$limit"
        if [ "$qemu_rc" = kvm-failed ]; then
            kvm_note="kvm failed after $(($(date +%s) - boot_started))s: $kvm_why"
            say "KVM could not boot the guest ($kvm_why): running it under TCG instead"
            mv "$out/console.log" "$out/console-kvm.log"
            rm -f "$out/guest-started"
            truncate -s 0 "$img" && truncate -s "$disk" "$img" && truncate -s 0 "$zimg" && truncate -s 64M "$zimg" \
                && truncate -s 0 "$mimg" && truncate -s 16M "$mimg"
        else
            accel=kvm
        fi
    else
        kvm_note="kvm asked for, /dev/kvm not writable"
        say "I2O2_GUEST_KVM=1 but /dev/kvm is not writable here: TCG"
    fi
fi
if [ "$accel" != kvm ]; then
    say "booting $pkg ($rel), accel=$accel, limit $((limit - ($(date +%s) - boot_started)))s, results in $out"
    boot "$accel" "$((limit - ($(date +%s) - boot_started)))"
fi
ended=$(date +%s)

# ---- verdict ----
boot_s=$(sed -n 's/^boot_s=//p' "$out/guest-started" 2>/dev/null || true)
status=
if [ -f "$out/guest-exit-status" ]; then
    status=$(cat "$out/guest-exit-status")
    if [ "$status" = 0 ]; then verdict=passed; rc=0; else verdict="command-failed($status)"; rc=1; fi
elif [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    # Started: COMMAND hung or ran too long (a stalled guest looks the same). Not started: boot hung.
    if [ -f "$out/guest-started" ]; then verdict=infra-timeout-in-command; else verdict=infra-timeout-at-boot; fi
    rc=5
elif grep -q 'Kernel panic' "$out/console.log"; then
    verdict=infra-kernel-panic; rc=4
elif [ ! -f "$out/guest-started" ]; then
    verdict=infra-boot-failed; rc=4
else
    verdict=infra-no-report; rc=4
fi
crashes=$(cd "$out" && ls hs_err_pid*.log 2>/dev/null | tr '\n' ' ' || true)
{
    echo "package=$pkg"
    echo "kernel=$rel"
    echo "accel=$accel"
    echo "kvm=$kvm_note"
    echo "boot_s=${boot_s:-}"
    echo "run_s=$((ended - boot_started))"
    echo "total_s=$((ended - started))"
    echo "started=$([ -f "$out/guest-started" ] && echo yes || echo no)"
    echo "exit_status=$status"
    echo "qemu_status=$qemu_rc"
    echo "verdict=$verdict"
    echo "hs_err=$crashes"
} > "$out/guest-summary"
[ -z "$crashes" ] || say "JVM crash log(s) kept in $out: $crashes"
grep -q 'Oops' "$out/console.log" && say "the guest kernel printed an Oops: see $out/console.log"
case $rc in
    0 | 1) say "$verdict: $rel, guest up after ${boot_s:-?}s, run $((ended - boot_started))s," \
        "total $((ended - started))s" ;;
    *) say "guest infrastructure failure ($verdict, qemu status $qemu_rc): $rel, run $((ended - boot_started))s;" \
        "console in $out/console.log" ;;
esac
exit $rc
