package io.i2o2.bench.peer;

import io.i2o2.file.FileIo;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.IOException;

/**
 * Sequential 128 KiB writes at queue depth {@code qd} from the i2o2 loop's thread with the callback API,
 * and an fdatasync whenever {@code fsyncEvery} writes have been issued and all of them have completed: the
 * pattern of the C peer and {@code NettyLoopWrites}. The fdatasync goes through the Future API (the library
 * has no callback form for it); that is one promise per {@code fsyncEvery} writes, and fdatasyncs are not
 * counted as ops.
 *
 * <p>Every slot writes the same payload through its own duplicate of it: a write advances its buffer's
 * reader index on completion, so writes in flight together must not share one.
 */
final class I2o2LoopWrites extends I2o2LoopDriver {
    /** The tag the fdatasync's completion is reported under (write slots are 0 to qd - 1). */
    private static final int FSYNC_TAG = -1;

    private final IoUringFile file;
    private final ByteBuf[] views;
    private final int bs;
    private final long blocksPerFile;
    private final int fsyncEvery;
    private final int[] free;
    private final GenericFutureListener<Future<Integer>> synced = this::synced;
    private int nfree;
    private int inflight;
    private long nextBlock;
    private int sinceSync;
    private boolean syncing;

    /**
     * @param file          the scratch file, opened for writing, on the loop
     * @param payload       bs bytes to write (the same bytes every write)
     * @param qd            writes in flight
     * @param blocksPerFile writes before wrapping to offset 0
     * @param fsyncEvery    writes between fdatasyncs
     */
    I2o2LoopWrites(IoUringFile file, ByteBuf payload, int qd, long blocksPerFile, int fsyncEvery) {
        super(qd);
        this.file = file;
        this.bs = payload.readableBytes();
        this.views = new ByteBuf[qd];
        this.free = new int[qd];
        for (int s = 0; s < qd; s++) {
            views[s] = payload.duplicate();
            free[nfree++] = s;
        }
        this.blocksPerFile = blocksPerFile;
        this.fsyncEvery = fsyncEvery;
    }

    @Override
    FileIo loop() {
        return file.io();
    }

    @Override
    void start(long now) {
        pump(now);
    }

    /** Issues what may be issued now; true when the workload is over. */
    private boolean pump(long now) {
        boolean stopping = now >= deadline;
        while (!stopping && nfree > 0 && sinceSync < fsyncEvery) {
            int slot = free[--nfree];
            started[slot] = now;
            long off = (nextBlock++ % blocksPerFile) * bs;
            inflight++;
            sinceSync++;
            file.write(views[slot].setIndex(0, bs), off, this, slot);
        }
        if (inflight > 0 || syncing) {
            return false;
        }
        if (stopping) {
            return true;
        }
        syncing = true;    // every write of this stretch is done: make them durable, then go on
        IntFuture sync = file.fdatasync();
        sync.addListener(synced);
        return false;
    }

    /** The fdatasync's completion, on the loop thread: the driver's completion path, with the sync's tag. */
    private void synced(Future<Integer> f) {
        if (f.isSuccess()) {
            onComplete(((IntFuture) f).resultAsInt(), FSYNC_TAG);
        } else {
            fail(f.cause());
        }
    }

    @Override
    boolean complete(int slot, int res, long now) throws IOException {
        if (slot == FSYNC_TAG) {
            syncing = false;
            sinceSync = 0;
            return pump(now);
        }
        if (res != bs) {
            throw new IOException("short write: " + res);
        }
        recordOp(slot, now);
        free[nfree++] = slot;
        inflight--;
        return pump(now);
    }
}
