package io.i2o2.file;

import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Statx;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.util.Objects;

/**
 * An open file (or device, or socket) whose operations run on one event loop (see {@link IoUringFileIo}).
 *
 * <p>Every method may be called from any thread. Each operation comes in up to three shapes: returning a
 * future ({@code read(buf, offset)}), completing a promise you pass ({@code read(buf, offset, promise)},
 * e.g. {@code ctx.executor().newPromise()} so listeners run on your channel's loop), or calling an
 * {@link IoCallback} (no allocation). Results are what the system call returns; failures are
 * {@link IoUringIOException}s with the errno. {@link #stat()} and {@link #uringCmd} have no callback shape:
 * their result is not an {@code int}, which is all a callback carries.
 *
 * <p><b>Buffers.</b> A read fills the buffer's writable bytes and advances its writer index by the count
 * read; a write sends its readable bytes and advances the reader index. The buffer is retained when the
 * operation is accepted and released exactly once when the kernel has finished with it, even if the
 * future is cancelled or the loop shuts down meanwhile: do not modify or release it before the future
 * completes. Heap, read-only (for reads), released, empty or, for O_DIRECT files, misaligned buffers fail
 * at once and are not retained.
 *
 * <p><b>A buffer released meanwhile.</b> An operation takes its reference to a buffer before it looks at the
 * buffer at all, and {@code retain()} refuses a released buffer atomically, so a release on another thread
 * while the call runs lands either before (the operation is refused as for any released buffer: its future
 * fails with {@link io.netty.util.IllegalReferenceCountException}, a callback variant throws it, and nothing
 * is held: no slot, file reference or buffer reference) or after (the operation holds its own reference, so
 * the memory stays valid until its completion releases it). Nothing else ever comes of it.
 *
 * <p><b>Buffers of several memory regions</b> (a {@code CompositeByteBuf}) are read into or written from with
 * one vectored operation, one iovec per region the operation's bytes lie in: the components covering the
 * writable bytes (reads) or the readable bytes (writes), not all of the buffer's components. More than 1024
 * such regions ({@code UIO_MAXIOV}) fail at once with {@link IllegalArgumentException}.
 *
 * <p><b>Closing.</b> {@link #close()} refuses new operations at once and closes the descriptor after the
 * operations in flight complete, so an in-flight read never races a reused descriptor number. A file that
 * owns its descriptor and is collected unclosed is reported by Netty's leak detector ({@code
 * io.netty.leakDetection.level}), as a leaked buffer would be, in a file's words: "{@code LEAK: an IoUringFile
 * was not closed (close()) before it was garbage-collected}", logged at {@code ERROR} to the {@code
 * System.Logger} named after this class.
 */
public final class IoUringFile {
    /** The descriptor and its references, shared with this file's {@link #blocking()} view. */
    private final OpenFile file;
    /** Builds, checks and submits this view's ops (blocking or not). */
    private final OpBuilder ops;

    IoUringFile(FileIoCore core, int fd, int fixedSlot, int openFlags, Statx alignment, FileLife life) {
        this(new OpenFile(core, fd, fixedSlot, openFlags, alignment, life), false);
    }

    private IoUringFile(OpenFile file, boolean blocking) {
        this.file = file;
        this.ops = new OpBuilder(file.core(), file, blocking);
    }

