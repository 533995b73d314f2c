package io.i2o2.uring;

import java.util.Locale;

/**
 * The constants that may differ between CPU architectures, read from the table jextract generated from
 * that architecture's own kernel headers ({@code io.i2o2.uring.gen.x86_64}, {@code io.i2o2.uring.gen.aarch64})
 * and selected once, by {@code os.arch}, when this class loads. A few numbers are written here by hand
 * instead ({@code __NR_openat2} and the NVMe passthrough ioctls, which {@link SqeSyscalls} needs): jextract
 * cannot expand {@code _IOWR(..., struct ...)}, and {@code ArchConstantsTest} checks them against each
 * architecture's headers just as it checks the generated ones. Any other architecture fails at once,
 * with an error that names it, instead of passing another architecture's flags to the kernel.
 *
 * @param name            the architecture, {@code "x86_64"} or {@code "aarch64"}
 * @param oRdonly         {@code O_RDONLY}
 * @param oWronly         {@code O_WRONLY}
 * @param oRdwr           {@code O_RDWR}
 * @param oAccmode        {@code O_ACCMODE}
 * @param oCreat          {@code O_CREAT}
 * @param oExcl           {@code O_EXCL}
 * @param oTrunc          {@code O_TRUNC}
 * @param oAppend         {@code O_APPEND}
 * @param oNonblock       {@code O_NONBLOCK}
 * @param oSync           {@code O_SYNC}
 * @param oDsync          {@code O_DSYNC}
 * @param oDirect         {@code O_DIRECT} (differs: 0x4000 on x86-64, 0x10000 on aarch64)
 * @param oDirectory      {@code O_DIRECTORY} (differs)
 * @param oNofollow       {@code O_NOFOLLOW} (differs)
 * @param oLargefile      {@code O_LARGEFILE} (differs; the kernel sets it itself on 64-bit)
 * @param oCloexec        {@code O_CLOEXEC}
 * @param oNoatime        {@code O_NOATIME}
 * @param oPath           {@code O_PATH}
 * @param oTmpfile        {@code O_TMPFILE} (differs: it contains {@code O_DIRECTORY})
 * @param nrIoUringSetup    the syscall number of {@code io_uring_setup}
 * @param nrIoUringEnter    the syscall number of {@code io_uring_enter}
 * @param nrIoUringRegister the syscall number of {@code io_uring_register}
 * @param nrOpenat2         the syscall number of {@code openat2} (glibc has no wrapper)
 * @param nvmeIoctlAdmin64Cmd {@code NVME_IOCTL_ADMIN64_CMD}: {@code _IOWR('N', 0x47, struct nvme_passthru_cmd64)}
 * @param nvmeIoctlIo64Cmd    {@code NVME_IOCTL_IO64_CMD}: {@code _IOWR('N', 0x48, struct nvme_passthru_cmd64)}
 * @param nvmeIoctlIo64CmdVec {@code NVME_IOCTL_IO64_CMD_VEC}: {@code _IOWR('N', 0x49, struct nvme_passthru_cmd64)}
 */
