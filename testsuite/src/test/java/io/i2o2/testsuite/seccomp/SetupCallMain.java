package io.i2o2.testsuite.seccomp;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Calls {@code io_uring_setup(2, params)} itself, through the C library's {@code syscall} and nothing of
 * i2o2, and prints {@code io_uring_setup: fd} or {@code io_uring_setup: errno N NAME}: what proves that
 * the no-uring filter is in force in a child JVM, independently of the code under test.
 */
public final class SetupCallMain {
    /** io_uring_setup's number on x86-64 and aarch64. */
    private static final long IO_URING_SETUP = 425;
    /** sizeof(struct io_uring_params): the kernel reads it whole, so it must be there, zeroed. */
    private static final long PARAMS_SIZE = 120;

    private SetupCallMain() {
    }

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        StructLayout state = Linker.Option.captureStateLayout();
        VarHandle errno = state.varHandle(StructLayout.PathElement.groupElement("errno"));
        // long syscall(long number, ...): variadic after the number; every argument passed as a long.
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment captured = arena.allocate(state);
            MemorySegment params = arena.allocate(PARAMS_SIZE);   // zeroed
            long fd = (long) syscall.invokeExact(captured, IO_URING_SETUP, 2L, params);
            if (fd >= 0) {
                int closed = (int) close.invokeExact((int) fd);
                System.out.println("io_uring_setup: fd" + (closed == 0 ? "" : " (close failed)"));
            } else {
                int e = (int) errno.get(captured, 0L);
                System.out.println("io_uring_setup: errno " + e + " " + name(e));
            }
        }
    }

    private static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 12 -> "ENOMEM";
            case 38 -> "ENOSYS";
            default -> "?";
        };
    }
}
