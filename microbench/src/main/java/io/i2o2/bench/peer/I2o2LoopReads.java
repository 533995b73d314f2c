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
    private final SplittableRandom random = new SplittableRandom(0x2022);
    private int inflight;

    /**
     * NOPs at queue depth {@code qd}.
     *
     * @param loop the loop
     * @param qd   ops in flight
     * @return the driver
     */
    static I2o2LoopReads nops(FileIo loop, int qd) {
        return new I2o2LoopReads(loop, null, new ByteBuf[qd], 0, 0);
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
        return new I2o2LoopReads(file.io(), file, buffers, bs, blocks);
    }

    private I2o2LoopReads(FileIo loop, IoUringFile file, ByteBuf[] buffers, int bs, long blocks) {
        super(buffers.length);
        this.loop = loop;
        this.file = file;
        this.buffers = buffers;
        this.bs = bs;
        this.blocks = blocks;
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
