package io.i2o2.file;

import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;

/**
 * A {@link ByteBuf} over one registered buffer of a {@link FixedBufferPool}. Reads and writes through it use
 * {@code READ_FIXED}/{@code WRITE_FIXED}; releasing it gives the registered buffer back to the pool. Its
 * capacity is the registered buffer's and cannot change.
 */
final class FixedBuffer extends SegmentByteBuf {
    private final FixedBufferPool pool;
    private final int index;

    FixedBuffer(FixedBufferPool pool, int index, MemorySegment memory) {
        super(memory, (int) memory.byteSize());
        this.pool = pool;
        this.index = index;
    }

    FixedBufferPool pool() {
        return pool;
    }

    /** The registered buffer index ({@code sqe->buf_index}). */
    int index() {
        return index;
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        pool.giveBack(index);
    }
}
