package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;

import java.lang.foreign.MemorySegment;

/**
 * A fixed-size {@link ByteBuf} over native memory whose address is known up front, so handing it to the kernel
 * costs nothing: a buffer wrapping a plain {@link java.nio.ByteBuffer} would have its address looked up on every
 * operation, which allocates whenever the JIT cannot prove the lookup's temporaries stay local.
 */
class SegmentByteBuf extends UnpooledDirectByteBuf {
    private final long address;

    SegmentByteBuf(MemorySegment memory, int capacity) {
        super(UnpooledByteBufAllocator.DEFAULT, memory.asByteBuffer().limit(capacity), capacity);
        this.address = memory.address();
        clear();
    }

    @Override
    public boolean hasMemoryAddress() {
        return true;
    }

    @Override
    public long memoryAddress() {
        ensureAccessible();
        return address;
    }

    /** The memory is laid out (aligned, registered) for this size: it never moves or grows. */
    @Override
    public ByteBuf capacity(int newCapacity) {
        if (newCapacity != capacity()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change size ("
                    + capacity() + ")");
        }
        return this;
    }
}
