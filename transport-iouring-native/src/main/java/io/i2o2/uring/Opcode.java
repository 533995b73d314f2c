package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * io_uring opcodes ({@code IORING_OP_*}): the ones this library prepares, their names, and the kernel
 * release that added each (for messages and for the fault seam's kernel profiles).
 */
public final class Opcode {
    /** No operation: completes with 0. */
    public static final int NOP = LinuxUring.IORING_OP_NOP();
    /** {@code preadv2(2)}. */
    public static final int READV = LinuxUring.IORING_OP_READV();
    /** {@code pwritev2(2)}. */
    public static final int WRITEV = LinuxUring.IORING_OP_WRITEV();
    /** {@code fsync(2)} / {@code fdatasync(2)}. */
    public static final int FSYNC = LinuxUring.IORING_OP_FSYNC();
    /** {@code pread(2)} into a registered buffer. */
    public static final int READ_FIXED = LinuxUring.IORING_OP_READ_FIXED();
    /** {@code pwrite(2)} from a registered buffer. */
    public static final int WRITE_FIXED = LinuxUring.IORING_OP_WRITE_FIXED();
    /** {@code sync_file_range(2)}. */
    public static final int SYNC_FILE_RANGE = LinuxUring.IORING_OP_SYNC_FILE_RANGE();
    /** A timer. */
    public static final int TIMEOUT = LinuxUring.IORING_OP_TIMEOUT();
    /** Cancel an in-flight request. */
    public static final int ASYNC_CANCEL = LinuxUring.IORING_OP_ASYNC_CANCEL();
    /** A timeout bound to the previous linked request. */
    public static final int LINK_TIMEOUT = LinuxUring.IORING_OP_LINK_TIMEOUT();
    /** {@code fallocate(2)}. */
    public static final int FALLOCATE = LinuxUring.IORING_OP_FALLOCATE();
    /** {@code openat(2)}. */
    public static final int OPENAT = LinuxUring.IORING_OP_OPENAT();
    /** {@code openat2(2)}: an open with {@code RESOLVE_*} restrictions ({@link OpenHow}). */
    public static final int OPENAT2 = LinuxUring.IORING_OP_OPENAT2();
    /** {@code close(2)}, or freeing a registered file slot. */
    public static final int CLOSE = LinuxUring.IORING_OP_CLOSE();
    /** {@code statx(2)}. */
    public static final int STATX = LinuxUring.IORING_OP_STATX();
    /** {@code pread(2)}. */
    public static final int READ = LinuxUring.IORING_OP_READ();
    /** {@code pwrite(2)}. */
    public static final int WRITE = LinuxUring.IORING_OP_WRITE();
    /** {@code posix_fadvise(2)}. */
    public static final int FADVISE = LinuxUring.IORING_OP_FADVISE();
    /** {@code madvise(2)}. */
    public static final int MADVISE = LinuxUring.IORING_OP_MADVISE();
    /** {@code renameat2(2)}. */
    public static final int RENAMEAT = LinuxUring.IORING_OP_RENAMEAT();
    /** {@code unlinkat(2)}. */
    public static final int UNLINKAT = LinuxUring.IORING_OP_UNLINKAT();
    /** {@code mkdirat(2)}. */
    public static final int MKDIRAT = LinuxUring.IORING_OP_MKDIRAT();
    /** Post a CQE to another ring. */
    public static final int MSG_RING = LinuxUring.IORING_OP_MSG_RING();
    /** A command for the file's driver ({@code ->uring_cmd}): NVMe passthrough, socket commands. */
    public static final int URING_CMD = LinuxUring.IORING_OP_URING_CMD();
    /** {@code ftruncate(2)}. */
    public static final int FTRUNCATE = LinuxUring.I2O2_IORING_OP_FTRUNCATE();

    private static final int TABLE = 256;
    /** {@code IORING_OP_LAST} of the header the bindings were generated from (Linux 6.1 UAPI). */
    private static final int HEADER_LAST = LinuxUring.IORING_OP_LAST();
    private static final String[] NAMES = new String[TABLE];
    /** Releases that added each opcode; what is not listed is older than anything we run on. */
    private static final Map<String, String> SINCE = Map.ofEntries(
            Map.entry("SYNC_FILE_RANGE", "5.2"), Map.entry("SENDMSG", "5.3"), Map.entry("RECVMSG", "5.3"),
            Map.entry("TIMEOUT", "5.4"), Map.entry("TIMEOUT_REMOVE", "5.5"), Map.entry("ACCEPT", "5.5"),
            Map.entry("ASYNC_CANCEL", "5.5"), Map.entry("LINK_TIMEOUT", "5.5"), Map.entry("CONNECT", "5.5"),
            Map.entry("FALLOCATE", "5.6"), Map.entry("OPENAT", "5.6"), Map.entry("CLOSE", "5.6"),
            Map.entry("FILES_UPDATE", "5.6"), Map.entry("STATX", "5.6"), Map.entry("READ", "5.6"),
            Map.entry("WRITE", "5.6"), Map.entry("FADVISE", "5.6"), Map.entry("MADVISE", "5.6"),
            Map.entry("SEND", "5.6"), Map.entry("RECV", "5.6"), Map.entry("OPENAT2", "5.6"),
            Map.entry("EPOLL_CTL", "5.6"), Map.entry("SPLICE", "5.7"), Map.entry("PROVIDE_BUFFERS", "5.7"),
            Map.entry("REMOVE_BUFFERS", "5.7"), Map.entry("TEE", "5.8"), Map.entry("SHUTDOWN", "5.11"),
            Map.entry("RENAMEAT", "5.11"), Map.entry("UNLINKAT", "5.11"), Map.entry("MKDIRAT", "5.15"),
            Map.entry("SYMLINKAT", "5.15"), Map.entry("LINKAT", "5.15"), Map.entry("MSG_RING", "5.18"),
            Map.entry("FSETXATTR", "5.19"), Map.entry("SETXATTR", "5.19"), Map.entry("FGETXATTR", "5.19"),
            Map.entry("GETXATTR", "5.19"), Map.entry("SOCKET", "5.19"), Map.entry("URING_CMD", "5.19"),
            Map.entry("SEND_ZC", "6.0"), Map.entry("SENDMSG_ZC", "6.1"), Map.entry("FTRUNCATE", "6.9"));

    static {
        for (Method m : LinuxUring.class.getMethods()) {
            String name = m.getName();
            boolean opcode = name.startsWith("IORING_OP_") && !name.equals("IORING_OP_LAST");
            boolean added = name.startsWith("I2O2_IORING_OP_");
            if ((opcode || added) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0) {
                try {
                    NAMES[((Number) m.invoke(null)).intValue()] = name.substring(name.indexOf("OP_") + 3);
                } catch (ReflectiveOperationException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }
        }
    }

    private Opcode() {
    }

    /**
     * The opcode's name without prefix, such as {@code "READ"}; {@code "OP_N"} when unknown.
     *
     * @param opcode the opcode
     * @return the opcode's name without prefix, such as {@code "READ"}; {@code "OP_N"} when unknown
     */
    public static String name(int opcode) {
        return opcode >= 0 && opcode < TABLE && NAMES[opcode] != null ? NAMES[opcode] : "OP_" + opcode;
    }

    /**
     * The Linux release that added the opcode, such as {@code "5.6"}; {@code "5.1"} for the original set, and
     * {@code "6.2"} (a lower bound) for an opcode past the end of the 6.1 header the bindings come from.
     *
     * @param opcode the opcode
     * @return the Linux release that added the opcode, such as {@code "5.6"}; {@code "5.1"} for the original set, and {@code "6.2"} (a lower bound) for an opcode past the end of the 6.1 header the bindings come from
     */
    public static String since(int opcode) {
        String since = SINCE.get(name(opcode));
        if (since != null) {
            return since;
        }
        // Without this, the fault seam's simulated old kernels would still report every opcode newer than 6.1.
        return opcode >= HEADER_LAST ? "6.2" : "5.1";
    }
}
