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
     * @param at the position, native memory (the kernel reads it by its address)
     * @param nanos the time in nanoseconds
     * @throws IllegalArgumentException when {@code at} is a heap segment, whose address means nothing to the kernel
     */
    public static void write(MemorySegment at, long nanos) {
        if (!at.isNative()) {
            throw new IllegalArgumentException("a timespec for the kernel must be native memory, not a heap segment: "
                    + at);
        }
        __kernel_timespec.tv_sec(at, nanos / 1_000_000_000L);
        __kernel_timespec.tv_nsec(at, nanos % 1_000_000_000L);
    }

    /**
     * Reads the relative time written at the start of {@code at}.
     *
     * @param at the position of a {@code struct __kernel_timespec}
     * @return the time in nanoseconds
     */
    public static long read(MemorySegment at) {
        return __kernel_timespec.tv_sec(at) * 1_000_000_000L + __kernel_timespec.tv_nsec(at);
    }
}
