package io.i2o2.file;

import io.i2o2.uring.Ring;
import io.i2o2.uring.UringException;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A loop's registered buffers ({@code IORING_REGISTER_BUFFERS}), handed out as {@link ByteBuf}s. Reads
 * and writes on the loop's files through these buffers skip the kernel's per-IO page pinning
 * ({@code READ_FIXED}/{@code WRITE_FIXED}); release the buffer to give it back. Thread-safe.
 *
 * <pre>{@code
 * ByteBuf buf = io.fixedBuffers().tryAcquire();
 * if (buf != null) {
 *     file.read(buf, 0).addListener(f -> { ... buf.release(); });
 * }
 * }</pre>
 *
 * <p>The memory is GC-managed: it stays allocated while any buffer handed out is reachable, so a buffer
 * used after the loop is gone never touches freed memory.
 */
public final class FixedBufferPool {
    private final int bufferSize;
    private final MemorySegment[] slices;
    private final MpmcIntQueue free;

    FixedBufferPool(int count, int bufferSize) {
        this.bufferSize = bufferSize;
        MemorySegment region = Arena.ofAuto().allocate((long) count * bufferSize, 4096);
        this.slices = new MemorySegment[count];
        this.free = new MpmcIntQueue(count);
        for (int i = 0; i < count; i++) {
            slices[i] = region.asSlice((long) i * bufferSize, bufferSize);
            free.offer(i);
        }
    }

    /** Registers every buffer with the ring; loop thread, at start. */
    void register(Ring ring) throws UringException {
        List<MemorySegment> buffers = new ArrayList<>(List.of(slices));
        ring.registerBuffers(buffers);
    }

    /**
     * A free registered buffer (empty, capacity {@link #bufferSize()}), or null when all are in use.
     *
     * @return a free registered buffer (empty, capacity {@link #bufferSize()}), or null when all are in use
     */
    public ByteBuf tryAcquire() {
        int i = free.poll();
        return i < 0 ? null : new FixedBuffer(this, i, slices[i]);
    }

    /**
     * Size of each buffer.
     *
     * @return the size of each buffer
     */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Number of buffers.
     *
     * @return the number of buffers
     */
    public int count() {
        return slices.length;
    }

    /**
     * Buffers not handed out right now.
     *
     * @return how many buffers are not handed out right now
     */
    public int available() {
        return free.size();
    }

    void giveBack(int index) {
        if (!free.offer(index)) {
            // Cannot happen: the free list holds as many indexes as there are buffers.
            throw new IllegalStateException("registered buffer " + index + " given back twice");
        }
    }

    /** The registered buffer {@code buf} lies in (directly or as a slice), or null. */
    FixedBuffer registeredBufferOf(ByteBuf buf) {
        for (ByteBuf b = buf; b != null; b = b.unwrap()) {
            if (b instanceof FixedBuffer fb && fb.pool() == this) {
                return fb;
            }
        }
        return null;
    }
}