record Arch(String name, int oRdonly, int oWronly, int oRdwr, int oAccmode, int oCreat, int oExcl, int oTrunc,
            int oAppend, int oNonblock, int oSync, int oDsync, int oDirect, int oDirectory, int oNofollow,
            int oLargefile, int oCloexec, int oNoatime, int oPath, int oTmpfile,
            int nrIoUringSetup, int nrIoUringEnter, int nrIoUringRegister, int nrOpenat2,
            int nvmeIoctlAdmin64Cmd, int nvmeIoctlIo64Cmd, int nvmeIoctlIo64CmdVec) {

    /** {@code sizeof(struct nvme_passthru_cmd64)}: the 72 bytes of {@code struct nvme_uring_cmd} + {@code __u64 result}. */
    static final int NVME_PASSTHRU_CMD64_BYTES = 80;
    /** {@code __NR_openat2}: 437 in the unified syscall table that both architectures share since 5.1. */
    private static final int NR_OPENAT2 = 437;

    /**
     * {@code _IOWR(type, nr, size)} in the asm-generic encoding ({@code <asm-generic/ioctl.h>}) that x86-64
     * and arm64 both use: direction (read|write = 3) in bits 30-31, size in 16-29, type in 8-15, number in
     * 0-7. Other architectures (powerpc, mips, sparc) encode differently; they have no table here anyway.
     *
     * @param type the ioctl type character, such as {@code 'N'}
     * @param nr   the command number
     * @param size the argument's size in bytes
     * @return the request number, an int bit pattern (bit 31 set: pass it on zero-extended)
     */
    static int iowrGeneric(int type, int nr, int size) {
        return (3 << 30) | (size << 16) | (type << 8) | nr;
    }

    /** The x86-64 table, from the host's kernel headers. */
    static final Arch X86_64 = x86_64();
    /** The aarch64 table, from linux-libc-dev-arm64-cross's kernel headers. */
    static final Arch AARCH64 = aarch64();

    /**
     * The running JVM's table.
     *
     * @return the table for {@code os.arch}
     * @throws UnsupportedArchitectureException (wrapped in {@link ExceptionInInitializerError}, the first
     *         time) on an architecture without one
     */
    static Arch current() {
        return Current.TABLE;
    }

    /** Loaded on first use, so {@link #unsupported} can still be asked on an unsupported machine. */
    private static final class Current {
        static final Arch TABLE = forOsArch(System.getProperty("os.arch"));
    }

    /** Thrown when the JVM runs on an architecture with no constant table. */
    static final class UnsupportedArchitectureException extends UnsupportedOperationException {
        private static final long serialVersionUID = 1L;

        UnsupportedArchitectureException(String osArch) {
            super(message(osArch));
        }
    }

    /**
     * The table for a value of {@code os.arch}.
     *
     * @param osArch {@code amd64}/{@code x86_64}, or {@code aarch64}/{@code arm64}
     * @return the table
     * @throws UnsupportedArchitectureException for any other architecture, naming it
     */
    static Arch forOsArch(String osArch) {
        return switch (osArch == null ? "" : osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new UnsupportedArchitectureException(osArch);
        };
    }

    /**
     * Why this architecture cannot run the library, or {@code null} when it can.
     *
     * @param osArch a value of {@code os.arch}
     * @return the message, or {@code null}
     */
    static String unsupported(String osArch) {
        try {
            forOsArch(osArch);
            return null;
        } catch (UnsupportedArchitectureException e) {
            return e.getMessage();
        }
    }

    private static String message(String osArch) {
        return "i2o2 does not support the CPU architecture '" + osArch + "' (os.arch): its io_uring constants"
                + " exist for x86-64 (amd64) and aarch64 only";
    }

    private static Arch x86_64() {
        return new Arch("x86_64",
                io.i2o2.uring.gen.x86_64.ArchConstants.O_RDONLY(), io.i2o2.uring.gen.x86_64.ArchConstants.O_WRONLY(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_RDWR(), io.i2o2.uring.gen.x86_64.ArchConstants.O_ACCMODE(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_CREAT(), io.i2o2.uring.gen.x86_64.ArchConstants.O_EXCL(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_TRUNC(), io.i2o2.uring.gen.x86_64.ArchConstants.O_APPEND(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_NONBLOCK(), io.i2o2.uring.gen.x86_64.ArchConstants.O_SYNC(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_DSYNC(), io.i2o2.uring.gen.x86_64.ArchConstants.O_DIRECT(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_DIRECTORY(), io.i2o2.uring.gen.x86_64.ArchConstants.O_NOFOLLOW(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_LARGEFILE(), io.i2o2.uring.gen.x86_64.ArchConstants.O_CLOEXEC(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_NOATIME(), io.i2o2.uring.gen.x86_64.ArchConstants.O_PATH(),
                io.i2o2.uring.gen.x86_64.ArchConstants.O_TMPFILE(),
                io.i2o2.uring.gen.x86_64.ArchConstants.__NR_io_uring_setup(),
                io.i2o2.uring.gen.x86_64.ArchConstants.__NR_io_uring_enter(),
                io.i2o2.uring.gen.x86_64.ArchConstants.__NR_io_uring_register(), NR_OPENAT2,
                iowrGeneric('N', 0x47, NVME_PASSTHRU_CMD64_BYTES), iowrGeneric('N', 0x48, NVME_PASSTHRU_CMD64_BYTES),
                iowrGeneric('N', 0x49, NVME_PASSTHRU_CMD64_BYTES));
    }

    private static Arch aarch64() {
        return new Arch("aarch64",
                io.i2o2.uring.gen.aarch64.ArchConstants.O_RDONLY(), io.i2o2.uring.gen.aarch64.ArchConstants.O_WRONLY(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_RDWR(), io.i2o2.uring.gen.aarch64.ArchConstants.O_ACCMODE(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_CREAT(), io.i2o2.uring.gen.aarch64.ArchConstants.O_EXCL(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_TRUNC(), io.i2o2.uring.gen.aarch64.ArchConstants.O_APPEND(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_NONBLOCK(), io.i2o2.uring.gen.aarch64.ArchConstants.O_SYNC(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_DSYNC(), io.i2o2.uring.gen.aarch64.ArchConstants.O_DIRECT(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_DIRECTORY(), io.i2o2.uring.gen.aarch64.ArchConstants.O_NOFOLLOW(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_LARGEFILE(), io.i2o2.uring.gen.aarch64.ArchConstants.O_CLOEXEC(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_NOATIME(), io.i2o2.uring.gen.aarch64.ArchConstants.O_PATH(),
                io.i2o2.uring.gen.aarch64.ArchConstants.O_TMPFILE(),
                io.i2o2.uring.gen.aarch64.ArchConstants.__NR_io_uring_setup(),
                io.i2o2.uring.gen.aarch64.ArchConstants.__NR_io_uring_enter(),
                io.i2o2.uring.gen.aarch64.ArchConstants.__NR_io_uring_register(), NR_OPENAT2,
                iowrGeneric('N', 0x47, NVME_PASSTHRU_CMD64_BYTES), iowrGeneric('N', 0x48, NVME_PASSTHRU_CMD64_BYTES),
                iowrGeneric('N', 0x49, NVME_PASSTHRU_CMD64_BYTES));
    }
}
