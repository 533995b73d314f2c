package io.i2o2.uring;

import io.i2o2.uring.gen.io_uring_params;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code io_uring_setup} and, when it fails, why: the errors that have a well-known cause (io_uring
 * missing or disabled, memlock, a flag this kernel lacks) get a message that names it, so a user reads what
 * to change rather than an errno.
 */
final class SetupFailure {
    private SetupFailure() {
    }

    /** Fills {@code p} for {@code bits} and calls {@code io_uring_setup} (or the fault plan): fd, or -errno. */
    static int setup(MemorySegment callState, RingParams params, MemorySegment p, int bits) {
        p.fill((byte) 0);
        io_uring_params.flags(p, bits);
        io_uring_params.cq_entries(p, params.cqEntries());
        io_uring_params.sq_thread_idle(p, params.sqThreadIdleMillis());
        io_uring_params.sq_thread_cpu(p, Math.max(params.sqThreadCpu(), 0));
        int fault = params.faults().onSetup(bits);
        return fault != 0 ? -fault : Syscalls.ioUringSetup(callState, params.entries(), p);
    }

    static UringException explain(MemorySegment callState, RingParams params, int bits, int errno) {
        String call = "io_uring_setup(entries=" + params.entries()
                + (params.cqEntries() > 0 ? ", cqEntries=" + params.cqEntries() : "")
                + ", flags=" + SetupFlag.describe(SetupFlag.fromBits(bits)) + ")";
        String detail;
        if (errno == Errno.ENOSYS) {
            detail = "io_uring is not available: the kernel was built without it, or a seccomp filter"
                    + " (e.g. a container's default profile) blocks io_uring_setup";
        } else if (errno == Errno.EPERM) {
            int simulated = params.faults().simulatedIoUringDisabled();
            String disabled = simulated >= 0 ? String.valueOf(simulated)
                    : params.faults().readSysctl("/proc/sys/kernel/io_uring_disabled");
            detail = disabled != null
                    ? "io_uring is forbidden for this process: /proc/sys/kernel/io_uring_disabled is " + disabled
                            + " (1: only members of kernel.io_uring_group, 2: nobody), or a seccomp/LSM policy denies it"
                    : "io_uring is forbidden for this process by a seccomp/LSM policy (this kernel has no"
                            + " /proc/sys/kernel/io_uring_disabled: that sysctl came in Linux 6.6)";
        } else if (errno == Errno.ENOMEM) {
            detail = "the ring could not be allocated; kernels before 5.12 charge it to RLIMIT_MEMLOCK ("
                    + lockedMemoryLimit() + "): raise it with ulimit -l or ask for fewer entries";
        } else if (errno == Errno.EINVAL) {
            detail = explainInvalidFlags(callState, params, bits);
        } else if (errno == Errno.EMFILE || errno == Errno.ENFILE) {
            detail = "out of file descriptors";
        } else {
            detail = null;
        }
        return new UringException(call, errno, detail);
    }

    /** Finds which of the asked flags this kernel refuses on its own, by trying each alone. */
    private static String explainInvalidFlags(MemorySegment callState, RingParams params, int bits) {
        StringBuilder missing = new StringBuilder();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = scratch.allocate(io_uring_params.layout());
            RingParams probe = RingParams.builder().entries(1).faults(params.faults()).build();
            for (SetupFlag f : SetupFlag.fromBits(bits)) {
                int alone = f.bit() | (f == SetupFlag.DEFER_TASKRUN ? SetupFlag.SINGLE_ISSUER.bit() : 0);
                int fd = setup(callState, probe, p, alone);
                if (fd >= 0) {
                    Syscalls.close(callState, fd);
                } else if (-fd == Errno.EINVAL) {
                    missing.append(missing.isEmpty() ? "" : ", ").append(f).append(" (added in Linux ")
                            .append(f.since()).append(')');
                }
            }
        }
        if (!missing.isEmpty()) {
            return "this kernel (" + KernelVersion.running() + ") lacks IORING_SETUP_" + missing;
        }
        return "the kernel accepts each flag alone but not this combination, or the sizes (entries must be "
                + "1.." + RingParams.MAX_ENTRIES + ", cqEntries >= entries)";
    }

    /** A /proc file's content, trimmed ({@code Files.readString} can stop after one byte of some /proc files). */
    static String readSysctl(String file) {
        try {
            return String.join("\n", Files.readAllLines(Path.of(file))).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String lockedMemoryLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    return "ulimit -l: " + line.substring("Max locked memory".length()).trim().replaceAll(" +", " ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Only for the message.
        }
        return "limit unknown";
    }
}
