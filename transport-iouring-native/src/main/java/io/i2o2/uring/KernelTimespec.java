package io.i2o2.uring;

import io.i2o2.uring.gen.__kernel_timespec;

import java.lang.foreign.MemorySegment;

/** Writes a {@code struct __kernel_timespec}, as timeout operations read it. */
public final class KernelTimespec {
    /** Size of the struct. */
    public static final int BYTES = (int) __kernel_timespec.sizeof();

    private KernelTimespec() {
    }

    /**
     * Writes a relative time of {@code nanos} at the start of {@code at}.
     *
     * @param at the position
     * @param nanos the time in nanoseconds
     */
    public static void write(MemorySegment at, long nanos) {
        __kernel_timespec.tv_sec(at, nanos / 1_000_000_000L);
        __kernel_timespec.tv_nsec(at, nanos % 1_000_000_000L);
    }
}