    /**
     * Wraps a descriptor opened elsewhere (a device such as {@code /dev/ng0n1}, a socket) so operations can run
     * on {@code io}'s loop. With {@code takeOwnership}, {@link #close()} closes it; otherwise it stays yours.
     * O_DIRECT is detected from the descriptor's flags.
     *
     * @param io the loop's file API
     * @param fd an open descriptor
     * @param takeOwnership whether {@link #close()} closes the descriptor
     * @return the file
     * @throws IOException if the descriptor's flags cannot be read (it is not open)
     */
    public static IoUringFile wrap(FileIo io, int fd, boolean takeOwnership) throws IOException {
        Objects.requireNonNull(io, "io");
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0: " + fd);
        }
        int flags = FileDescriptors.statusFlags(fd);
        Statx alignment = (flags & Linux.O_DIRECT) != 0 ? Statx.ofFd(fd) : null;
        return new IoUringFile(io.core(), fd, -1, flags, alignment, FileLife.wrapping(takeOwnership));
    }

    /**
     * The same file, but submissions wait for room when the loop is at its {@link IoUringConfig#maxInFlight}
     * bound instead of failing with {@link IoUringOverloadedException}; the wait ends early, refused as
     * usual, when the loop shuts down, the file closes or the thread is interrupted. For plain and virtual
     * threads only: an operation submitted through it from any Netty event loop thread fails with
     * {@link IllegalStateException} (its future fails, a callback variant throws), full loop or not, rather
     * than ever block an event loop.
     *
     * @return a blocking view of this file ({@code this} when it already is one); closing either closes both
     */
    public IoUringFile blocking() {
        return ops.isBlocking() ? this : new IoUringFile(file, true);
    }

    // ---- what this file is ----

    /**
     * The file API of the loop this file's operations run on.
     *
     * @return the file API of the loop this file's operations run on
     */
    @SuppressWarnings("deprecation")    // the old name still, so that code assigning it to an IoUringFileIo compiles
    public IoUringFileIo io() {
        return file.core().api();
    }

    /**
     * The file descriptor.
     *
     * @return the file descriptor (still valid after {@link #close()} until the operations in flight end)
     */
    public int fd() {
        return file.fd();
    }

    /**
     * Whether the file sits in one of the loop's registered-file slots.
     *
     * @return whether operations address the file by its registered slot ({@code IOSQE_FIXED_FILE})
     */
    public boolean isRegistered() {
        return file.fixedSlot() >= 0;
    }

    /**
     * Whether the file was opened with O_DIRECT.
     *
     * @return whether the descriptor's flags include {@code O_DIRECT}
     */
    public boolean isDirect() {
        return file.isDirect();
    }

    /**
     * O_DIRECT offset and length alignment in bytes (1 when not O_DIRECT).
     *
     * @return the alignment file offsets and lengths must have, in bytes (1 when not O_DIRECT)
     */
    public int directIoAlignment() {
        return file.offsetAlignment();
    }

    /**
     * O_DIRECT buffer address alignment in bytes (1 when not O_DIRECT).
     *
     * @return the alignment buffer addresses must have, in bytes (1 when not O_DIRECT)
     */
    public int directMemoryAlignment() {
        return file.memoryAlignment();
    }

    /**
     * Whether {@link #close()} has not been called.
     *
     * @return {@code false} once {@link #close()} has been called (on this file or a {@link #blocking()} view)
     */
    public boolean isOpen() {
        return file.isOpen();
    }

    // ---- read and write ----

    /**
     * Reads into {@code dst}'s writable bytes from file {@code offset}; the count read ({@code pread(2)}).
     *
     * @param dst the buffer, filled from its writer index (which advances by the count)
     * @param offset the file offset
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture read(ByteBuf dst, long offset) {
        return ops.read(dst, offset, ops.intPromise());
    }

    /**
     * {@link #read(ByteBuf, long)}, completing {@code promise} (its listeners run on its executor).
     *
     * @param dst the buffer, filled from its writer index (which advances by the count)
     * @param offset the file offset
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> read(ByteBuf dst, long offset, Promise<Integer> promise) {
        return ops.read(dst, offset, Target.user(promise)).promise();
    }

    /**
     * {@link #read(ByteBuf, long)} reporting to {@code callback}; throws instead of failing a future.
     *
     * @param dst the buffer, filled from its writer index (which advances by the count)
     * @param offset the file offset
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void read(ByteBuf dst, long offset, IoCallback callback, long tag) {
        ops.read(dst, offset, callback, tag);
    }

    /**
     * Writes {@code src}'s readable bytes at file {@code offset}; the count written ({@code pwrite(2)}).
     *
     * @param src the buffer, sent from its reader index (which advances by the count)
     * @param offset the file offset
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture write(ByteBuf src, long offset) {
        return ops.write(src, offset, ops.intPromise());
    }

    /**
     * {@link #write(ByteBuf, long)}, completing {@code promise}.
     *
     * @param src the buffer, sent from its reader index (which advances by the count)
     * @param offset the file offset
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> write(ByteBuf src, long offset, Promise<Integer> promise) {
        return ops.write(src, offset, Target.user(promise)).promise();
    }

    /**
     * {@link #write(ByteBuf, long)} reporting to {@code callback}; throws instead of failing a future.
     *
     * @param src the buffer, sent from its reader index (which advances by the count)
     * @param offset the file offset
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void write(ByteBuf src, long offset, IoCallback callback, long tag) {
        ops.write(src, offset, callback, tag);
    }

    /**
     * Reads into the writable bytes of several buffers in order, from {@code offset} ({@code preadv(2)}).
     *
     * @param offset the file offset
     * @param dsts the buffers, filled in order
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture readv(long offset, ByteBuf... dsts) {
        return ops.readv(offset, dsts, ops.intPromise());
    }

    /**
     * {@link #readv}, completing {@code promise}.
     *
     * @param offset the file offset
     * @param dsts the buffers, filled in order
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> readv(long offset, ByteBuf[] dsts, Promise<Integer> promise) {
        return ops.readv(offset, dsts, Target.user(promise)).promise();
    }

    /**
     * {@link #readv}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param offset the file offset
     * @param dsts the buffers, filled in order
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void readv(long offset, ByteBuf[] dsts, IoCallback callback, long tag) {
        ops.readv(offset, dsts, callback, tag);
    }

    /**
     * Writes the readable bytes of several buffers in order, at {@code offset} ({@code pwritev(2)}).
     *
     * @param offset the file offset
     * @param srcs the buffers, sent in order
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture writev(long offset, ByteBuf... srcs) {
        return ops.writev(offset, srcs, ops.intPromise());
    }

    /**
     * {@link #writev}, completing {@code promise}.
     *
     * @param offset the file offset
     * @param srcs the buffers, sent in order
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> writev(long offset, ByteBuf[] srcs, Promise<Integer> promise) {
        return ops.writev(offset, srcs, Target.user(promise)).promise();
    }

    /**
     * {@link #writev}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param offset the file offset
     * @param srcs the buffers, sent in order
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void writev(long offset, ByteBuf[] srcs, IoCallback callback, long tag) {
        ops.writev(offset, srcs, callback, tag);
    }

    /**
     * Reads into a buffer of the loop's {@link FixedBufferPool} ({@code READ_FIXED}). {@link #read} already
     * does this for such buffers; this method fails if {@code dst} is not one.
     *
     * @param dst a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture readFixed(ByteBuf dst, long offset) {
        return ops.readFixed(dst, offset, ops.intPromise());
    }

    /**
     * {@link #readFixed}, completing {@code promise}.
     *
     * @param dst a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> readFixed(ByteBuf dst, long offset, Promise<Integer> promise) {
        return ops.readFixed(dst, offset, Target.user(promise)).promise();
    }

    /**
     * {@link #readFixed}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param dst a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void readFixed(ByteBuf dst, long offset, IoCallback callback, long tag) {
        ops.readFixed(dst, offset, callback, tag);
    }

    /**
     * Writes from a buffer of the loop's {@link FixedBufferPool} ({@code WRITE_FIXED}).
     *
     * @param src a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture writeFixed(ByteBuf src, long offset) {
        return ops.writeFixed(src, offset, ops.intPromise());
    }

    /**
     * {@link #writeFixed}, completing {@code promise}.
     *
     * @param src a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> writeFixed(ByteBuf src, long offset, Promise<Integer> promise) {
        return ops.writeFixed(src, offset, Target.user(promise)).promise();
    }

    /**
     * {@link #writeFixed}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param src a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void writeFixed(ByteBuf src, long offset, IoCallback callback, long tag) {
        ops.writeFixed(src, offset, callback, tag);
    }

    // ---- everything else ----

    /**
     * Flushes data and metadata to stable storage ({@code fsync(2)}).
     *
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture fsync() {
        return ops.fsync(ops.intPromise());
    }

    /**
     * {@link #fsync}, completing {@code promise}.
     *
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> fsync(Promise<Integer> promise) {
        return ops.fsync(Target.user(promise)).promise();
    }

    /**
     * {@link #fsync}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void fsync(IoCallback callback, long tag) {
        ops.fsync(callback, tag);
    }

    /**
     * Flushes data, and the metadata needed to read it back, to stable storage ({@code fdatasync(2)}).
     *
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture fdatasync() {
        return ops.fdatasync(ops.intPromise());
    }

    /**
     * {@link #fdatasync}, completing {@code promise}.
     *
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> fdatasync(Promise<Integer> promise) {
        return ops.fdatasync(Target.user(promise)).promise();
    }

    /**
     * {@link #fdatasync}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void fdatasync(IoCallback callback, long tag) {
        ops.fdatasync(callback, tag);
    }

    /**
     * {@code sync_file_range(2)}.
     *
     * @param offset where the range starts
     * @param length its length (0: to the end of the file)
     * @param flags {@link Linux#SYNC_FILE_RANGE_WRITE} and friends
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture syncFileRange(long offset, int length, int flags) {
        return ops.syncFileRange(offset, length, flags, ops.intPromise());
    }

    /**
     * {@link #syncFileRange}, completing {@code promise}.
     *
     * @param offset where the range starts
     * @param length its length (0: to the end of the file)
     * @param flags {@link Linux#SYNC_FILE_RANGE_WRITE} and friends
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> syncFileRange(long offset, int length, int flags, Promise<Integer> promise) {
        return ops.syncFileRange(offset, length, flags, Target.user(promise)).promise();
    }

    /**
     * {@link #syncFileRange}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param offset where the range starts
     * @param length its length (0: to the end of the file)
     * @param flags {@link Linux#SYNC_FILE_RANGE_WRITE} and friends
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void syncFileRange(long offset, int length, int flags, IoCallback callback, long tag) {
        ops.syncFileRange(offset, length, flags, callback, tag);
    }

    /**
     * {@code fallocate(2)}.
     *
     * @param mode 0 to allocate, or {@link Linux#FALLOC_FL_PUNCH_HOLE} and friends
     * @param offset where the range starts
     * @param length its length
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture fallocate(int mode, long offset, long length) {
        return ops.fallocate(mode, offset, length, ops.intPromise());
    }

    /**
     * {@link #fallocate}, completing {@code promise}.
     *
     * @param mode 0 to allocate, or {@link Linux#FALLOC_FL_PUNCH_HOLE} and friends
     * @param offset where the range starts
     * @param length its length
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> fallocate(int mode, long offset, long length, Promise<Integer> promise) {
        return ops.fallocate(mode, offset, length, Target.user(promise)).promise();
    }

    /**
     * {@link #fallocate}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param mode 0 to allocate, or {@link Linux#FALLOC_FL_PUNCH_HOLE} and friends
     * @param offset where the range starts
     * @param length its length
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void fallocate(int mode, long offset, long length, IoCallback callback, long tag) {
        ops.fallocate(mode, offset, length, callback, tag);
    }

    /**
     * {@code posix_fadvise(2)}.
     *
     * @param offset where the range starts
     * @param length its length (0: to the end of the file)
     * @param advice {@link Linux#POSIX_FADV_WILLNEED} and friends
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture fadvise(long offset, int length, int advice) {
        return ops.fadvise(offset, length, advice, ops.intPromise());
    }

    /**
     * {@link #fadvise}, completing {@code promise}.
     *
     * @param offset where the range starts
     * @param length its length (0: to the end of the file)
     * @param advice {@link Linux#POSIX_FADV_WILLNEED} and friends
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> fadvise(long offset, int length, int advice, Promise<Integer> promise) {
        return ops.fadvise(offset, length, advice, Target.user(promise)).promise();
    }

    /**
     * {@link #fadvise}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param offset where the range starts
     * @param length its length (0: to the end of the file)
     * @param advice {@link Linux#POSIX_FADV_WILLNEED} and friends
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void fadvise(long offset, int length, int advice, IoCallback callback, long tag) {
        ops.fadvise(offset, length, advice, callback, tag);
    }

    /**
     * Sets the file's length ({@code ftruncate(2)}: {@code IORING_OP_FTRUNCATE}, Linux 6.9+).
     *
     * @param length the new length, {@code >= 0}
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture truncate(long length) {
        return ops.truncate(length, ops.intPromise());
    }

    /**
     * {@link #truncate}, completing {@code promise}.
     *
     * @param length the new length, {@code >= 0}
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> truncate(long length, Promise<Integer> promise) {
        return ops.truncate(length, Target.user(promise)).promise();
    }

    /**
     * {@link #truncate}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param length the new length, {@code >= 0}
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void truncate(long length, IoCallback callback, long tag) {
        ops.truncate(length, callback, tag);
    }

    /**
     * {@code statx(2)} of this file.
     *
     * @return a future completing with the metadata
     */
    public Future<FileStat> stat() {
        return ops.stat(ops.promise());
    }

    /**
     * {@link #stat()}, completing {@code promise}.
     *
     * @param promise completed with the metadata
     * @return {@code promise}
     */
    public Future<FileStat> stat(Promise<FileStat> promise) {
        return ops.stat(Target.user(promise)).promise();
    }

    /**
     * Sends a {@code uring_cmd} to the driver behind this descriptor (NVMe passthrough, socket commands).
     * {@code writer} fills the 80-byte command on the calling thread; {@code data} (may be null) is pinned
     * until completion and its address passed to the writer: its writable bytes when {@code dataIn}, its
     * readable bytes otherwise. Those bytes must lie in one memory region (one component of a
     * {@code CompositeByteBuf} will do; for several, see {@link #uringCmdVectored}). When {@code data} is (a slice of) one of this loop's
     * {@link IoUringFileIo#fixedBuffers()}, the command goes out with {@code IORING_URING_CMD_FIXED} and that
     * buffer's index, so the driver skips pinning and mapping its pages (Linux 6.1+; an older kernel fails
     * the command with {@code EINVAL}, the exception saying why). Only on a passthrough loop
     * ({@link FileIo#isPassthrough()}): a ring with 128-byte SQEs, or the portable engine, which runs NVMe's
     * {@code NVME_URING_CMD_IO}, {@code _IO_VEC} and {@code _ADMIN} as the NVMe driver's ioctls on the same
     * device (same command, same status and result) and refuses any other {@code cmdOp} before submission with
     * {@link UnsupportedOperationException} naming it, taking nothing (there registered buffers are plain
     * memory, and {@code IORING_URING_CMD_FIXED} changes nothing).
     *
     * @param cmdOp the driver's command, such as {@code NVME_URING_CMD_IO}
     * @param data pinned until completion, or null
     * @param dataIn whether the driver writes into {@code data} (its writable bytes) rather than reads it
     * @param writer fills the 80-byte command, on the calling thread
     * @return a future completing with the driver's result
     */
    public Future<UringCmdResult> uringCmd(int cmdOp, ByteBuf data, boolean dataIn, UringCmdWriter writer) {
        return ops.uringCmd(cmdOp, data, dataIn, writer, ops.promise());
    }

    /**
     * {@link #uringCmd(int, ByteBuf, boolean, UringCmdWriter)}, completing {@code promise}.
     *
     * @param cmdOp the driver's command, such as {@code NVME_URING_CMD_IO}
     * @param data pinned until completion, or null
     * @param dataIn whether the driver writes into {@code data} (its writable bytes) rather than reads it
     * @param writer fills the 80-byte command, on the calling thread
     * @param promise completed with the driver's result
     * @return {@code promise}
     */
    public Future<UringCmdResult> uringCmd(int cmdOp, ByteBuf data, boolean dataIn, UringCmdWriter writer,
                                           Promise<UringCmdResult> promise) {
        return ops.uringCmd(cmdOp, data, dataIn, writer, Target.user(promise)).promise();
    }

    /**
     * A {@code uring_cmd} whose data is several memory regions, for the drivers' vectored commands (such as
     * {@code NVME_URING_CMD_IO_VEC}): every buffer of {@code data} is pinned until completion, and an iovec
     * array over their writable bytes ({@code dataIn}) or readable bytes (otherwise), in order, each buffer's
     * regions in order (a {@code CompositeByteBuf} gives several), is built in memory that stays valid until
     * the completion. {@code writer} gets the array's address and its element count (1 to 1024), not a byte
     * count. Registered buffers are not used here: the kernel takes {@code IORING_URING_CMD_FIXED} for one
     * region only. Only on a passthrough loop, as {@link #uringCmd(int, ByteBuf, boolean, UringCmdWriter)}
     * (the portable engine runs {@code NVME_URING_CMD_IO_VEC}, refuses {@code NVME_URING_CMD_ADMIN_VEC}).
     *
     * @param cmdOp the driver's vectored command, such as {@code NVME_URING_CMD_IO_VEC}
     * @param data the buffers, at least one, none empty; the array is copied
     * @param dataIn whether the driver writes into the buffers (their writable bytes) rather than reads them
     * @param writer fills the 80-byte command, on the calling thread, given the iovec array and count
     * @return a future completing with the driver's result; fails before submission, holding nothing, for no
     *         buffers, an empty or released one, or more than 1024 regions
     */
    public Future<UringCmdResult> uringCmdVectored(int cmdOp, ByteBuf[] data, boolean dataIn, UringCmdWriter writer) {
        return ops.uringCmdVectored(cmdOp, data, dataIn, writer, ops.promise());
    }

    /**
     * {@link #uringCmdVectored(int, ByteBuf[], boolean, UringCmdWriter)}, completing {@code promise}.
     *
     * @param cmdOp the driver's vectored command, such as {@code NVME_URING_CMD_IO_VEC}
     * @param data the buffers, at least one, none empty; the array is copied
     * @param dataIn whether the driver writes into the buffers (their writable bytes) rather than reads them
     * @param writer fills the 80-byte command, on the calling thread, given the iovec array and count
     * @param promise completed with the driver's result
     * @return {@code promise}
     */
    public Future<UringCmdResult> uringCmdVectored(int cmdOp, ByteBuf[] data, boolean dataIn, UringCmdWriter writer,
                                                   Promise<UringCmdResult> promise) {
        return ops.uringCmdVectored(cmdOp, data, dataIn, writer, Target.user(promise)).promise();
    }

    // ---- close ----

    /**
     * Closes the file: new operations fail with {@link ClosedFileException} from now on; the descriptor is
     * closed (and its registered slot freed) once the operations in flight have completed. Idempotent.
     *
     * @return a future completing once the descriptor is closed; every call returns the same one
     */
    public Future<Void> close() {
        return file.close();
    }

    /** The descriptor and its references (an open beneath this directory holds one). */
    OpenFile openFile() {
        return file;
    }

    /** What builds this view's ops ({@link LinkedOps} chains them). */
    OpBuilder ops() {
        return ops;
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
