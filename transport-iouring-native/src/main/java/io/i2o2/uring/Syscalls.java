package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls the ring makes, as FFM downcalls that capture {@code errno}.
 *
 * <p>Every method returns what the kernel returned, or {@code -errno} on failure, the same convention
 * as io_uring's own CQE results, so callers handle both the same way. The caller passes the memory the
 * JVM stores {@code errno} into ({@link #newCallState}), so that a hot call such as
 * {@code io_uring_enter} allocates nothing.
 *
 * <p>The three io_uring calls go through libc's variadic {@code syscall(2)}: glibc has no wrappers for
 * them. Variadic arguments are passed as {@code long}, which is how {@code syscall} reads them.
 */
final class Syscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno")).withInvokeExactBehavior();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final long NR_SETUP = Arch.current().nrIoUringSetup();
    private static final long NR_ENTER = Arch.current().nrIoUringEnter();
    private static final long NR_REGISTER = Arch.current().nrIoUringRegister();

    private static final MethodHandle SYSCALL_2 = syscall(2);
    private static final MethodHandle SYSCALL_4 = syscall(4);
    private static final MethodHandle SYSCALL_6 = syscall(6);
    private static final MethodHandle MMAP =
            LINKER.downcallHandle(LinuxUring.mmap$address(), LinuxUring.mmap$descriptor(), CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP =
            LINKER.downcallHandle(LinuxUring.munmap$address(), LinuxUring.munmap$descriptor(), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE =
            LINKER.downcallHandle(LinuxUring.close$address(), LinuxUring.close$descriptor(), CAPTURE_ERRNO);
    private static final MethodHandle EVENTFD =
            LINKER.downcallHandle(LinuxUring.eventfd$address(), LinuxUring.eventfd$descriptor(), CAPTURE_ERRNO);
    private static final MethodHandle STATX =
            LINKER.downcallHandle(LinuxUring.statx$address(), LinuxUring.statx$descriptor(), CAPTURE_ERRNO);
    private static final MethodHandle SCHED_SETAFFINITY = LINKER.downcallHandle(
            LinuxUring.sched_setaffinity$address(), LinuxUring.sched_setaffinity$descriptor(), CAPTURE_ERRNO);
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle WRITE =
            LINKER.downcallHandle(LinuxUring.write$address(), LinuxUring.write$descriptor(), CAPTURE_ERRNO);

    private Syscalls() {
    }

    private static MethodHandle syscall(int args) {
        MemoryLayout[] layouts = new MemoryLayout[args + 1];
        java.util.Arrays.fill(layouts, JAVA_LONG);
        return LINKER.downcallHandle(Linker.nativeLinker().defaultLookup().findOrThrow("syscall"),
                FunctionDescriptor.of(JAVA_LONG, layouts), Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    }

    private static final ThreadLocal<MemorySegment> THREAD_CALL_STATE =
            ThreadLocal.withInitial(() -> newCallState(Arena.ofAuto()));

    /** Memory for one thread's calls to store {@code errno} in; reuse it for every call of that thread. */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The calling thread's own call state, for calls that may come from any thread (wake-ups, cleanup). */
    static MemorySegment threadCallState() {
        return THREAD_CALL_STATE.get();
    }

    private static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    private static int result(long ret, MemorySegment callState) {
        return ret == -1 ? -errno(callState) : (int) ret;
    }

    /** {@code io_uring_setup(entries, params)}: the ring fd, or -errno. */
    static int ioUringSetup(MemorySegment callState, int entries, MemorySegment params) {
        try {
            return result((long) SYSCALL_2.invokeExact(callState, NR_SETUP, (long) entries, params.address()),
                    callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: submitted count, or -errno. */
    static int ioUringEnter(MemorySegment callState, int fd, int toSubmit, int minComplete, int flags,
                            long arg, long argSize) {
        try {
            return result((long) SYSCALL_6.invokeExact(callState, NR_ENTER, (long) fd,
                    Integer.toUnsignedLong(toSubmit), Integer.toUnsignedLong(minComplete),
                    Integer.toUnsignedLong(flags), arg, argSize), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: the call's result, or -errno. */
    static int ioUringRegister(MemorySegment callState, int fd, int opcode, long arg, int nrArgs) {
        try {
            return result((long) SYSCALL_4.invokeExact(callState, NR_REGISTER, (long) fd, (long) opcode, arg,
                    Integer.toUnsignedLong(nrArgs)), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)}: the mapping's
     * address, or -errno as a negative number.
     */
    static long mmapShared(MemorySegment callState, long length, int fd, long offset) {
        try {
            MemorySegment addr = (MemorySegment) MMAP.invokeExact(callState, MemorySegment.NULL, length,
                    LinuxUring.PROT_READ() | LinuxUring.PROT_WRITE(),
                    LinuxUring.MAP_SHARED() | LinuxUring.MAP_POPULATE(), fd, offset);
            return addr.address() == -1L ? -errno(callState) : addr.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code munmap(addr, length)}: 0, or -errno. */
    static int munmap(MemorySegment callState, long address, long length) {
        try {
            return result((int) MUNMAP.invokeExact(callState, MemorySegment.ofAddress(address), length), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code close(fd)}: 0, or -errno. */
    static int close(MemorySegment callState, int fd) {
        try {
            return result((int) CLOSE.invokeExact(callState, fd), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code eventfd(0, flags)}: the new fd, or -errno. */
    static int eventfd(MemorySegment callState, int flags) {
        try {
            return result((int) EVENTFD.invokeExact(callState, 0, flags), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code write(fd, buf, count)}: bytes written, or -errno. */
    static int write(MemorySegment callState, int fd, MemorySegment buf, long count) {
        try {
            return result((long) WRITE.invokeExact(callState, fd, buf, count), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code statx(dirfd, path, flags, mask, buf)}: 0, or -errno. */
    static int statx(MemorySegment callState, int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        try {
            return result((int) STATX.invokeExact(callState, dirfd, path, flags, mask, buf), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code sched_setaffinity(0, size, mask)} for the calling thread: 0, or -errno. */
    static int schedSetaffinity(MemorySegment callState, MemorySegment mask) {
        try {
            return result((int) SCHED_SETAFFINITY.invokeExact(callState, 0, mask.byteSize(), mask), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code fcntl(fd, cmd)} for commands without an argument: the result, or -errno. */
    static int fcntl(MemorySegment callState, int fd, int cmd) {
        try {
            return result((int) FCNTL.invokeExact(callState, fd, cmd), callState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** What a downcall threw, rethrown unchecked (a downcall declares Throwable but throws only these). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }

}
