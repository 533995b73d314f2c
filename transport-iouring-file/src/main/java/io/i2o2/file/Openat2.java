package io.i2o2.file;

import io.i2o2.uring.Sqe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.nio.charset.StandardCharsets;

/**
 * {@code openat2(2)} through the ring ({@code IORING_OP_OPENAT2}, Linux 5.6), built on the public raw escape
 * {@link FileIo#submitRaw}: the one place to turn into a first-class operation later.
 *
 * <p>The path (NUL-terminated) and the 24-byte {@code struct open_how} live in one pooled direct buffer that
 * is the operation's guard, released when the CQE arrives. Nothing blocks: the kernel resolves the path, on
 * the ring's worker if it must.
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
     */
    public static Future<Integer> open(FileIo loop, int dirFd, String path, long flags, long mode,
                                       long resolve, Promise<Integer> promise) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        for (byte b : name) {
            if (b == 0) {
                promise.tryFailure(new IllegalArgumentException("NUL in path"));
                return promise;
            }
        }
        ByteBuf mem = PooledByteBufAllocator.DEFAULT.directBuffer(Sqe.OPEN_HOW_BYTES + name.length + 1);
        mem.writeLongLE(flags).writeLongLE(mode).writeLongLE(resolve);
        mem.writeBytes(name).writeByte(0);
        long how;
        try {
            how = ByteBufs.address(mem, mem.readerIndex());
        } catch (RuntimeException e) {
            mem.release();
            promise.tryFailure(e);
            return promise;
        }
        long pathAddr = how + Sqe.OPEN_HOW_BYTES;
        IntFuture f = loop.submitRaw(sqe -> sqe.prepOpenat2(dirFd, pathAddr, how), mem);
        FutureListener<Integer> relay = done -> {
            if (done.isSuccess()) {
                if (!promise.trySuccess(done.getNow())) {
                    // Nobody takes the descriptor (the promise was cancelled): do not leak it.
                    FileIoCore.closeQuietly(done.getNow());
                }
            } else {
                promise.tryFailure(done.cause());
            }
        };
        whenDone(f, relay);
        return promise;
    }

    /**
     * Runs {@code listener} once {@code f} is done: at once, here, when it already is (refused at once; a
     * listener added then would be notified on the refusing loop, never if that loop has terminated).
     */
    static <V> void whenDone(Future<V> f, FutureListener<V> listener) {
        if (f.isDone()) {
            try {
                listener.operationComplete(f);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else {
            f.addListener(listener);
        }
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
     */
    public static Future<IoUringFile> openFile(FileIo loop, int dirFd, String path, long flags,
                                               long resolve, Promise<IoUringFile> promise) {
        Promise<Integer> opened = ImmediateEventExecutor.INSTANCE.newPromise();
        open(loop, dirFd, path, flags, 0, resolve, opened).addListener((Future<Integer> fd) -> {
            if (!fd.isSuccess()) {
                promise.tryFailure(fd.cause());
                return;
            }
            IoUringFile file;
            try {
                file = IoUringFile.wrap(loop, fd.getNow(), true);
            } catch (Exception e) {
                FileIoCore.closeQuietly(fd.getNow());
                promise.tryFailure(e);
                return;
            }
            if (!promise.trySuccess(file)) {
                file.close();
            }
        });
        return promise;
    }
}
