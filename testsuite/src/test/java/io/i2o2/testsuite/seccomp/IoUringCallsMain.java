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
 * Makes the three io_uring system calls itself, through the C library's {@code syscall} and nothing of i2o2,
 * and prints one line each: {@code io_uring_setup: fd} or {@code io_uring_setup: errno 1 EPERM}, then
 * {@code io_uring_enter: errno N NAME} and {@code io_uring_register: errno N NAME} on a descriptor that is not
 * open (EBADF where io_uring is allowed). What proves the no-uring filter is in force in a child JVM, independently of
 * the code under test: under it all three give EPERM.
 */
public final class IoUringCallsMain {
    /** The calls' numbers on x86-64 and aarch64 (no-uring.c checks them against the C headers). */
    private static final long IO_URING_SETUP = 425;
    private static final long IO_URING_ENTER = 426;
    private static final long IO_URING_REGISTER = 427;
    /** sizeof(struct io_uring_params): the kernel reads it whole, so it must be there, zeroed. */
    private static final long PARAMS_SIZE = 120;
    /**
     * A descriptor no process has open, for enter and register: EBADF from the kernel. Not -1, which
     * io_uring_register takes for its "blind" operations (no ring), answering EINVAL to ours.
     */
    private static final long NOT_OPEN = Integer.MAX_VALUE;

    private IoUringCallsMain() {
    }

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        StructLayout state = Linker.Option.captureStateLayout();
        VarHandle errno = state.varHandle(StructLayout.PathElement.groupElement("errno"));
        // long syscall(long number, ...): variadic after the number; every argument passed as a long, which
        // the kernel reads as the int or pointer it expects.
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment captured = arena.allocate(state);
            MemorySegment params = arena.allocate(PARAMS_SIZE);   // zeroed
            // io_uring_setup(entries 2, params)
            long fd = (long) syscall.invokeExact(captured, IO_URING_SETUP, 2L, params.address(), 0L, 0L,
                    MemorySegment.NULL);
            if (fd >= 0) {
                int closed = (int) close.invokeExact((int) fd);
                System.out.println("io_uring_setup: fd" + (closed == 0 ? "" : " (close failed)"));
            } else {
                System.out.println("io_uring_setup: " + errno(errno, captured));
            }
            // io_uring_enter(NOT_OPEN, 0, 0, 0, NULL, 0) and io_uring_register(NOT_OPEN, 0, NULL, 0).
            long entered = (long) syscall.invokeExact(captured, IO_URING_ENTER, NOT_OPEN, 0L, 0L, 0L,
                    MemorySegment.NULL);
            System.out.println("io_uring_enter: " + (entered >= 0 ? "ok" : errno(errno, captured)));
            long registered = (long) syscall.invokeExact(captured, IO_URING_REGISTER, NOT_OPEN, 0L, 0L, 0L,
                    MemorySegment.NULL);
            System.out.println("io_uring_register: " + (registered >= 0 ? "ok" : errno(errno, captured)));
        }
    }

    private static String errno(VarHandle errno, MemorySegment captured) {
        int e = (int) errno.get(captured, 0L);
        String name = switch (e) {
            case 1 -> "EPERM";
            case 9 -> "EBADF";
            case 12 -> "ENOMEM";
            case 38 -> "ENOSYS";
            default -> "?";
        };
        return "errno " + e + " " + name;
    }
}
