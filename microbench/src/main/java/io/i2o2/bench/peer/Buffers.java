package io.i2o2.bench.peer;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** Direct buffers for the JDK peers: 4 KiB aligned (O_DIRECT needs it), optionally filled with noise. */
final class Buffers {
    private static final int ALIGN = 4096;

    private Buffers() {
    }

    /**
     * A direct buffer of {@code size} bytes whose address is 4 KiB aligned.
     *
     * @param size the capacity
     * @return the buffer, position 0, limit = capacity = size
     */
    static ByteBuffer aligned(int size) {
        return ByteBuffer.allocateDirect(size + ALIGN).alignedSlice(ALIGN).limit(size).slice();
    }

    /**
     * An aligned buffer full of random bytes (write payload: never all zero).
     *
     * @param size the capacity
     * @return the buffer
     */
    static ByteBuffer noise(int size) {
        ByteBuffer b = aligned(size);
        SplittableRandom r = new SplittableRandom(7);
        while (b.remaining() >= Long.BYTES) {
            b.putLong(r.nextLong());
        }
        return b.clear();
    }
}
