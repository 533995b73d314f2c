package io.i2o2.file;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * {@code openat2(2)} through the ring ({@code IORING_OP_OPENAT2}, Linux 5.6) from a raw directory descriptor,
 * with the raw {@code O_*} and {@code RESOLVE_*} bits: the first form of what is now
 * {@link FileIo#open(IoUringFile, String, java.util.Set, int, java.util.Set)}, which takes the directory as an
 * {@link IoUringFile} and typed {@link Resolve} flags. Both methods here are that same operation.
 *
 * <pre>{@code
 * Openat2.open(io, rootFd, "a/b.txt", Openat2.O_RDONLY | Openat2.O_CLOEXEC, 0,
 *         Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_SYMLINKS, io.newPromise());
 * }</pre>
 */
public final class Openat2 {
    /** {@code O_RDONLY}. */
    public static final long O_RDONLY = 0;
    /** {@code O_NONBLOCK}: opening a FIFO does not wait for a writer. */
    public static final long O_NONBLOCK = 04000;
    /** {@code O_DIRECTORY}: fail with ENOTDIR unless the path is a directory. */
    public static final long O_DIRECTORY = 0200000;
    /** {@code O_NOFOLLOW}. */
    public static final long O_NOFOLLOW = 0400000;
    /** {@code O_CLOEXEC}. */
    public static final long O_CLOEXEC = 02000000;
    /** {@code O_NOCTTY}. */
    public static final long O_NOCTTY = 0400;
    /** {@code O_PATH}. */
    public static final long O_PATH = 010000000;

    /** No {@code magic links} ({@code /proc/self/fd/N} and the like). */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** No symbolic links at all, in any component (ELOOP). */
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** Never leave the directory {@code dirfd} names, by {@code ..}, absolute paths or links (EXDEV). */
    public static final long RESOLVE_BENEATH = 0x08;
    /** No crossing of mount points (EXDEV). */
    public static final long RESOLVE_NO_XDEV = 0x01;
    /** Answer from the dentry cache only, or fail with EAGAIN. */
    public static final long RESOLVE_CACHED = 0x20;

    private Openat2() {
    }

    /**
     * Submits {@code openat2(dirFd, path, {flags, mode, resolve})} to {@code loop} and completes
     * {@code promise} (of any executor) with the new descriptor, or fails it with the kernel's errno as an
     * {@link FileIoException}. The caller owns the descriptor: wrap it with
     * {@link IoUringFile#wrap(FileIo, int, boolean)} or close it.
     *
     * @param loop the file API whose ring runs the open
     * @param dirFd the directory {@code path} is resolved against (and, with {@link #RESOLVE_BENEATH}, kept
     *        beneath), or {@code AT_FDCWD} ({@code -100})
     * @param path the path, without NUL bytes (a NUL fails {@code promise} with {@link IllegalArgumentException})
     * @param flags {@code open_how.flags}: the {@code O_*} constants of this class, or'ed
     * @param mode {@code open_how.mode}: permission bits for a created file, else 0
     * @param resolve {@code open_how.resolve}: the {@code RESOLVE_*} constants of this class, or'ed
     * @param promise completed with the new descriptor; a descriptor it cannot take (cancelled) is closed
     * @return {@code promise}
     * @deprecated use {@link FileIo#open(IoUringFile, String, java.util.Set, int, java.util.Set)}: it takes the
     *             directory as an {@link IoUringFile} (kept open while the open runs), typed options and
     *             {@link Resolve} flags, and completes with an {@link IoUringFile} that owns the descriptor
     */
    @Deprecated(since = "0.1.0")
    public static Future<Integer> open(FileIo loop, int dirFd, String path, long flags, long mode,
                                       long resolve, Promise<Integer> promise) {
        // The new op with a file that does not own its descriptor: the file goes, the descriptor stays.
        Promise<IoUringFile> opened = ImmediateEventExecutor.INSTANCE.newPromise();
        loop.ops().openat2(null, dirFd, path, (int) flags, (int) mode, resolve, false, false, Target.user(opened));
        opened.addListener((Future<IoUringFile> done) -> {
            if (!done.isSuccess()) {
                promise.tryFailure(done.cause());
                return;
            }
            int fd = done.getNow().fd();
            done.getNow().close();
            if (!promise.trySuccess(fd)) {
                // Nobody takes the descriptor (the promise was cancelled): do not leak it.
                FileIoCore.closeQuietly(fd);
            }
        });
        return promise;
    }

    /**
     * {@link #open} wrapped as an {@link IoUringFile} of {@code loop} that owns its descriptor, completing
     * {@code promise}. A descriptor the promise cannot take is closed.
     *
     * @param loop the file API whose ring runs the open and the file's operations
     * @param dirFd the directory {@code path} is resolved against, or {@code AT_FDCWD} ({@code -100})
     * @param path the path, without NUL bytes
     * @param flags {@code open_how.flags}: the {@code O_*} constants of this class, or'ed (mode is 0)
     * @param resolve {@code open_how.resolve}: the {@code RESOLVE_*} constants of this class, or'ed
     * @param promise completed with the file, which the caller closes; failed with the open's error
     * @return {@code promise}
     * @deprecated use {@link FileIo#open(IoUringFile, String, java.util.Set, int, java.util.Set, Promise)}: it
     *             takes the directory as an {@link IoUringFile} (kept open while the open runs), typed options
     *             and {@link Resolve} flags
     */
    @Deprecated(since = "0.1.0")
    public static Future<IoUringFile> openFile(FileIo loop, int dirFd, String path, long flags,
                                               long resolve, Promise<IoUringFile> promise) {
        return loop.ops().openat2(null, dirFd, path, (int) flags, 0, resolve, false, true, Target.user(promise))
                .promise();
    }
}
