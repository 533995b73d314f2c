package io.i2o2.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A non-blocking pipe from libc, for tests that need to see when the last reference to a file goes away:
 * reading the read end gives 0 (end of file) only once every write end, including one a ring holds in its
 * registered file table, is released.
 */
record TestPipe(int readFd, int writeFd) implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PIPE2 = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("pipe2"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("read"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    /** A new pipe, both ends {@code O_NONBLOCK | O_CLOEXEC}. */
    static TestPipe open() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int ret = (int) PIPE2.invokeExact(fds, Linux.O_NONBLOCK | Linux.O_CLOEXEC);
            if (ret != 0) {
                throw new IllegalStateException("pipe2 failed");
            }
            return new TestPipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Whether a read of the read end sees end of file: no write end is open anywhere any more. */
    boolean writersGone() {
        try (Arena arena = Arena.ofConfined()) {
            return (long) READ.invokeExact(readFd, arena.allocate(1), 1L) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Closes the read end; the caller closes or hands over the write end. */
    @Override
    public void close() {
        TestLibc.close(readFd);
    }
}
