package io.i2o2.uring;

import io.i2o2.uring.gen.iovec;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Writes arrays of {@code struct iovec} for vectored reads and writes. */
public final class Iovec {
    /** Size of one {@code struct iovec}. */
    public static final int BYTES = (int) iovec.sizeof();
    private static final long BASE = iovec.iov_base$offset();
    private static final long LEN = iovec.iov_len$offset();

    private Iovec() {
    }

    /**
     * Sets element {@code i} of the iovec array at {@code array} to ({@code address}, {@code length}).
     *
     * @param array the array, native memory (the kernel reads it by its address)
     * @param i the index
     * @param address the address
     * @param length the length in bytes
     * @throws IllegalArgumentException when {@code array} is a heap segment, whose address means nothing to the
     *                                  kernel
     */
    public static void set(MemorySegment array, int i, long address, long length) {
        if (!array.isNative()) {
            throw new IllegalArgumentException("an iovec array must be native memory, not a heap segment: " + array);
        }
        long at = (long) i * BYTES;
        array.set(JAVA_LONG, at + BASE, address);
        array.set(JAVA_LONG, at + LEN, length);
    }
}
