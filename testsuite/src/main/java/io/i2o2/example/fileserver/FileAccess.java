package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFile;
import io.i2o2.file.FileStat;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * Every file operation the server makes, and the only way it makes them: the seam a {@link Wiring} fills in.
 * Each method completes the promise it is given (of the handler's executor), so continuations run where the
 * handler runs, whichever thread owns the ring.
 *
 * <p>Wirings today: {@link Wiring#URING} (the handler's executor is an io_uring loop: submit to it),
 * {@link Wiring#CHANNEL} (submit to a loop of the file group). A {@code netty-uring} wiring (channels on
 * Netty's io_uring transport, file ops on the channel's own ring) implements these three methods on the
 * channel's loop and nothing else changes.
 */
public interface FileAccess {
    /**
     * Opens {@code relative} for reading beneath the directory {@code dirFd} ({@code openat2} with
     * {@code RESOLVE_BENEATH} plus {@code resolve}, non-blocking, close-on-exec), without blocking the caller.
     */
    Future<IoUringFile> openBeneath(int dirFd, String relative, long resolve, Promise<IoUringFile> promise);

    /** {@code statx} of an open file. */
    Future<FileStat> stat(IoUringFile file, Promise<FileStat> promise);

    /** Reads into {@code dst}'s writable bytes from {@code offset}. */
    default Future<Integer> read(IoUringFile file, ByteBuf dst, long offset, Promise<Integer> promise) {
        return file.read(dst, offset, promise);
    }
}
