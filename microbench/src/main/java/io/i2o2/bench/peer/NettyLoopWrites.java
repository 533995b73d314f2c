package io.i2o2.bench.peer;

import java.io.IOException;

/**
 * Sequential 128 KiB writes at queue depth {@code qd} from Netty's loop thread, and an IORING_OP_FSYNC
 * (DATASYNC) whenever {@code fsyncEvery} writes have been issued and all of them have completed: the same
 * pattern as the C peer.
 */
final class NettyLoopWrites extends NettyLoopDriver {
    private static final short FSYNC_SLOT = Short.MAX_VALUE;

    private final int fd;
    private final long payload;
    private final int bs;
    private final long blocksPerFile;
    private final int fsyncEvery;
    private final short[] free;
    private int nfree;
    private int inflight;
    private long nextBlock;
    private int sinceSync;
    private boolean syncing;

    /**
     * @param qd            writes in flight
     * @param fd            the scratch file, opened for writing
     * @param payload       native address of bs bytes to write (the same buffer for every write)
     * @param bs            the write size
     * @param blocksPerFile writes before wrapping to offset 0
     * @param fsyncEvery    writes between fdatasyncs
     */
    NettyLoopWrites(int qd, int fd, long payload, int bs, long blocksPerFile, int fsyncEvery) {
        super(qd);
        this.fd = fd;
        this.payload = payload;
        this.bs = bs;
        this.blocksPerFile = blocksPerFile;
        this.fsyncEvery = fsyncEvery;
        this.free = new short[qd];
        for (short s = 0; s < qd; s++) {
            free[nfree++] = s;
        }
    }

    @Override
    void start(long now) {
        pump(now);
    }

    /** Issues what may be issued now; true when the workload is over. */
    private boolean pump(long now) {
        boolean stopping = now >= deadline;
        while (!stopping && nfree > 0 && sinceSync < fsyncEvery) {
            short slot = free[--nfree];
            started[slot] = now;
            long off = (nextBlock++ % blocksPerFile) * bs;
            submit(NettySqes.write(fd, payload, bs, off, slot));
            inflight++;
            sinceSync++;
        }
        if (inflight > 0 || syncing) {
            return false;
        }
        if (stopping) {
            return true;
        }
        syncing = true;    // every write of this stretch is done: make them durable, then go on
        submit(NettySqes.fdatasync(fd, FSYNC_SLOT));
        return false;
    }

    @Override
    boolean complete(int slot, int res, long now) {
        if (slot == FSYNC_SLOT) {
            syncing = false;
            sinceSync = 0;
        } else {
            if (res != bs) {
                throw new IllegalStateException(new IOException("short write: " + res));
            }
            recordOp(slot, now);
            free[nfree++] = (short) slot;
            inflight--;
        }
        return pump(now);
    }
}
