package io.i2o2.example.fileserver;

import io.i2o2.file.FileIo;
import io.i2o2.file.FileStat;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.Resolve;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * {@link FileAccess} on one loop's ring. An operation called from a thread other than its ring's loop is
 * handed over to that loop and its completion comes back: {@link FileServerStats} counts each such
 * crossing, so a wiring that is meant to have none can be checked to have none.
 *
 * @param io    the ring opens go to
 * @param stats where crossings are counted
 */
record RingAccess(FileIo io, FileServerStats stats) implements FileAccess {
    /** Read-only (and close-on-exec, as every open is); a FIFO does not hold the open up waiting for a writer. */
    private static final Set<OpenOption> OPTIONS = Set.of(StandardOpenOption.READ, IoUringOpenOption.NONBLOCK);

    @Override
    public EventExecutor executor() {
        return io.executor();
    }

    @Override
    public Future<IoUringFile> openBeneath(IoUringFile dir, String relative, Set<Resolve> resolve,
                                           Promise<IoUringFile> promise) {
        count(io);
        return io.open(dir, relative, OPTIONS, 0, resolve, promise);
    }

    @Override
    public Future<FileStat> stat(IoUringFile file, Promise<FileStat> promise) {
        count(file.io());
        return file.stat(promise);
    }

    @Override
    public Future<Integer> read(IoUringFile file, ByteBuf dst, long offset, Promise<Integer> promise) {
        count(file.io());
        return file.read(dst, offset, promise);
    }

    /** An op submitted off its ring's thread goes there and (with the caller's promise) comes back. */
    private void count(FileIo ring) {
        if (!ring.executor().inEventLoop()) {
            stats.handedOver();
            stats.handedBack();
        }
    }
}
