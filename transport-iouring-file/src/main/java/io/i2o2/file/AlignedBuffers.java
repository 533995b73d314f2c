package io.i2o2.file;

import io.netty.buffer.ByteBuf;

import java.lang.foreign.Arena;

/**
 * Direct buffers whose memory starts on a given boundary, for O_DIRECT files
 * ({@link IoUringFile#directMemoryAlignment()}) and NVMe commands, which pooled allocators do not promise.
 */
public final class AlignedBuffers {
    private AlignedBuffers() {
    }

    /**
     * An empty buffer of exactly {@code capacity} bytes starting on an {@code alignment} boundary (a power of
     * two). Its memory is GC-managed: it is freed once the buffer is unreachable, never while it is in use.
     *
     * @param capacity the buffer's capacity in bytes
     * @param alignment the alignment of its memory address in bytes (a power of two, e.g. 4096 for O_DIRECT)
     * @return an empty buffer of exactly {@code capacity} bytes starting on an {@code alignment} boundary (a power of two)
     */
    public static ByteBuf allocate(int capacity, int alignment) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        if (alignment < 1 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        return new SegmentByteBuf(Arena.ofAuto().allocate(Math.max(capacity, 1), alignment), capacity);
    }
}
