package io.i2o2.bench.peer;

import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * NOPs or 4 KiB random reads kept at queue depth {@code qd} from the i2o2 loop's thread with the callback
 * API ({@code loop.nop(cb, slot)}, {@code file.read(buf, offset, cb, slot)}); each completion resubmits its
 * slot. The i2o2 twin of {@code NettyLoopReads}; reads through registered buffers become READ_FIXED, and a
 * registered file uses its slot, without any change here.
 */
final class I2o2LoopReads extends I2o2LoopDriver {
    private final FileIo loop;
    private final IoUringFile file;
    private final ByteBuf[] buffers;
    private final int bs;
    private final long blocks;
    /** The offsets' seed of a one-loop trial; loop {@code i} of a group adds {@code i}. */
    static final long SEED = 0x2022;

    private final SplittableRandom random;
    private int inflight;

    /**
     * NOPs at queue depth {@code qd}.
     *
     * @param loop the loop
     * @param qd   ops in flight
     * @return the driver
     */
    static I2o2LoopReads nops(FileIo loop, int qd) {
        return new I2o2LoopReads(loop, null, new ByteBuf[qd], 0, 0, SEED);
    }

    /**
     * Reads at queue depth {@code buffers.length}, one buffer per slot.
     *
     * @param file    the data file, on the loop
     * @param buffers one buffer of exactly {@code bs} bytes per slot
     * @param bs      the read size
     * @param blocks  blocks of bs in the file
     * @return the driver
     */
    static I2o2LoopReads reads(IoUringFile file, ByteBuf[] buffers, int bs, long blocks) {
        return reads(file, buffers, bs, blocks, SEED);
    }

    /**
     * {@link #reads(IoUringFile, ByteBuf[], int, long)} at offsets of another random sequence: the loops of a
     * group each take their own, or all would read the same blocks at the same moments (which a device may
     * serve from its cache).
     *
     * @param file    the data file, on the loop
     * @param buffers one buffer of exactly {@code bs} bytes per slot
     * @param bs      the read size
     * @param blocks  blocks of bs in the file
     * @param seed    the offsets' seed
     * @return the driver
     */
    static I2o2LoopReads reads(IoUringFile file, ByteBuf[] buffers, int bs, long blocks, long seed) {
        return new I2o2LoopReads(file.io(), file, buffers, bs, blocks, seed);
    }

    private I2o2LoopReads(FileIo loop, IoUringFile file, ByteBuf[] buffers, int bs, long blocks, long seed) {
        super(buffers.length);
        this.loop = loop;
        this.file = file;
        this.buffers = buffers;
        this.bs = bs;
        this.blocks = blocks;
        this.random = new SplittableRandom(seed);
    }

    @Override
    FileIo loop() {
        return loop;
    }

    @Override
    void start(long now) {
        // Completions are reaped only after this task returns, so no callback runs in between.
        inflight = started.length;
        for (int s = 0; s < started.length; s++) {
            issue(s, now);
        }
    }

    private void issue(int slot, long now) {
        started[slot] = now;
        if (file == null) {
            loop.nop(this, slot);
        } else {
            // A read fills the buffer's writable bytes: clear() makes them the whole bs-byte buffer again.
            file.read(buffers[slot].clear(), random.nextLong(blocks) * bs, this, slot);
        }
    }

    @Override
    boolean complete(int slot, int res, long now) throws IOException {
        if (file != null && res != bs) {
            throw new IOException("short read: " + res);
        }
        recordOp(slot, now);
        if (now < deadline) {
            issue(slot, now);
            return false;
        }
        return --inflight == 0;
    }
}
