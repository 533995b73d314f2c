package io.i2o2.file;

import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.Iovec;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.Statx;
import io.i2o2.uring.UringException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

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
    private static final int CLOSING = Integer.MIN_VALUE;

    private final FileIoCore core;
    private final int fd;
    private final int fixedSlot;
    private final int openFlags;
    private final int memAlign;
    private final int offsetAlign;
    private final boolean blocking;
    private final FileLife life;

    IoUringFile(FileIoCore core, int fd, int fixedSlot, int openFlags, Statx alignment, FileLife life) {
        this.core = core;
        this.fd = fd;
        this.fixedSlot = fixedSlot;
        this.openFlags = openFlags;
        boolean direct = (openFlags & Linux.O_DIRECT) != 0;
        // When statx cannot say (before 6.1), 4096 is safe on every device and file system.
        this.memAlign = !direct ? 1 : alignment != null && alignment.dioMemAlign() > 0 ? alignment.dioMemAlign() : 4096;
        this.offsetAlign = !direct ? 1
                : alignment != null && alignment.dioOffsetAlign() > 0 ? alignment.dioOffsetAlign() : 4096;
        this.blocking = false;
        this.life = life;
        life.adopt();
    }

    private IoUringFile(IoUringFile of, boolean blocking) {
        this.core = of.core;
        this.fd = of.fd;
        this.fixedSlot = of.fixedSlot;
        this.openFlags = of.openFlags;
        this.memAlign = of.memAlign;
        this.offsetAlign = of.offsetAlign;
        this.blocking = blocking;
        this.life = of.life;
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
        return blocking ? this : new IoUringFile(this, true);
    }

    // ---- what this file is ----

    /**
     * The file API of the loop this file's operations run on.
     *
     * @return the file API of the loop this file's operations run on
     */
    @SuppressWarnings("deprecation")    // the old name still, so that code assigning it to an IoUringFileIo compiles
    public IoUringFileIo io() {
        return core.api();
    }

    /** The path this file was opened by; null for a descriptor opened elsewhere ({@link #wrap}). */
    String pathOrNull() {
        return life.path;
    }

    /**
     * The file descriptor.
     *
     * @return the file descriptor (still valid after {@link #close()} until the operations in flight end)
     */
    public int fd() {
        return fd;
    }

    /**
     * Whether the file sits in one of the loop's registered-file slots.
     *
     * @return whether operations address the file by its registered slot ({@code IOSQE_FIXED_FILE})
     */
    public boolean isRegistered() {
        return fixedSlot >= 0;
    }

    /**
     * Whether the file was opened with O_DIRECT.
     *
     * @return whether the descriptor's flags include {@code O_DIRECT}
     */
    public boolean isDirect() {
        return (openFlags & Linux.O_DIRECT) != 0;
    }

    /**
     * O_DIRECT offset and length alignment in bytes (1 when not O_DIRECT).
     *
     * @return the alignment file offsets and lengths must have, in bytes (1 when not O_DIRECT)
     */
    public int directIoAlignment() {
        return offsetAlign;
    }

    /**
     * O_DIRECT buffer address alignment in bytes (1 when not O_DIRECT).
     *
     * @return the alignment buffer addresses must have, in bytes (1 when not O_DIRECT)
     */
    public int directMemoryAlignment() {
        return memAlign;
    }

    /**
     * Whether {@link #close()} has not been called.
     *
     * @return {@code false} once {@link #close()} has been called (on this file or a {@link #blocking()} view)
     */
    public boolean isOpen() {
        return life.refs.get() >= 0;
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
        IntPromise p = new IntPromise(core);
        submit(prepareRead(dst, offset, p));
        return p;
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
        submit(prepareRead(dst, offset, new Target.User(Objects.requireNonNull(promise, "promise"))));
        return promise;
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
        Objects.requireNonNull(callback, "callback");
        OpSlot op = prepareRead(dst, offset, Target.Callback.INSTANCE);
        if (op != null) {
            op.callback = callback;
            op.tag = tag;
            core.submit(op);
        }
    }

    /**
     * Writes {@code src}'s readable bytes at file {@code offset}; the count written ({@code pwrite(2)}).
     *
     * @param src the buffer, sent from its reader index (which advances by the count)
     * @param offset the file offset
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture write(ByteBuf src, long offset) {
        IntPromise p = new IntPromise(core);
        submit(prepareWrite(src, offset, p));
        return p;
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
        submit(prepareWrite(src, offset, new Target.User(Objects.requireNonNull(promise, "promise"))));
        return promise;
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
        Objects.requireNonNull(callback, "callback");
        OpSlot op = prepareWrite(src, offset, Target.Callback.INSTANCE);
        if (op != null) {
            op.callback = callback;
            op.tag = tag;
            core.submit(op);
        }
    }

    /**
     * Reads into the writable bytes of several buffers in order, from {@code offset} ({@code preadv(2)}).
     *
     * @param offset the file offset
     * @param dsts the buffers, filled in order
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture readv(long offset, ByteBuf... dsts) {
        IntPromise p = new IntPromise(core);
        submit(prepareVectored(OpKind.READV, offset, dsts, p));
        return p;
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
        Target target = user(promise);
        submit(prepareVectored(OpKind.READV, offset, dsts, target));
        return promise;
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
        Target target = callbackTarget(callback);
        submit(prepareVectored(OpKind.READV, offset, dsts, target), callback, tag);
    }

    /**
     * Writes the readable bytes of several buffers in order, at {@code offset} ({@code pwritev(2)}).
     *
     * @param offset the file offset
     * @param srcs the buffers, sent in order
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture writev(long offset, ByteBuf... srcs) {
        IntPromise p = new IntPromise(core);
        submit(prepareVectored(OpKind.WRITEV, offset, srcs, p));
        return p;
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
        Target target = user(promise);
        submit(prepareVectored(OpKind.WRITEV, offset, srcs, target));
        return promise;
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
        Target target = callbackTarget(callback);
        submit(prepareVectored(OpKind.WRITEV, offset, srcs, target), callback, tag);
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
        IntPromise p = new IntPromise(core);
        if (!isRegistered(dst, p)) {
            return p;
        }
        submit(prepareRead(dst, offset, p));
        return p;
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
        Target target = user(promise);
        if (!isRegistered(dst, target)) {
            return promise;
        }
        submit(prepareRead(dst, offset, target));
        return promise;
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
        Target target = callbackTarget(callback);
        if (!isRegistered(dst, target)) {
            return;
        }
        submit(prepareRead(dst, offset, target), callback, tag);
    }

    /**
     * Writes from a buffer of the loop's {@link FixedBufferPool} ({@code WRITE_FIXED}).
     *
     * @param src a buffer from {@link IoUringFileIo#fixedBuffers()}
     * @param offset the file offset
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture writeFixed(ByteBuf src, long offset) {
        IntPromise p = new IntPromise(core);
        if (!isRegistered(src, p)) {
            return p;
        }
        submit(prepareWrite(src, offset, p));
        return p;
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
        Target target = user(promise);
        if (!isRegistered(src, target)) {
            return promise;
        }
        submit(prepareWrite(src, offset, target));
        return promise;
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
        Target target = callbackTarget(callback);
        if (!isRegistered(src, target)) {
            return;
        }
        submit(prepareWrite(src, offset, target), callback, tag);
    }

    /** Whether {@code buf} lies in one of the loop's registered buffers; fails {@code p} if not. */
    private boolean isRegistered(ByteBuf buf, Target target) {
        Objects.requireNonNull(buf, "buf");
        FixedBufferPool pool = core.fixedBuffersOrNull();
        if (pool != null && pool.registeredBufferOf(buf) != null) {
            return true;
        }
        target.refuse(core.lacks(EngineFeature.FIXED_BUFFERS) ? core.refusal(EngineFeature.FIXED_BUFFERS)
                : new IllegalArgumentException("not a registered buffer of " + core + ": take it from io.fixedBuffers()"));
        return false;
    }

    OpSlot prepareRead(ByteBuf dst, long offset, Target target) {
        return prepareTransfer(Objects.requireNonNull(dst, "dst"), offset, target, true);
    }

    OpSlot prepareWrite(ByteBuf src, long offset, Target target) {
        return prepareTransfer(Objects.requireNonNull(src, "src"), offset, target, false);
    }

    /**
     * A read into {@code buf}'s writable bytes or a write of its readable bytes. The buffer is retained first
     * (so a release on another thread either comes before, and the op is refused, or after, and the op keeps it
     * alive); every check and address lookup then runs before a slot is claimed, and each refusal gives the
     * reference back.
     */
    private OpSlot prepareTransfer(ByteBuf buf, long offset, Target target, boolean read) {
        RuntimeException bad = ByteBufs.retain(buf);
        if (bad != null) {
            target.refuse(bad);
            return null;
        }
        boolean several = false;
        int length = 0;
        long address = 0;
        FixedBuffer registered = null;
        try {
            several = buf.nioBufferCount() != 1;
            if (!several) {
                length = length(buf, read);
                bad = read ? ByteBufs.checkReadInto(buf) : ByteBufs.checkWriteFrom(buf);
                if (bad == null) {
                    bad = ByteBufs.checkOffset(offset);
                }
                address = bad == null ? ByteBufs.address(buf, start(buf, read)) : 0;
                if (bad == null && isDirect()) {
                    bad = ByteBufs.checkDirectAlignment(this, address, length, offset);
                }
                FixedBufferPool pool = core.fixedBuffersOrNull();
                registered = bad == null && pool != null ? pool.registeredBufferOf(buf) : null;
            }
        } catch (RuntimeException e) {
            // A buffer whose own methods throw is refused like any other: the reference still goes back.
            several = false;
            bad = e;
        }
        if (several) {
            // Several memory regions (a CompositeByteBuf): one vectored op over them.
            return prepareRetainedVectored(read ? OpKind.READV : OpKind.WRITEV, offset, new ByteBuf[] {buf}, target);
        }
        if (bad != null) {
            buf.release();
            target.refuse(bad);
            return null;
        }
        OpSlot op = claim(target, buf, null);
        if (op == null) {
            return null;
        }
        if (registered != null) {
            op.kind = read ? OpKind.READ_FIXED : OpKind.WRITE_FIXED;
            op.bufIndex = registered.index();
        } else {
            op.kind = read ? OpKind.READ : OpKind.WRITE;
        }
        op.buf = buf;
        op.addr = address;
        op.len = length;
        op.offset = offset;
        return op;
    }

    /** A vectored op over the buffers' writable (READV) or readable (WRITEV) bytes. */
    OpSlot prepareVectored(OpKind kind, long offset, ByteBuf[] buffers, Target target) {
        ByteBuf[] bufs = retainedCopy(buffers, "bufs", target);
        return bufs == null ? null : prepareRetainedVectored(kind, offset, bufs, target);
    }

    /** {@link #prepareVectored} over buffers retained for it (our own array): a refusal gives them back. */
    private OpSlot prepareRetainedVectored(OpKind kind, long offset, ByteBuf[] bufs, Target target) {
        boolean read = kind == OpKind.READV;
        RuntimeException bad = ByteBufs.checkOffset(offset);
        ByteBuffer[][] split = null;
        int regions = 0;
        try {
            if (bad == null) {
                bad = checkEach(bufs, read);
            }
            split = bad == null ? split(bufs, read) : null;
            regions = bad == null ? regionCount(bufs, split) : 0;
            if (bad == null) {
                bad = checkRegionCount(regions);
            }
            if (bad == null) {
                // Every address looked up before the claim (and O_DIRECT's rules checked): the walk that fills
                // the iovecs after it repeats lookups that already succeeded.
                bad = iovecs(bufs, split, read, offset, isDirect(), null);
            }
        } catch (RuntimeException e) {
            // A buffer whose own methods throw is refused like any other: the references still go back.
            bad = e;
        }
        if (bad != null) {
            ByteBufs.release(null, bufs);
            target.refuse(bad);
            return null;
        }
        long bytes = (long) regions * Iovec.BYTES;
        MemorySegment memory = bytes <= OpTable.SCRATCH_BYTES ? null : Arena.ofAuto().allocate(bytes, 8);
        ByteBuf one = bufs.length == 1 ? bufs[0] : null;
        ByteBuf[] several = one == null ? bufs : null;
        OpSlot op = claim(target, one, several);
        if (op == null) {
            return null;
        }
        MemorySegment array = memory != null ? memory : op.scratch;
        iovecs(bufs, split, read, offset, false, array);
        op.buf = one;
        op.bufs = several;
        op.kind = kind;
        op.memory = memory;
        op.addr = array.address();
        op.len = regions;
        op.offset = offset;
        return op;
    }

    // ---- everything else ----

    /**
     * Flushes data and metadata to stable storage ({@code fsync(2)}).
     *
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture fsync() {
        IntPromise p = new IntPromise(core);
        submit(prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, p));
        return p;
    }

    /**
     * {@link #fsync}, completing {@code promise}.
     *
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> fsync(Promise<Integer> promise) {
        Target target = user(promise);
        submit(prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, target));
        return promise;
    }

    /**
     * {@link #fsync}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void fsync(IoCallback callback, long tag) {
        Target target = callbackTarget(callback);
        submit(prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, target), callback, tag);
    }

    /**
     * Flushes data, and the metadata needed to read it back, to stable storage ({@code fdatasync(2)}).
     *
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture fdatasync() {
        IntPromise p = new IntPromise(core);
        submit(prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, p));
        return p;
    }

    /**
     * {@link #fdatasync}, completing {@code promise}.
     *
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> fdatasync(Promise<Integer> promise) {
        Target target = user(promise);
        submit(prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, target));
        return promise;
    }

    /**
     * {@link #fdatasync}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void fdatasync(IoCallback callback, long tag) {
        Target target = callbackTarget(callback);
        submit(prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, target), callback, tag);
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
        IntPromise p = new IntPromise(core);
        submit(prepareSimple(OpKind.SYNC_FILE_RANGE, offset, length, flags, 0, p));
        return p;
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
        Target target = user(promise);
        submit(prepareSimple(OpKind.SYNC_FILE_RANGE, offset, length, flags, 0, target));
        return promise;
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
        Target target = callbackTarget(callback);
        submit(prepareSimple(OpKind.SYNC_FILE_RANGE, offset, length, flags, 0, target), callback, tag);
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
        IntPromise p = new IntPromise(core);
        submit(prepareSimple(OpKind.FALLOCATE, offset, 0, mode, length, p));
        return p;
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
        Target target = user(promise);
        submit(prepareSimple(OpKind.FALLOCATE, offset, 0, mode, length, target));
        return promise;
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
        Target target = callbackTarget(callback);
        submit(prepareSimple(OpKind.FALLOCATE, offset, 0, mode, length, target), callback, tag);
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
        IntPromise p = new IntPromise(core);
        submit(prepareSimple(OpKind.FADVISE, offset, length, advice, 0, p));
        return p;
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
        Target target = user(promise);
        submit(prepareSimple(OpKind.FADVISE, offset, length, advice, 0, target));
        return promise;
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
        Target target = callbackTarget(callback);
        submit(prepareSimple(OpKind.FADVISE, offset, length, advice, 0, target), callback, tag);
    }

    /**
     * Sets the file's length ({@code ftruncate(2)}: {@code IORING_OP_FTRUNCATE}, Linux 6.9+).
     *
     * @param length the new length, {@code >= 0}
     * @return a future completing with the count (what the system call returns)
     */
    public IntFuture truncate(long length) {
        IntPromise p = new IntPromise(core);
        if (!truncatable(length, p)) {
            return p;
        }
        submit(prepareSimple(OpKind.FTRUNCATE, length, 0, 0, 0, p));
        return p;
    }

    /**
     * {@link #truncate}, completing {@code promise}.
     *
     * @param length the new length, {@code >= 0}
     * @param promise completed with the result (its listeners run on its executor)
     * @return {@code promise}
     */
    public Future<Integer> truncate(long length, Promise<Integer> promise) {
        Target target = user(promise);
        if (!truncatable(length, target)) {
            return promise;
        }
        submit(prepareSimple(OpKind.FTRUNCATE, length, 0, 0, 0, target));
        return promise;
    }

    /**
     * {@link #truncate}, reporting to {@code callback} (allocates nothing); throws instead of failing a future.
     *
     * @param length the new length, {@code >= 0}
     * @param callback called on the loop thread with the result ({@code < 0}: {@code -errno})
     * @param tag handed to the callback
     */
    public void truncate(long length, IoCallback callback, long tag) {
        Target target = callbackTarget(callback);
        if (!truncatable(length, target)) {
            return;
        }
        submit(prepareSimple(OpKind.FTRUNCATE, length, 0, 0, 0, target), callback, tag);
    }

    private boolean truncatable(long length, Target target) {
        if (length < 0) {
            target.refuse(new IllegalArgumentException("length must be >= 0: " + length));
            return false;
        }
        String lacks = core.api().lacksOpcode(Opcode.FTRUNCATE);
        if (lacks != null) {
            target.refuse(new UnsupportedOperationException(lacks));
            return false;
        }
        return true;
    }

    /** An op without buffers: {@code offset}, {@code len}, {@code arg}, {@code addr2} as {@link OpKind} says. */
    OpSlot prepareSimple(OpKind kind, long offset, int len, int arg, long addr2, Target target) {
        if (offset < 0 || len < 0 || addr2 < 0) {
            target.refuse(new IllegalArgumentException(kind.opName()
                    + ": offset and length must be >= 0: " + offset + ", " + Math.max(len, addr2)));
            return null;
        }
        OpSlot op = claim(target);
        if (op != null) {
            op.kind = kind;
            op.offset = offset;
            op.len = len;
            op.arg = arg;
            op.addr2 = addr2;
        }
        return op;
    }

    /**
     * {@code statx(2)} of this file.
     *
     * @return a future completing with the metadata
     */
    public Future<FileStat> stat() {
        IoPromise<FileStat> p = new IoPromise<>(core);
        statOp(p);
        return p;
    }

    /**
     * {@link #stat()}, completing {@code promise}.
     *
     * @param promise completed with the metadata
     * @return {@code promise}
     */
    public Future<FileStat> stat(Promise<FileStat> promise) {
        statOp(user(promise));
        return promise;
    }

    private void statOp(Target target) {
        OpSlot op = claim(target);
        if (op != null) {
            op.kind = OpKind.STATX;
            op.addr = EMPTY_PATH.address();
            op.arg = Linux.AT_EMPTY_PATH;
            if (op.fixedFile) {
                // statx takes a directory descriptor, never a registered slot.
                op.fixedFile = false;
                op.fd = fd;
            }
            core.submit(op);
        }
    }

    private static final MemorySegment EMPTY_PATH = Arena.global().allocateFrom("");

    /**
     * Sends a {@code uring_cmd} to the driver behind this descriptor (NVMe passthrough, socket commands).
     * {@code writer} fills the 80-byte command on the calling thread; {@code data} (may be null) is pinned
     * until completion and its address passed to the writer: its writable bytes when {@code dataIn}, its
     * readable bytes otherwise. Those bytes must lie in one memory region (one component of a
     * {@code CompositeByteBuf} will do; for several, see {@link #uringCmdVectored}). When {@code data} is (a slice of) one of this loop's
     * {@link IoUringFileIo#fixedBuffers()}, the command goes out with {@code IORING_URING_CMD_FIXED} and that
     * buffer's index, so the driver skips pinning and mapping its pages (Linux 6.1+; an older kernel fails
     * the command with {@code EINVAL}, the exception saying why). Only on a passthrough loop (128-byte SQEs).
     *
     * @param cmdOp the driver's command, such as {@code NVME_URING_CMD_IO}
     * @param data pinned until completion, or null
     * @param dataIn whether the driver writes into {@code data} (its writable bytes) rather than reads it
     * @param writer fills the 80-byte command, on the calling thread
     * @return a future completing with the driver's result
     */
    public Future<UringCmdResult> uringCmd(int cmdOp, ByteBuf data, boolean dataIn, UringCmdWriter writer) {
        IoPromise<UringCmdResult> p = new IoPromise<>(core);
        uringCmdOp(cmdOp, data, dataIn, writer, p);
        return p;
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
        uringCmdOp(cmdOp, data, dataIn, writer, user(promise));
        return promise;
    }

    /**
     * A {@code uring_cmd} whose data is several memory regions, for the drivers' vectored commands (such as
     * {@code NVME_URING_CMD_IO_VEC}): every buffer of {@code data} is pinned until completion, and an iovec
     * array over their writable bytes ({@code dataIn}) or readable bytes (otherwise), in order, each buffer's
     * regions in order (a {@code CompositeByteBuf} gives several), is built in memory that stays valid until
     * the completion. {@code writer} gets the array's address and its element count (1 to 1024), not a byte
     * count. Registered buffers are not used here: the kernel takes {@code IORING_URING_CMD_FIXED} for one
     * region only. Only on a passthrough loop (128-byte SQEs).
     *
     * @param cmdOp the driver's vectored command, such as {@code NVME_URING_CMD_IO_VEC}
     * @param data the buffers, at least one, none empty; the array is copied
     * @param dataIn whether the driver writes into the buffers (their writable bytes) rather than reads them
     * @param writer fills the 80-byte command, on the calling thread, given the iovec array and count
     * @return a future completing with the driver's result; fails before submission, holding nothing, for no
     *         buffers, an empty or released one, or more than 1024 regions
     */
    public Future<UringCmdResult> uringCmdVectored(int cmdOp, ByteBuf[] data, boolean dataIn, UringCmdWriter writer) {
        IoPromise<UringCmdResult> p = new IoPromise<>(core);
        uringCmdVectoredOp(cmdOp, data, dataIn, writer, p);
        return p;
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
        uringCmdVectoredOp(cmdOp, data, dataIn, writer, user(promise));
        return promise;
    }

    private void uringCmdOp(int cmdOp, ByteBuf data, boolean dataIn, UringCmdWriter writer, Target target) {
        Objects.requireNonNull(writer, "writer");
        RuntimeException bad = core.lacks(EngineFeature.URING_CMD) ? core.refusal(EngineFeature.URING_CMD)
                : data != null ? ByteBufs.retain(data) : null;
        if (bad != null) {
            target.refuse(bad);
            return;
        }
        // From here on data, when given, is retained for the op: every refusal gives it back.
        long address = 0;
        int length = 0;
        FixedBuffer registered = null;
        if (data != null) {
            try {
                bad = dataIn ? ByteBufs.checkReadInto(data) : ByteBufs.checkWriteFrom(data);
                length = length(data, dataIn);
                if (bad == null && data.nioBufferCount() == 1) {
                    address = ByteBufs.address(data, start(data, dataIn));
                } else if (bad == null) {
                    // A composite whose used bytes may still lie in one of its components.
                    ByteBuffer[] regions = data.nioBuffers(start(data, dataIn), length);
                    if (regions.length == 1) {
                        address = MemorySegment.ofBuffer(regions[0]).address();
                    } else {
                        bad = new IllegalArgumentException("uring_cmd data must be one memory region (use"
                                + " uringCmdVectored for several): " + regions.length + " regions in " + data);
                    }
                }
                FixedBufferPool pool = core.fixedBuffersOrNull();
                registered = bad == null && pool != null ? pool.registeredBufferOf(data) : null;
            } catch (RuntimeException e) {
                bad = e;
            }
            if (bad != null) {
                data.release();
                target.refuse(bad);
                return;
            }
        }
        OpSlot op = claim(target, data, null);
        if (op == null) {
            return;
        }
        if (registered != null) {
            op.cmdFlags = Linux.IORING_URING_CMD_FIXED;
            op.bufIndex = registered.index();
        }
        Throwable failed = writeCommand(op, cmdOp, writer, address, length);
        if (failed != null) {
            giveBack(op, data, null, target, failed);
            return;
        }
        op.buf = data;
        core.submit(op);
    }

    private void uringCmdVectoredOp(int cmdOp, ByteBuf[] data, boolean dataIn, UringCmdWriter writer,
                                    Target target) {
        Objects.requireNonNull(writer, "writer");
        if (core.lacks(EngineFeature.URING_CMD)) {
            Objects.requireNonNull(data, "data");
            target.refuse(core.refusal(EngineFeature.URING_CMD));
            return;
        }
        ByteBuf[] bufs = retainedCopy(data, "data", target);
        if (bufs == null) {
            return;
        }
        RuntimeException bad;
        ByteBuffer[][] split = null;
        int regions = 0;
        try {
            bad = checkEach(bufs, dataIn);
            split = bad == null ? split(bufs, dataIn) : null;
            regions = bad == null ? regionCount(bufs, split) : 0;
            if (bad == null) {
                bad = checkRegionCount(regions);
            }
            if (bad == null) {
                bad = iovecs(bufs, split, dataIn, 0, false, null);    // every address looked up before the claim
            }
        } catch (RuntimeException e) {
            bad = e;
        }
        if (bad != null) {
            ByteBufs.release(null, bufs);
            target.refuse(bad);
            return;
        }
        // The command image takes the scratch's first 80 bytes; a short iovec array fits after it.
        long room = OpTable.SCRATCH_BYTES - Sqe.URING_CMD_BYTES;
        long bytes = (long) regions * Iovec.BYTES;
        MemorySegment memory = bytes <= room ? null : Arena.ofAuto().allocate(bytes, 8);
        OpSlot op = claim(target, null, bufs);
        if (op == null) {
            return;
        }
        MemorySegment iovecs = memory != null ? memory : op.scratch.asSlice(Sqe.URING_CMD_BYTES, room);
        iovecs(bufs, split, dataIn, 0, false, iovecs);
        Throwable failed = writeCommand(op, cmdOp, writer, iovecs.address(), regions);
        if (failed != null) {
            giveBack(op, null, bufs, target, failed);
            return;
        }
        op.memory = memory;
        op.bufs = bufs;
        core.submit(op);
    }

    /** The most iovecs one command takes ({@code UIO_MAXIOV}). */
    private static final int MAX_IOVECS = 1024;

    /**
     * Our own copy of the caller's buffer array (the caller's may change under us, and what we retain is what we
     * release), each buffer retained for the op; or null, with the target refused and nothing retained, for no
     * buffers or a released one. A null array or element throws at once.
     */
    private static ByteBuf[] retainedCopy(ByteBuf[] buffers, String name, Target target) {
        ByteBuf[] bufs = Objects.requireNonNull(buffers, name).clone();
        for (int i = 0; i < bufs.length; i++) {
            Objects.requireNonNull(bufs[i], name + "[" + i + "]");
        }
        RuntimeException bad = bufs.length == 0 ? new IllegalArgumentException("no buffers") : ByteBufs.retainAll(bufs);
        if (bad != null) {
            target.refuse(bad);
            return null;
        }
        return bufs;
    }

    /** Why one of {@code bufs} (retained) cannot be read into ({@code into}) or written from, or null. */
    private static RuntimeException checkEach(ByteBuf[] bufs, boolean into) {
        for (ByteBuf b : bufs) {
            RuntimeException bad = into ? ByteBufs.checkReadInto(b) : ByteBufs.checkWriteFrom(b);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    /** Where the op's bytes of {@code buf} start: its writer index for a read into it, else its reader index. */
    private static int start(ByteBuf buf, boolean into) {
        return into ? buf.writerIndex() : buf.readerIndex();
    }

    /** How many of {@code buf}'s bytes the op uses: its writable bytes for a read into it, else its readable ones. */
    private static int length(ByteBuf buf, boolean into) {
        return into ? buf.writableBytes() : buf.readableBytes();
    }

    /**
     * The memory regions of the bytes the op uses, for each buffer that has several (a {@code CompositeByteBuf}:
     * only the components those bytes cover); null where a buffer is one region, and null throughout when all are.
     */
    private static ByteBuffer[][] split(ByteBuf[] bufs, boolean into) {
        ByteBuffer[][] split = null;
        for (int i = 0; i < bufs.length; i++) {
            ByteBuf b = bufs[i];
            if (b.nioBufferCount() != 1) {
                if (split == null) {
                    split = new ByteBuffer[bufs.length][];
                }
                split[i] = b.nioBuffers(start(b, into), length(b, into));
            }
        }
        return split;
    }

    /** The iovecs the op needs: one per region of {@link #split}, one per unsplit buffer. */
    private static int regionCount(ByteBuf[] bufs, ByteBuffer[][] split) {
        int regions = 0;
        for (int i = 0; i < bufs.length; i++) {
            regions += split == null || split[i] == null ? 1 : split[i].length;
        }
        return regions;
    }

    private static RuntimeException checkRegionCount(int regions) {
        return regions > MAX_IOVECS ? new IllegalArgumentException("the op's bytes lie in " + regions
                + " memory regions, more than the kernel takes in one op (" + MAX_IOVECS + ", UIO_MAXIOV); use fewer"
                + " or larger buffers, or consolidate the CompositeByteBuf") : null;
    }

    /**
     * Walks the regions of the bytes the op uses, in order (from file {@code offset} on): writes one iovec each
     * into {@code array} when it is not null, and with {@code align} checks each against O_DIRECT's rules.
     *
     * @return why a region is misaligned, or null
     */
    private RuntimeException iovecs(ByteBuf[] bufs, ByteBuffer[][] split, boolean into, long offset, boolean align,
                                    MemorySegment array) {
        int n = 0;
        long at = offset;
        for (int i = 0; i < bufs.length; i++) {
            ByteBuf b = bufs[i];
            ByteBuffer[] regions = split == null ? null : split[i];
            int count = regions == null ? 1 : regions.length;
            for (int j = 0; j < count; j++) {
                long address = regions == null ? ByteBufs.address(b, start(b, into))
                        : MemorySegment.ofBuffer(regions[j]).address();
                int length = regions == null ? length(b, into) : regions[j].remaining();
                RuntimeException misaligned = align ? ByteBufs.checkDirectAlignment(this, address, length, at) : null;
                if (misaligned != null) {
                    return misaligned;
                }
                if (array != null) {
                    Iovec.set(array, n++, address, length);
                }
                at += length;
            }
        }
        return null;
    }

    /** Runs {@code writer} over the op's zeroed command image; what it threw, or null. */
    private static Throwable writeCommand(OpSlot op, int cmdOp, UringCmdWriter writer, long address, int length) {
        MemorySegment command = op.scratch.asSlice(0, Sqe.URING_CMD_BYTES);
        command.fill((byte) 0);
        try {
            writer.write(command, address, length);
        } catch (RuntimeException | Error e) {
            return e;
        }
        op.kind = OpKind.URING_CMD;
        op.cmdOp = cmdOp;
        return null;
    }

    /** Gives back an op refused after its claim: its slot and file reference, then its retained buffers; fails the target. */
    private void giveBack(OpSlot op, ByteBuf buf, ByteBuf[] bufs, Target target, Throwable cause) {
        core.abandon(op);
        ByteBufs.release(buf, bufs);
        target.refuse(cause);
    }

    // ---- close ----

    /**
     * Closes the file: new operations fail with {@link ClosedFileException} from now on; the descriptor is
     * closed (and its registered slot freed) once the operations in flight have completed. Idempotent.
     *
     * @return a future completing once the descriptor is closed; every call returns the same one
     */
    public Future<Void> close() {
        FileLife l = life;
        if (l.closed == null) {
            synchronized (l) {
                if (l.closed == null) {
                    l.closed = new IoPromise<>(core);
                    l.closed();
                    int before = l.refs.getAndUpdate(r -> r < 0 ? r : (r - 1) | CLOSING);
                    if (before == 1) {
                        finishClose();
                    }
                }
            }
        }
        return l.closed;
    }

    /**
     * Takes a reference for an op; false once closing. On the loop thread ({@code onLoop}) the op takes a share
     * of one reference that all the loop's own ops hold together: a plain count instead of two atomics per op
     * (2% of a page-cache read's loop time on Netty's loop). A share never leaves the loop thread: an op handed
     * over trades it for a reference of its own first ({@link #shareToReference}).
     *
     * @return whether the op holds a reference (of its own, or a share when {@code onLoop})
     */
    boolean acquireOp(boolean onLoop) {
        if (onLoop && life.loopShares > 0) {
            // The shares' reference keeps the descriptor open; a close that began refuses new ops as the CAS does.
            if (life.refs.get() < 0) {
                return false;
            }
            life.loopShares++;
            return true;
        }
        AtomicInteger refs = life.refs;
        for (;;) {
            int r = refs.get();
            if (r < 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                if (onLoop) {
                    life.loopShares = 1;
                }
                return true;
            }
        }
    }

    /** Gives back what {@link #acquireOp} took; the last reference of a closing file closes it. */
    void releaseOp(boolean share) {
        if (share && --life.loopShares > 0) {
            return;
        }
        if (life.refs.decrementAndGet() == CLOSING) {
            finishClose();
        }
    }

    /** A loop-thread op leaves the loop thread's hands (handed over): its share becomes a reference of its own. */
    void shareToReference() {
        // The shares hold a reference until this returns, so the count cannot reach CLOSING meanwhile.
        life.refs.getAndIncrement();
        releaseOp(true);
    }

    private void finishClose() {
        Promise<Void> done = life.closed;
        Runnable close = () -> {
            if (fixedSlot >= 0) {
                core.unregisterFile(fixedSlot);
            }
            if (life.ownsFd) {
                FileIoCore.closeQuietly(fd);
            }
            done.trySuccess(null);
        };
        if (fixedSlot < 0) {
            close.run();
        } else if (!core.runOnLoop(close)) {
            // The loop and its ring are gone, and with them the registered slot.
            if (life.ownsFd) {
                FileIoCore.closeQuietly(fd);
            }
            done.trySuccess(null);
        }
    }

    // ---- shared ----

    private OpSlot claim(Target target) {
        return claim(target, null, null);
    }

    /** {@link #claim(Target)} for an op holding retained buffers: a refusal releases them first. */
    private OpSlot claim(Target target, ByteBuf buf, ByteBuf[] bufs) {
        OpSlot op = core.claim(this, target, blocking, buf, bufs);
        if (op != null) {
            op.fixedFile = fixedSlot >= 0;
            op.fd = fixedSlot >= 0 ? fixedSlot : fd;
        }
        return op;
    }

    private void submit(OpSlot op) {
        if (op != null) {
            core.submit(op);
        }
    }

    private void submit(OpSlot op, IoCallback callback, long tag) {
        if (op != null) {
            op.callback = callback;
            op.tag = tag;
            core.submit(op);
        }
    }

    private static Target user(Promise<?> promise) {
        return new Target.User(Objects.requireNonNull(promise, "promise"));
    }

    /** Checks the callback before anything is claimed: a null one must not leave a slot behind. */
    private static Target callbackTarget(IoCallback callback) {
        Objects.requireNonNull(callback, "callback");
        return Target.Callback.INSTANCE;
    }

    @Override
    public String toString() {
        return "IoUringFile[fd=" + fd + (fixedSlot >= 0 ? ", slot=" + fixedSlot : "") + (isDirect() ? ", O_DIRECT" : "")
                + (isOpen() ? "" : ", closed") + "]";
    }
}
