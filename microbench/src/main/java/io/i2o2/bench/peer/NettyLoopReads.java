package io.i2o2.bench.peer;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * NOPs or 4 KiB random reads kept at queue depth {@code qd} from Netty's loop thread; each completion
 * resubmits its slot.
 */
final class NettyLoopReads extends NettyLoopDriver {
    private final boolean nop;
    private final int fd;
    private final long base;
    private final int bs;
    private final long blocks;
    private final SplittableRandom random = new SplittableRandom(0x2022);
    private int inflight;

    /**
     * @param qd     ops in flight
     * @param nop    NOPs instead of reads
     * @param fd     the data file (ignored for NOPs)
     * @param base   native address of qd * bs bytes of buffer
     * @param bs     the read size
     * @param blocks blocks of bs in the file
     */
    NettyLoopReads(int qd, boolean nop, int fd, long base, int bs, long blocks) {
        super(qd);
        this.nop = nop;
        this.fd = fd;
        this.base = base;
        this.bs = bs;
        this.blocks = blocks;
    }

    @Override
    void start(long now) {
        for (short s = 0; s < started.length; s++) {
            issue(s, now);
        }
        inflight = started.length;
    }

    private void issue(short slot, long now) {
        started[slot] = now;
        if (nop) {
            submit(NettySqes.nop(slot));
        } else {
            long off = random.nextLong(blocks) * bs;
            submit(NettySqes.read(fd, base + (long) slot * bs, bs, off, slot));
        }
    }

    @Override
    boolean complete(int slot, int res, long now) {
        if (!nop && res != bs) {
            throw new IllegalStateException(new IOException("short read: " + res));
        }
        recordOp(slot, now);
        if (now < deadline) {
            issue((short) slot, now);   // slots are the SQE's 16-bit data
            return false;
        }
        return --inflight == 0;
    }
}
