package io.i2o2.bench.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few libc calls the benchmark needs, through the FFM API: opening the data file for peers that take a
 * raw fd (without Netty's {@code FileDescriptor.from}, which truncates), and locking memory.
 */
public final class Libc {
    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = 0;
    /** {@code O_WRONLY}. */
    public static final int O_WRONLY = 1;
    /** {@code O_DIRECT} on x86-64. */
    public static final int O_DIRECT = 0x4000;
    /** {@code O_CLOEXEC}. */
    public static final int O_CLOEXEC = 0x80000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle MLOCK = downcall("mlock",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle MUNLOCK = downcall("munlock",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /**
     * {@code open(2)} without {@code O_CREAT} or {@code O_TRUNC}: the file must exist and is left as it is.
     *
     * @param path  the file
     * @param flags e.g. {@code O_RDONLY | O_DIRECT}
     * @return the file descriptor
     * @throws IOException with the errno if the call failed
     */
    public static int open(Path path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("open(" + path + ") failed: errno " + (int) ERRNO.get(state, 0L));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code close(2)}; errors are ignored (the benchmark only closes what it opened).
     *
     * @param fd the file descriptor
     */
    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code mlock(2)}: keeps the pages of a mapping resident until {@link #munlock} or unmapping.
     *
     * @param segment the mapped memory
     * @throws IOException with the errno if the call failed (e.g. RLIMIT_MEMLOCK without CAP_IPC_LOCK)
     */
    public static void mlock(MemorySegment segment) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MLOCK.invokeExact(state, segment, segment.byteSize());
            if (rc != 0) {
                throw new IOException("mlock failed: errno " + (int) ERRNO.get(state, 0L));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code munlock(2)}.
     *
     * @param segment the memory that {@link #mlock} locked
     */
    public static void munlock(MemorySegment segment) {
        try {
            int ignored = (int) MUNLOCK.invokeExact(segment, segment.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
