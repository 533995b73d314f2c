package io.i2o2.bench.peer;

import io.i2o2.file.IntFuture;
import io.i2o2.file.IoCallback;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One producer's reads for randread-xt: a buffer per window slot, random block-aligned offsets drawn on the
 * producer's own thread (one instance per producer), submitted through the Future or the callback API.
 */
final class ProducerReads {
    private final IoUringFile file;
    private final ByteBuf[] buffers;
    private final int bs;
    private final long blocks;
    private final SplittableRandom random = new SplittableRandom(0x2022);

    /**
     * @param file    the data file
     * @param buffers this producer's buffers, one per window slot, {@code bs} bytes each
     * @param bs      the read size
     * @param blocks  the number of {@code bs} blocks in the file
     */
    ProducerReads(IoUringFile file, List<ByteBuf> buffers, int bs, long blocks) {
        this.file = file;
        this.buffers = buffers.toArray(ByteBuf[]::new);
        this.bs = bs;
        this.blocks = blocks;
    }

    /**
     * The Future API.
     *
     * @param slot the window slot
     * @return the read's future
     */
    IntFuture submit(int slot) {
        return file.read(buffers[slot].clear(), random.nextLong(blocks) * bs);
    }

    /**
     * The callback API, {@code slot} as the tag.
     *
     * @param slot     the window slot
     * @param callback where the completion goes
     */
    void submit(int slot, IoCallback callback) {
        file.read(buffers[slot].clear(), random.nextLong(blocks) * bs, callback, slot);
    }
}
