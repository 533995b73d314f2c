package io.i2o2.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.function.IntUnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Runs the operation an encoded SQE describes as the equivalent blocking system call on the calling thread,
 * and returns what the CQE's {@code res} would have been: the result, or {@code -errno}. This is the portable
 * engine's core, for machines where io_uring is unavailable (Docker's default seccomp profile refuses it):
 * the caller encodes each op with the same {@code Sqe.prep*} call it would make for a ring
 * ({@link Sqe#detached}) and runs it here on a worker thread.
 *
 * <p>What runs ({@link #runs}, {@link #probe}): {@code NOP}; {@code READ}, {@code WRITE}, {@code READ_FIXED},
 * {@code WRITE_FIXED} as {@code pread64}/{@code pwrite64} ({@code read}/{@code write} at offset -1, the file
 * position), or {@code preadv2}/{@code pwritev2} with the {@code RWF_*} flags when {@code rw_flags} is not 0;
 * {@code READV}, {@code WRITEV} as {@code preadv}/{@code pwritev} (the same rules); {@code FSYNC} as
 * {@code fsync}, or {@code fdatasync} with {@link Linux#IORING_FSYNC_DATASYNC}; {@code SYNC_FILE_RANGE};
 * {@code FALLOCATE}; {@code FTRUNCATE}; {@code FADVISE} ({@code posix_fadvise}); {@code MADVISE};
 * {@code OPENAT}; {@code OPENAT2} (raw {@code syscall}: glibc has no wrapper); {@code CLOSE}; {@code STATX};
 * {@code UNLINKAT}; {@code RENAMEAT} ({@code renameat2}); {@code MKDIRAT}; and {@code URING_CMD} for NVMe
 * passthrough, as the matching {@code NVME_IOCTL_*64_CMD} ioctl ({@link #extra0()} carries the command's
 * result dword, as the big CQE's first extra does). Any other opcode gives {@code -EINVAL}, as io_uring does
 * for an opcode it does not know: ask {@link #runs} before encoding.
 *
 * <p>Each field is read where the kernel's io_uring reads it (6.x), so one encoding means the same on both
 * paths: {@code FALLOCATE} takes the length from {@code addr} and the mode from {@code len};
 * {@code FADVISE} takes a 64-bit length from {@code addr} when it is not 0 (liburing's {@code fadvise64}),
 * else {@code len}; {@code MADVISE} likewise from {@code off}. {@link SqeFlags#FIXED_FILE} makes {@code fd}
 * a registered slot, resolved through the caller's lookup; the path operations and {@code CLOSE} refuse it
 * with {@code -EBADF}, as the ring does. The link flags, {@code ASYNC}, {@code DRAIN} and
 * {@code CQE_SKIP_SUCCESS} are the caller's business (it runs chains) and ignored here.
 *
 * <p>Where the ring can do more than a system call, the difference is kept small and said here:
 * <ul>
 *   <li>{@code READ_FIXED}/{@code WRITE_FIXED} run on {@code addr} as given: there is no registered buffer
 *       table to check it against ({@code buf_index} is ignored; the ring gives {@code -EFAULT} for an
 *       address outside the slot's buffer).</li>
 *   <li>A positioned read or write on a pipe or other stream file: the ring ignores the offset there, while
 *       {@code pread} fails with {@code ESPIPE}; on {@code -ESPIPE} the call is repeated at the file position,
 *       which is what the ring does. A read of an empty {@code O_NONBLOCK} pipe or socket gives {@code -EAGAIN}
 *       here at once, where the ring waits for data (it polls); this runner is for files.</li>
 *   <li>{@code FSYNC}'s optional range ({@code off}, {@code len}) is ignored: the whole file is synced.</li>
 *   <li>Direct descriptors ({@code file_index} on {@code OPENAT}, {@code OPENAT2}, {@code CLOSE}) give
 *       {@code -ENXIO}, what a ring without a registered file table gives: this runner cannot install into
 *       or free a slot of the caller's table.</li>
 *   <li>{@code ioprio}, {@code personality} and the fields the kernel requires to be 0 are not checked;
 *       {@code rw_flags} are, by {@code preadv2}/{@code pwritev2} themselves.</li>
 * </ul>
 *
 * <p>{@code EINTR}: io_uring never reports it for regular files, and a transfer interrupted before moving a
 * byte moved nothing, so every call is repeated on {@code -EINTR}, except {@code close} (Linux releases the
 * descriptor even then; repeating could close another thread's new descriptor) and the NVMe ioctl (the
 * command may already have reached the device), whose {@code -EINTR} is returned as is.
 *
 * <p>One instance per thread: it holds that thread's {@code errno} capture memory and a little scratch (the
 * 80-byte NVMe command copy, an iovec), so it is <b>not thread-safe</b>. A call allocates nothing and boxes
 * nothing. The memory comes from {@link Arena#ofAuto()}: a worker pool keeps one instance per thread for the
 * thread's life, and an automatic arena needs no {@code close} on the owning thread at its exit, nor can a
 * late op touch memory a {@code close} freed; it is about 100 bytes, freed once the instance is unreachable.
 *
 * <p>Pointer arguments are declared {@code long} (the address) rather than {@code ADDRESS}, so no
 * {@link MemorySegment} is made per call: on the two supported architectures (LP64 x86-64 and aarch64) a
 * pointer and a {@code long} travel in the same integer register.
 */
public final class SqeSyscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno")).withInvokeExactBehavior();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // ---- libc, pointers as long (see the class comment) ----
    private static final MethodHandle READ = libc("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE = libc("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PREAD64 = libc("pread64", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PWRITE64 = libc("pwrite64", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle READV = libc("readv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle WRITEV = libc("writev", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle PREADV = libc("preadv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG);
    private static final MethodHandle PWRITEV = libc("pwritev", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG);
    private static final MethodHandle PREADV2 =
            libc("preadv2", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle PWRITEV2 =
            libc("pwritev2", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle FSYNC = libc("fsync", JAVA_INT, JAVA_INT);
    private static final MethodHandle FDATASYNC = libc("fdatasync", JAVA_INT, JAVA_INT);
    private static final MethodHandle SYNC_FILE_RANGE =
            libc("sync_file_range", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle FALLOCATE = libc("fallocate", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle FTRUNCATE = libc("ftruncate", JAVA_INT, JAVA_INT, JAVA_LONG);
    /** Returns the error number itself and leaves {@code errno} alone: no capture. */
    private static final MethodHandle POSIX_FADVISE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("posix_fadvise"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MADVISE = libc("madvise", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    /** {@code openat(dirfd, path, flags, ...)}: the mode is the variadic argument. */
    private static final MethodHandle OPENAT = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("openat"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(3), CAPTURE_ERRNO);
    /** {@code syscall(nr, a, b, c, d)}, for {@code openat2}; variadic arguments are read as {@code long}. */
    private static final MethodHandle SYSCALL_4 = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = libc("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle STATX = libc("statx", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle UNLINKAT = libc("unlinkat", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RENAMEAT2 =
            libc("renameat2", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle MKDIRAT = libc("mkdirat", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    /** {@code ioctl(fd, request, ...)}: the request is {@code unsigned long}, the argument variadic. */
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);

    private static final long NR_OPENAT2 = Arch.current().nrOpenat2();
    /** The ioctl requests, zero-extended: the kernel reads an unsigned request (bit 31 is set). */
    private static final long IOCTL_IO64 = Integer.toUnsignedLong(Arch.current().nvmeIoctlIo64Cmd());
    private static final long IOCTL_IO64_VEC = Integer.toUnsignedLong(Arch.current().nvmeIoctlIo64CmdVec());
    private static final long IOCTL_ADMIN64 = Integer.toUnsignedLong(Arch.current().nvmeIoctlAdmin64Cmd());
    /** {@code struct nvme_uring_cmd}'s 72 bytes, the head of {@code struct nvme_passthru_cmd64}. */
    private static final int NVME_CMD_BYTES = 72;
    /** Where {@code struct nvme_passthru_cmd64} has its {@code __u64 result}. */
    private static final long NVME_RESULT = 72;

    // ---- what each opcode runs as; constant kinds, so the dispatch is a switch ----
    private static final int NONE = 0;
    // No file: FIXED_FILE is ignored, as the ring ignores it for these.
    private static final int NOP = 1;
    private static final int MADV = 2;
    // A file (fd, or a slot with FIXED_FILE).
    private static final int RD = 3;
    private static final int WR = 4;
    private static final int RDV = 5;
    private static final int WRV = 6;
    private static final int SYNC = 7;
    private static final int SYNC_RANGE = 8;
    private static final int FALLOC = 9;
    private static final int TRUNC = 10;
    private static final int FADV = 11;
    private static final int CMD = 12;
    // A path or a descriptor to close: FIXED_FILE gives -EBADF, as on the ring.
    private static final int FIRST_REFUSING_FIXED = 13;
    private static final int OPEN = 13;
    private static final int OPEN2 = 14;
    private static final int CLOSE_FD = 15;
    private static final int STAT = 16;
    private static final int UNLINK = 17;
    private static final int RENAME = 18;
    private static final int MKDIR = 19;

    private static final byte[] KINDS = new byte[256];
    private static final int LAST_OPCODE;

    static {
        int[][] table = {
                {Opcode.NOP, NOP}, {Opcode.MADVISE, MADV},
                {Opcode.READ, RD}, {Opcode.READ_FIXED, RD}, {Opcode.WRITE, WR}, {Opcode.WRITE_FIXED, WR},
                {Opcode.READV, RDV}, {Opcode.WRITEV, WRV}, {Opcode.FSYNC, SYNC},
                {Opcode.SYNC_FILE_RANGE, SYNC_RANGE}, {Opcode.FALLOCATE, FALLOC}, {Opcode.FTRUNCATE, TRUNC},
                {Opcode.FADVISE, FADV}, {Opcode.URING_CMD, CMD},
                {Opcode.OPENAT, OPEN}, {Sqe.OPENAT2, OPEN2}, {Opcode.CLOSE, CLOSE_FD}, {Opcode.STATX, STAT},
                {Opcode.UNLINKAT, UNLINK}, {Opcode.RENAMEAT, RENAME}, {Opcode.MKDIRAT, MKDIR},
        };
        int last = 0;
        for (int[] row : table) {
            KINDS[row[0]] = (byte) row[1];
            last = Math.max(last, row[0]);
        }
        LAST_OPCODE = last + 1;
    }

    private final MemorySegment callState;
    /** The NVMe command copy ({@code struct nvme_passthru_cmd64}, 80 bytes). */
    private final MemorySegment nvme;
    private final long nvmeAddress;
    /** One {@code struct iovec}, for a READ or WRITE with {@code rw_flags} (only the v2 calls take flags). */
    private final MemorySegment iov;
    private final long iovAddress;
    /** A {@code struct open_how} copy, for an open tried without waiting. */
    private final MemorySegment how;
    private long extra0;

    /** A runner for the calling thread (see the class comment: one per thread). */
    public SqeSyscalls() {
        Arena arena = Arena.ofAuto();
        callState = arena.allocate(CALL_STATE);
        MemorySegment scratch = arena.allocate(Arch.NVME_PASSTHRU_CMD64_BYTES + 16L + OpenHow.BYTES, 8);
        nvme = scratch.asSlice(0, Arch.NVME_PASSTHRU_CMD64_BYTES);
        nvmeAddress = nvme.address();
        iov = scratch.asSlice(Arch.NVME_PASSTHRU_CMD64_BYTES, 16);
        iovAddress = iov.address();
        how = scratch.asSlice(Arch.NVME_PASSTHRU_CMD64_BYTES + 16L, OpenHow.BYTES);
    }

    /**
     * Whether {@link #run} performs this opcode (otherwise it returns {@code -EINVAL}).
     *
     * @param opcode an {@link Opcode} value
     * @return whether this runner has a system call for it
     */
    public static boolean runs(int opcode) {
        return opcode >= 0 && opcode < KINDS.length && KINDS[opcode] != NONE;
    }

    /**
     * Whether {@link #run} performs a {@code URING_CMD} with this {@code cmd_op}: the NVMe passthrough commands
     * that have an ioctl on the same character device ({@link NvmeUringCmd#CMD_IO}, {@link NvmeUringCmd#CMD_IO_VEC},
     * {@link NvmeUringCmd#CMD_ADMIN}). Any other (NVMe's {@code NVME_URING_CMD_ADMIN_VEC}, socket commands, other
     * drivers') gives {@code -EOPNOTSUPP}: a caller that can refuse before encoding should ask here first.
     *
     * @param cmdOp the command's {@code cmd_op}, an int bit pattern
     * @return whether this runner has an ioctl for it
     */
    public static boolean runsUringCmd(int cmdOp) {
        return cmdOp == NvmeUringCmd.CMD_IO || cmdOp == NvmeUringCmd.CMD_IO_VEC || cmdOp == NvmeUringCmd.CMD_ADMIN;
    }

    /**
     * A {@link Probe} that supports exactly the opcodes {@link #runs} accepts: what a portable engine reports
     * in place of the kernel's {@code IORING_REGISTER_PROBE}. Its {@link Probe#lastOpcode()} is the highest
     * of them plus one.
     *
     * @return the probe
     */
    public static Probe probe() {
        boolean[] supported = new boolean[LAST_OPCODE];
        for (int op = 0; op < LAST_OPCODE; op++) {
            supported[op] = runs(op);
        }
        return new Probe(supported, LAST_OPCODE);
    }

    /**
     * What the last {@link #run} left in the big CQE's first extra: for a {@code URING_CMD} the ioctl
     * accepted, the NVMe command's {@code result}; 0 after any other op, or a failed one.
     *
     * @return the last run's {@code result}, or 0
     */
    public long extra0() {
        return extra0;
    }

    /**
     * Runs the SQE's operation as a blocking system call on this thread.
     *
     * @param sqe        the encoded entry (a {@link Sqe#detached} writer, or a ring's); read, never changed. A
     *                   {@code URING_CMD} needs a 128-byte entry, as an NVMe ring needs {@link SetupFlag#SQE128}:
     *                   a 64-byte one gives {@code -EOPNOTSUPP}, as the NVMe driver does
     * @param fixedFiles resolves a registered-file slot to a descriptor when the SQE has
     *                   {@link SqeFlags#FIXED_FILE}: a negative answer (an empty slot) gives {@code -EBADF}, as
     *                   the ring does; {@code null} when the caller has no table (every slot is empty)
     * @return what the CQE's {@code res} would be: the call's result, or {@code -errno}
     */
    public int run(Sqe sqe, IntUnaryOperator fixedFiles) {
        extra0 = 0;
        int kind = KINDS[sqe.opcode()];
        if (kind == NONE) {
            return -Errno.EINVAL;
        }
        int fd = sqe.fd();
        if ((sqe.flags() & SqeFlags.FIXED_FILE) != 0) {
            if (kind >= FIRST_REFUSING_FIXED) {
                return -Errno.EBADF;
            }
            if (kind >= RD) {
                fd = fixedFiles == null ? -1 : fixedFiles.applyAsInt(fd);
                if (fd < 0) {
                    return -Errno.EBADF;
                }
            }
        }
        try {
            int res;
            do {
                res = once(kind, sqe, fd);
            } while (res == -Errno.EINTR && kind != CLOSE_FD && kind != CMD);
            return res;
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    private static final MethodHandle FCNTL_ARG = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
            CAPTURE_ERRNO);
    /** {@code F_GETFL} and {@code F_SETFL} (asm-generic/fcntl.h, the same on x86-64 and aarch64). */
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;

    /**
     * Tries an {@code OPENAT2} without waiting, as io_uring tries it inline before its worker: the path from the
     * dentry cache only ({@code RESOLVE_CACHED}) and the open itself not waiting ({@code O_NONBLOCK}, taken off
     * the new descriptor again unless asked for); an open that creates or truncates is not tried.
     *
     * @param sqe the encoded {@code OPENAT2}; read, never changed
     * @return the new descriptor, {@code -EAGAIN} where it would have to wait (run it with {@link #run} then),
     *         or the open's {@code -errno}
     * @throws IllegalArgumentException if the entry is not an {@code OPENAT2}
     */
    public int tryOpenWithoutWaiting(Sqe sqe) {
        if (KINDS[sqe.opcode()] != OPEN2) {
            throw new IllegalArgumentException("not an openat2: " + Opcode.name(sqe.opcode()));
        }
        extra0 = 0;
        if (sqe.fileIndex() != 0 || (sqe.flags() & SqeFlags.FIXED_FILE) != 0
                || Integer.toUnsignedLong(sqe.len()) != OpenHow.BYTES) {
            return -Errno.EAGAIN;
        }
        MemorySegment asked = MemorySegment.ofAddress(sqe.off()).reinterpret(OpenHow.BYTES);
        long flags = OpenHow.flags(asked);
        if ((flags & (Linux.O_CREAT | Linux.O_TRUNC | Linux.O_TMPFILE)) != 0) {
            return -Errno.EAGAIN;       // RESOLVE_CACHED refuses these anyway
        }
        OpenHow.write(how, flags | Linux.O_NONBLOCK, OpenHow.mode(asked), OpenHow.resolve(asked) | OpenHow.RESOLVE_CACHED);
        try {
            int fd = result((long) SYSCALL_4.invokeExact(callState, NR_OPENAT2, (long) sqe.fd(), sqe.addr(),
                    how.address(), (long) OpenHow.BYTES));
            if (fd >= 0 && (flags & Linux.O_NONBLOCK) == 0) {
                int fl = result((int) FCNTL_ARG.invokeExact(callState, fd, F_GETFL, 0));
                if (fl < 0 || result((int) FCNTL_ARG.invokeExact(callState, fd, F_SETFL, fl & ~Linux.O_NONBLOCK)) < 0) {
                    result((int) CLOSE.invokeExact(callState, fd));
                    return -Errno.EAGAIN;    // could not make it what was asked: the worker opens it as asked
                }
            }
            return fd;
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /** {@code RWF_NOWAIT} (linux/fs.h, the same on every architecture). */
    private static final int RWF_NOWAIT = 0x8;

    /**
     * Tries a plain read ({@code READ} or {@code READ_FIXED}) without waiting: {@code preadv2} with
     * {@code RWF_NOWAIT}, so what the page cache holds is copied at once and nothing else is waited for, as
     * io_uring first tries a buffered read inline before it hands it to a worker. Not for O_DIRECT files (their
     * read waits for the device whatever the flag says).
     *
     * @param sqe        the encoded read; read, never changed
     * @param fixedFiles as for {@link #run}
     * @return the bytes read (fewer than asked when only part was cached, or at the end of the file), or
     *         {@code -EAGAIN} where it would have to wait, or another {@code -errno}; any answer but the whole
     *         length or 0 (end of file) means: run it with {@link #run} instead
     * @throws IllegalArgumentException if the entry is not a plain read
     */
    public int tryReadWithoutWaiting(Sqe sqe, IntUnaryOperator fixedFiles) {
        int kind = KINDS[sqe.opcode()];
        if (kind != RD) {
            throw new IllegalArgumentException("not a plain read: " + Opcode.name(sqe.opcode()));
        }
        extra0 = 0;
        int fd = sqe.fd();
        if ((sqe.flags() & SqeFlags.FIXED_FILE) != 0) {
            fd = fixedFiles == null ? -1 : fixedFiles.applyAsInt(fd);
            if (fd < 0) {
                return -Errno.EBADF;
            }
        }
        try {
            return read(fd, sqe.addr(), Integer.toUnsignedLong(sqe.len()), sqe.off(), sqe.opFlags() | RWF_NOWAIT);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    private int once(int kind, Sqe sqe, int fd) throws Throwable {
        return switch (kind) {
            case NOP -> 0;
            case RD -> read(fd, sqe.addr(), Integer.toUnsignedLong(sqe.len()), sqe.off(), sqe.opFlags());
            case WR -> write(fd, sqe.addr(), Integer.toUnsignedLong(sqe.len()), sqe.off(), sqe.opFlags());
            case RDV -> readv(fd, sqe.addr(), sqe.len(), sqe.off(), sqe.opFlags());
            case WRV -> writev(fd, sqe.addr(), sqe.len(), sqe.off(), sqe.opFlags());
            case SYNC -> fsync(fd, sqe.opFlags());
            case SYNC_RANGE -> result((int) SYNC_FILE_RANGE.invokeExact(callState, fd, sqe.off(),
                    Integer.toUnsignedLong(sqe.len()), sqe.opFlags()));
            // prepFallocate: the length in addr, the mode in len.
            case FALLOC -> result((int) FALLOCATE.invokeExact(callState, fd, sqe.len(), sqe.off(), sqe.addr()));
            case TRUNC -> result((int) FTRUNCATE.invokeExact(callState, fd, sqe.off()));
            case FADV -> {
                long len = sqe.addr() != 0 ? sqe.addr() : Integer.toUnsignedLong(sqe.len());
                int err = (int) POSIX_FADVISE.invokeExact(fd, sqe.off(), len, sqe.opFlags());
                yield -err;   // the error number itself, not -1 and errno
            }
            case MADV -> {
                long len = sqe.off() != 0 ? sqe.off() : Integer.toUnsignedLong(sqe.len());
                yield result((int) MADVISE.invokeExact(callState, sqe.addr(), len, sqe.opFlags()));
            }
            case CMD -> uringCmd(fd, sqe);
            // The kernel sets O_LARGEFILE itself for openat and openat2 on 64-bit, for the ring and the
            // system call alike (force_o_largefile), and masks the flags the same way: nothing to add.
            case OPEN -> sqe.fileIndex() != 0 ? -Errno.ENXIO
                    : result((int) OPENAT.invokeExact(callState, fd, sqe.addr(), sqe.opFlags(), sqe.len()));
            case OPEN2 -> sqe.fileIndex() != 0 ? -Errno.ENXIO
                    : result((long) SYSCALL_4.invokeExact(callState, NR_OPENAT2, (long) fd, sqe.addr(), sqe.off(),
                    Integer.toUnsignedLong(sqe.len())));
            case CLOSE_FD -> sqe.fileIndex() != 0 ? -Errno.ENXIO : result((int) CLOSE.invokeExact(callState, fd));
            // prepStatx: the mask in len, the buffer in off.
            case STAT -> result((int) STATX.invokeExact(callState, fd, sqe.addr(), sqe.opFlags(), sqe.len(), sqe.off()));
            case UNLINK -> result((int) UNLINKAT.invokeExact(callState, fd, sqe.addr(), sqe.opFlags()));
            // prepRenameat: the new directory in len, the new path in off.
            case RENAME -> result((int) RENAMEAT2.invokeExact(callState, fd, sqe.addr(), sqe.len(), sqe.off(),
                    sqe.opFlags()));
            case MKDIR -> result((int) MKDIRAT.invokeExact(callState, fd, sqe.addr(), sqe.len()));
            default -> -Errno.EINVAL;
        };
    }

    private int read(int fd, long addr, long len, long off, int rwFlags) throws Throwable {
        if (rwFlags != 0) {
            iov.set(JAVA_LONG, 0, addr);
            iov.set(JAVA_LONG, 8, len);
            int res = result((long) PREADV2.invokeExact(callState, fd, iovAddress, 1, off, rwFlags));
            return res == -Errno.ESPIPE && off != -1
                    ? result((long) PREADV2.invokeExact(callState, fd, iovAddress, 1, -1L, rwFlags)) : res;
        }
        if (off != -1) {
            int res = result((long) PREAD64.invokeExact(callState, fd, addr, len, off));
            if (res != -Errno.ESPIPE) {
                return res;
            }
        }
        return result((long) READ.invokeExact(callState, fd, addr, len));
    }

    private int write(int fd, long addr, long len, long off, int rwFlags) throws Throwable {
        if (rwFlags != 0) {
            iov.set(JAVA_LONG, 0, addr);
            iov.set(JAVA_LONG, 8, len);
            int res = result((long) PWRITEV2.invokeExact(callState, fd, iovAddress, 1, off, rwFlags));
            return res == -Errno.ESPIPE && off != -1
                    ? result((long) PWRITEV2.invokeExact(callState, fd, iovAddress, 1, -1L, rwFlags)) : res;
        }
        if (off != -1) {
            int res = result((long) PWRITE64.invokeExact(callState, fd, addr, len, off));
            if (res != -Errno.ESPIPE) {
                return res;
            }
        }
        return result((long) WRITE.invokeExact(callState, fd, addr, len));
    }

    private int readv(int fd, long iovecs, int count, long off, int rwFlags) throws Throwable {
        if (rwFlags != 0) {
            int res = result((long) PREADV2.invokeExact(callState, fd, iovecs, count, off, rwFlags));
            return res == -Errno.ESPIPE && off != -1
                    ? result((long) PREADV2.invokeExact(callState, fd, iovecs, count, -1L, rwFlags)) : res;
        }
        if (off != -1) {
            int res = result((long) PREADV.invokeExact(callState, fd, iovecs, count, off));
            if (res != -Errno.ESPIPE) {
                return res;
            }
        }
        return result((long) READV.invokeExact(callState, fd, iovecs, count));
    }

    private int writev(int fd, long iovecs, int count, long off, int rwFlags) throws Throwable {
        if (rwFlags != 0) {
            int res = result((long) PWRITEV2.invokeExact(callState, fd, iovecs, count, off, rwFlags));
            return res == -Errno.ESPIPE && off != -1
                    ? result((long) PWRITEV2.invokeExact(callState, fd, iovecs, count, -1L, rwFlags)) : res;
        }
        if (off != -1) {
            int res = result((long) PWRITEV.invokeExact(callState, fd, iovecs, count, off));
            if (res != -Errno.ESPIPE) {
                return res;
            }
        }
        return result((long) WRITEV.invokeExact(callState, fd, iovecs, count));
    }

    private int fsync(int fd, int fsyncFlags) throws Throwable {
        if ((fsyncFlags & ~Linux.IORING_FSYNC_DATASYNC) != 0) {
            return -Errno.EINVAL;   // as the ring refuses an fsync flag it does not know
        }
        return fsyncFlags != 0 ? result((int) FDATASYNC.invokeExact(callState, fd))
                : result((int) FSYNC.invokeExact(callState, fd));
    }

    /**
     * NVMe passthrough without io_uring: the 72-byte {@code struct nvme_uring_cmd} is the head of the 80-byte
     * {@code struct nvme_passthru_cmd64} the {@code *64_CMD} ioctls take, whose last field, {@code result},
     * comes back as {@link #extra0()}. The ioctl's return is the NVMe status ({@code >= 0}) or {@code -1};
     * both become the {@code res} the ring would give.
     */
    private int uringCmd(int fd, Sqe sqe) throws Throwable {
        if (sqe.size() < 128) {
            return -Errno.EOPNOTSUPP;   // the NVMe driver refuses a uring_cmd without SQE128 (and CQE32)
        }
        int cmdOp = sqe.cmdOp();   // an int bit pattern (0xC0484E80): compared as such, never widened
        long request;
        if (cmdOp == NvmeUringCmd.CMD_IO) {
            request = IOCTL_IO64;
        } else if (cmdOp == NvmeUringCmd.CMD_IO_VEC) {
            request = IOCTL_IO64_VEC;
        } else if (cmdOp == NvmeUringCmd.CMD_ADMIN) {
            request = IOCTL_ADMIN64;
        } else {
            return -Errno.EOPNOTSUPP;   // NVME_URING_CMD_ADMIN_VEC and the rest have no ioctl (runsUringCmd)
        }
        sqe.copyCommand(nvme, NVME_CMD_BYTES);
        nvme.set(JAVA_LONG, NVME_RESULT, 0L);
        int res = result((int) IOCTL.invokeExact(callState, fd, request, nvmeAddress));
        if (res == -Errno.ENOTTY) {
            // Not an NVMe device (a regular file, a pipe): the ring gives -EOPNOTSUPP for a uring_cmd on a
            // file whose driver has no ->uring_cmd, so the same op answers the same on both paths.
            return -Errno.EOPNOTSUPP;
        }
        if (res >= 0) {
            extra0 = nvme.get(JAVA_LONG, NVME_RESULT);
        }
        return res;
    }

    private static MethodHandle libc(String name, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), FunctionDescriptor.of(ret, args),
                CAPTURE_ERRNO);
    }

    private int result(long ret) {
        return ret == -1 ? -(int) ERRNO.get(callState, 0L) : (int) ret;
    }
}
