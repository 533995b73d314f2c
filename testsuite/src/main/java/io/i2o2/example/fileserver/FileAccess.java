package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFile;
import io.i2o2.file.FileStat;
import io.i2o2.file.Resolve;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.Set;

/**
 * Every file operation the server makes, and the only way it makes them: the seam a {@link Wiring} fills in.
 *
 * <p>One access is bound to one io_uring loop, {@link #executor()}: opens go into its ring, reads and stats
 * into the ring of the file they are on (the loop that opened it). A request's operations are chained on
 * that loop ({@link FileLookup}), each with a promise of that loop, so they run back to back on one thread;
 * only the finished request crosses to the handler's loop, once. In the {@link Wiring#URING} and
 * {@link Wiring#NETTY_URING} wirings the loop is the handler's own: no crossing at all.
 */
public interface FileAccess {
    /** The loop whose ring these operations use, and where they should be called from. */
    EventExecutor executor();

    /**
     * Opens {@code relative} for reading beneath the directory {@code dir} ({@code openat2} with the
     * restrictions {@code resolve}, {@link Resolve#BENEATH} among them; non-blocking, close-on-exec), without
     * blocking the caller. {@code dir} may be a file of another loop.
     */
    Future<IoUringFile> openBeneath(IoUringFile dir, String relative, Set<Resolve> resolve, Promise<IoUringFile> promise);

    /** {@code statx} of an open file. */
    Future<FileStat> stat(IoUringFile file, Promise<FileStat> promise);

    /** Reads into {@code dst}'s writable bytes from {@code offset}. */
    Future<Integer> read(IoUringFile file, ByteBuf dst, long offset, Promise<Integer> promise);
}
