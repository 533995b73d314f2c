package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.Iovec;
import io.i2o2.uring.KernelTimespec;
import io.i2o2.uring.Linux;
import io.i2o2.uring.OpenHow;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.Sqe;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Turns an operation call into a filled slot on its way to the loop: checks the arguments, takes the op's
 * references to its buffers, claims a slot (with the file's reference), fills the slot as its {@link OpKind}
 * reads it, and submits it. The public {@link IoUringFile} and {@link FileIo} are one line over it per
 * method; {@link LinkedOps} chains what its {@code prepare} methods return.
 *
 * <p>One per file view (its {@link OpenFile} and whether submissions wait for room) and one per loop for the
 * ops on no open file ({@code file} null). Any thread.
 *
 * <p><b>What a refusal gives back.</b> A buffer is retained before anything looks at it ({@code retain()}
 * refuses a released one atomically, so a release on another thread lands wholly before or wholly after);
 * every check and address lookup then runs before the claim, and every refusal after the retain, whatever
 * throws, releases it, and after the claim also gives back the slot and the file's reference
 * ({@link #giveBack}). A refusal fails the op's {@link Target} (a callback's submitter gets it thrown).
 *
 * <p>Each op has a form that completes a {@link Target} and returns it (the public future and promise forms
 * return that, or its promise) and, for an {@code int} result, one that reports to an {@link IoCallback}.
 * The ops a chain can link also have a {@code prepare} method: the filled slot, not yet submitted, or null
 * when refused.
 *
 * <p>It asks the loop's core what the engine cannot run ({@link FileIoCore#lacks}) and never calls
 * up into the public classes.
 */
final class OpBuilder {
    /** Page-sized ranges only, and only advice that cannot destroy data the JVM still uses. */
    private static final Set<Integer> SAFE_MADVICE = Set.of(Linux.MADV_NORMAL, Linux.MADV_RANDOM,
            Linux.MADV_SEQUENTIAL, Linux.MADV_WILLNEED, Linux.MADV_COLD, Linux.MADV_POPULATE_READ);
    private static final long PAGE = 4096;
    private static final MemorySegment EMPTY_PATH = Arena.global().allocateFrom("");

    private final FileIoCore core;
    /** The file the ops work on; null for the loop's ops on no open file. */
    private final OpenFile file;
    private final boolean blocking;

    /** This builder, or its twin that never waits for room (a batch is admitted whole or refused at once). */
    private final OpBuilder nonBlocking;

    OpBuilder(FileIoCore core, OpenFile file, boolean blocking) {
        this.core = core;
        this.file = file;
        this.blocking = blocking;
        this.nonBlocking = blocking ? new OpBuilder(core, file, false) : this;
    }

    /** The builder of the same file whose claims never wait for room. */
    OpBuilder nonBlocking() {
        return nonBlocking;
    }

    /** Whether submissions wait for room when the loop is full ({@link IoUringFile#blocking()}). */
    boolean isBlocking() {
        return blocking;
    }

    /** The promise a future-returning {@code int} op completes. */
    IntPromise intPromise() {
        return new IntPromise(core);
    }

    /** The promise a future-returning op of another result completes. */
    <V> IoPromise<V> promise() {
        return new IoPromise<>(core);
    }

    // ---- read and write ----

    // The public methods call prepareTransfer and claim(target, buf, bufs) directly, not through the one-line
    // helpers the chains use: a submission from a completion callback runs deep below the loop's compilation
    // root, and each call level here pushed the claim further past C2's inlining depth (see FileIoCore#submit).

    <T extends Target> T read(ByteBuf dst, long offset, T target) {
        submit(prepareTransfer(Objects.requireNonNull(dst, "dst"), offset, target, true));
        return target;
    }

    void read(ByteBuf dst, long offset, IoCallback callback, long tag) {
        submit(prepareTransfer(Objects.requireNonNull(dst, "dst"), offset, Target.callback(callback), true),
                callback, tag);
    }

    <T extends Target> T write(ByteBuf src, long offset, T target) {
        submit(prepareTransfer(Objects.requireNonNull(src, "src"), offset, target, false));
        return target;
    }

    void write(ByteBuf src, long offset, IoCallback callback, long tag) {
        submit(prepareTransfer(Objects.requireNonNull(src, "src"), offset, Target.callback(callback), false),
                callback, tag);
    }

    <T extends Target> T readv(long offset, ByteBuf[] dsts, T target) {
        submit(prepareVectored(OpKind.READV, offset, dsts, target));
        return target;
    }

    void readv(long offset, ByteBuf[] dsts, IoCallback callback, long tag) {
        submit(prepareVectored(OpKind.READV, offset, dsts, Target.callback(callback)), callback, tag);
    }

    <T extends Target> T writev(long offset, ByteBuf[] srcs, T target) {
        submit(prepareVectored(OpKind.WRITEV, offset, srcs, target));
        return target;
    }

    void writev(long offset, ByteBuf[] srcs, IoCallback callback, long tag) {
        submit(prepareVectored(OpKind.WRITEV, offset, srcs, Target.callback(callback)), callback, tag);
    }

    <T extends Target> T readFixed(ByteBuf dst, long offset, T target) {
        submit(prepareFixed(dst, offset, target, true));
        return target;
    }

    void readFixed(ByteBuf dst, long offset, IoCallback callback, long tag) {
        submit(prepareFixed(dst, offset, Target.callback(callback), true), callback, tag);
    }

    <T extends Target> T writeFixed(ByteBuf src, long offset, T target) {
        submit(prepareFixed(src, offset, target, false));
        return target;
    }

    void writeFixed(ByteBuf src, long offset, IoCallback callback, long tag) {
        submit(prepareFixed(src, offset, Target.callback(callback), false), callback, tag);
    }

    /** A read or write that must use a registered buffer: refused if {@code buf} is not one. */
    private OpSlot prepareFixed(ByteBuf buf, long offset, Target target, boolean read) {
        if (!isRegistered(buf, target)) {
            return null;
        }
        return read ? prepareRead(buf, offset, target) : prepareWrite(buf, offset, target);
    }

    /** Whether {@code buf} lies in one of the loop's registered buffers; fails {@code target} if not. */
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
     * alive); its checks and address lookup then run in one pass before a slot is claimed, and each refusal
     * gives the reference back.
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
                length = ByteBufs.length(buf, read);
                bad = ByteBufs.checkTransfer(buf, read, offset, file);
                address = bad == null ? ByteBufs.address(buf, ByteBufs.start(buf, read)) : 0;
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
            return refuse(bad, buf, null, target);
        }
        OpSlot op = claim(target, buf, null);
        if (op == null) {
            return null;
        }
        if (registered != null) {
            op.transfer(read ? OpKind.READ_FIXED : OpKind.WRITE_FIXED, buf, address, length, offset);
            op.bufIndex = registered.index();
        } else {
            op.transfer(read ? OpKind.READ : OpKind.WRITE, buf, address, length, offset);
        }
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
        try {
            if (bad == null) {
                bad = ByteBufs.checkTransfers(bufs, read);
            }
            split = bad == null ? ByteBufs.split(bufs, read) : null;
            if (bad == null) {
                bad = ByteBufs.checkRegions(bufs, split, read, offset, file.isDirect() ? file : null);
            }
        } catch (RuntimeException e) {
            // A buffer whose own methods throw is refused like any other: the references still go back.
            bad = e;
        }
        if (bad != null) {
            return refuse(bad, null, bufs, target);
        }
        int regions = ByteBufs.regionCount(bufs, split);
        long bytes = (long) regions * Iovec.BYTES;
        MemorySegment memory = bytes <= OpTable.SCRATCH_BYTES ? null : Arena.ofAuto().allocate(bytes, 8);
        ByteBuf one = bufs.length == 1 ? bufs[0] : null;
        ByteBuf[] several = one == null ? bufs : null;
        OpSlot op = claim(target, one, several);
        if (op == null) {
            return null;
        }
        MemorySegment array = memory != null ? memory : op.scratch;
        ByteBufs.iovecs(bufs, split, read, offset, null, array);
        op.vectored(kind, one, several, array, memory, regions, offset);
        return op;
    }

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

    // ---- ops on the file without buffers ----

    <T extends Target> T fsync(T target) {
        submit(prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, target));
        return target;
    }

    void fsync(IoCallback callback, long tag) {
        submit(prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, Target.callback(callback)), callback, tag);
    }

    <T extends Target> T fdatasync(T target) {
        submit(prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, target));
        return target;
    }

    void fdatasync(IoCallback callback, long tag) {
        submit(prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, Target.callback(callback)), callback, tag);
    }

    <T extends Target> T syncFileRange(long offset, int length, int flags, T target) {
        submit(prepareSimple(OpKind.SYNC_FILE_RANGE, offset, length, flags, 0, target));
        return target;
    }

    void syncFileRange(long offset, int length, int flags, IoCallback callback, long tag) {
        submit(prepareSimple(OpKind.SYNC_FILE_RANGE, offset, length, flags, 0, Target.callback(callback)), callback,
                tag);
    }

    <T extends Target> T fallocate(int mode, long offset, long length, T target) {
        submit(prepareSimple(OpKind.FALLOCATE, offset, 0, mode, length, target));
        return target;
    }

    void fallocate(int mode, long offset, long length, IoCallback callback, long tag) {
        submit(prepareSimple(OpKind.FALLOCATE, offset, 0, mode, length, Target.callback(callback)), callback, tag);
    }

    <T extends Target> T fadvise(long offset, int length, int advice, T target) {
        submit(prepareSimple(OpKind.FADVISE, offset, length, advice, 0, target));
        return target;
    }

    void fadvise(long offset, int length, int advice, IoCallback callback, long tag) {
        submit(prepareSimple(OpKind.FADVISE, offset, length, advice, 0, Target.callback(callback)), callback, tag);
    }

    <T extends Target> T truncate(long length, T target) {
        submit(prepareTruncate(length, target));
        return target;
    }

    void truncate(long length, IoCallback callback, long tag) {
        submit(prepareTruncate(length, Target.callback(callback)), callback, tag);
    }

    /** An {@code ftruncate} to {@code length >= 0}, on a kernel that has {@code IORING_OP_FTRUNCATE}. */
    private OpSlot prepareTruncate(long length, Target target) {
        if (length < 0) {
            target.refuse(new IllegalArgumentException("length must be >= 0: " + length));
            return null;
        }
        if (!core.supports(Opcode.FTRUNCATE)) {
            target.refuse(new UnsupportedOperationException(lacks(Opcode.FTRUNCATE)));
            return null;
        }
        return prepareSimple(OpKind.FTRUNCATE, length, 0, 0, 0, target);
    }

    /** Why the kernel cannot run an opcode, naming the release that added it. */
    private static String lacks(int opcode) {
        return "this kernel lacks IORING_OP_" + Opcode.name(opcode) + " (added in Linux " + Opcode.since(opcode) + ")";
    }

    /** An op without buffers: {@code offset}, {@code len}, {@code arg}, {@code length} as {@link OpKind} says. */
    OpSlot prepareSimple(OpKind kind, long offset, int len, int arg, long length, Target target) {
        if (offset < 0 || len < 0 || length < 0) {
            target.refuse(new IllegalArgumentException(kind.opName()
                    + ": offset and length must be >= 0: " + offset + ", " + Math.max(len, length)));
            return null;
        }
        OpSlot op = claim(target, null, null);
        if (op != null) {
            op.range(kind, offset, len, arg, length);
        }
        return op;
    }

    /** {@code statx} of the open file. */
    <T extends Target> T stat(T target) {
        OpSlot op = claim(target, null, null);
        if (op != null) {
            // statx takes a directory descriptor, never a registered slot.
            op.fixedFile = false;
            op.statx(file.fd(), EMPTY_PATH.address(), Linux.AT_EMPTY_PATH, null);
        }
        submit(op);
        return target;
    }

    // ---- uring_cmd ----

    <T extends Target> T uringCmd(int cmdOp, ByteBuf data, boolean dataIn, UringCmdWriter writer, T target) {
        Objects.requireNonNull(writer, "writer");
        RuntimeException bad = core.uringCmdRefusal(cmdOp);
        if (bad == null && data != null) {
            bad = ByteBufs.retain(data);
        }
        if (bad != null) {
            target.refuse(bad);
            return target;
        }
        // From here on data, when given, is retained for the op: every refusal gives it back.
        long address = 0;
        int length = 0;
        FixedBuffer registered = null;
        if (data != null) {
            try {
                bad = ByteBufs.checkTransfer(data, dataIn);
                length = ByteBufs.length(data, dataIn);
                if (bad == null && data.nioBufferCount() == 1) {
                    address = ByteBufs.address(data, ByteBufs.start(data, dataIn));
                } else if (bad == null) {
                    // A composite whose used bytes may still lie in one of its components.
                    ByteBuffer[] regions = data.nioBuffers(ByteBufs.start(data, dataIn), length);
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
                refuse(bad, data, null, target);
                return target;
            }
        }
        OpSlot op = claim(target, data, null);
        if (op == null) {
            return target;
        }
        if (registered != null) {
            op.cmdFlags = Linux.IORING_URING_CMD_FIXED;
            op.bufIndex = registered.index();
        }
        Throwable failed = writeCommand(op, cmdOp, writer, address, length);
        if (failed != null) {
            giveBack(op, data, null, target, failed);
            return target;
        }
        op.buf = data;
        submit(op);
        return target;
    }

    <T extends Target> T uringCmdVectored(int cmdOp, ByteBuf[] data, boolean dataIn, UringCmdWriter writer,
                                          T target) {
        Objects.requireNonNull(writer, "writer");
        RuntimeException refused = core.uringCmdRefusal(cmdOp);
        if (refused != null) {
            Objects.requireNonNull(data, "data");
            target.refuse(refused);
            return target;
        }
        ByteBuf[] bufs = retainedCopy(data, "data", target);
        if (bufs == null) {
            return target;
        }
        RuntimeException bad;
        ByteBuffer[][] split = null;
        try {
            bad = ByteBufs.checkTransfers(bufs, dataIn);
            split = bad == null ? ByteBufs.split(bufs, dataIn) : null;
            if (bad == null) {
                bad = ByteBufs.checkRegions(bufs, split, dataIn, 0, null);
            }
        } catch (RuntimeException e) {
            bad = e;
        }
        if (bad != null) {
            refuse(bad, null, bufs, target);
            return target;
        }
        int regions = ByteBufs.regionCount(bufs, split);
        // The command image takes the scratch's first 80 bytes; a short iovec array fits after it.
        long room = OpTable.SCRATCH_BYTES - Sqe.URING_CMD_BYTES;
        long bytes = (long) regions * Iovec.BYTES;
        MemorySegment memory = bytes <= room ? null : Arena.ofAuto().allocate(bytes, 8);
        OpSlot op = claim(target, null, bufs);
        if (op == null) {
            return target;
        }
        MemorySegment iovecs = memory != null ? memory : op.scratch.asSlice(Sqe.URING_CMD_BYTES, room);
        ByteBufs.iovecs(bufs, split, dataIn, 0, null, iovecs);
        Throwable failed = writeCommand(op, cmdOp, writer, iovecs.address(), regions);
        if (failed != null) {
            giveBack(op, null, bufs, target, failed);
            return target;
        }
        op.memory = memory;
        op.bufs = bufs;
        submit(op);
        return target;
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

    // ---- ops on no open file ----

    <T extends Target> T nop(T target) {
        OpSlot op = claim(target, null, null);
        if (op != null) {
            op.kind = OpKind.NOP;
            core.submit(op);
        }
        return target;
    }

    /** A NOP's filled slot, not yet submitted (a batch's); null when refused. */
    OpSlot prepareNop(Target target) {
        OpSlot op = claim(target, null, null);
        if (op != null) {
            op.kind = OpKind.NOP;
        }
        return op;
    }

    void nop(IoCallback callback, long tag) {
        OpSlot op = claim(Target.callback(callback), null, null);
        if (op != null) {
            op.kind = OpKind.NOP;
            op.callback = callback;
            op.tag = tag;
            core.submit(op);
        }
    }

    <T extends Target> T open(Path path, Set<? extends OpenOption> options, int mode, T target) {
        int flags;
        MemorySegment name;
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        try {
            flags = openFlags(options);
            name = PathMemory.of(path);
        } catch (RuntimeException e) {
            target.refuse(e);
            return target;
        }
        OpSlot op = claim(target, null, null);
        if (op != null) {
            op.openat(options.contains(IoUringOpenOption.REGISTER) ? OpKind.OPENAT_REGISTERED : OpKind.OPENAT, name,
                    flags, mode, FileLife.opening(path.toString()));
        }
        submit(op);
        return target;
    }

    /** The {@code O_*} flags of an open's options; throws for one it cannot honour here (REGISTER without slots). */
    private int openFlags(Set<? extends OpenOption> options) {
        int flags = OpenFlags.of(options);
        if (options.contains(IoUringOpenOption.REGISTER)) {
            if (core.lacks(EngineFeature.FIXED_FILES)) {
                throw core.refusal(EngineFeature.FIXED_FILES);
            }
            if (!core.hasFixedFileSlots()) {
                throw new IllegalArgumentException(
                        "REGISTER needs registered-file slots: configure IoUringConfig.builder().fixedFileSlots(n)");
            }
        }
        return flags;
    }

    /**
     * An {@code openat2} of {@code relativePath} from {@code dir}, a file of any loop, completing with the new
     * file; the public form of {@link #openat2(OpenFile, int, String, int, int, long, boolean, boolean, Target)}.
     */
    <T extends Target> T openat2(OpenFile dir, String relativePath, Set<? extends OpenOption> options, int mode,
                                 Set<Resolve> resolve, T target) {
        Objects.requireNonNull(relativePath, "relativePath");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(resolve, "resolve");
        int flags;
        long bits;
        try {
            flags = openFlags(options);
            bits = Resolve.bits(resolve);
        } catch (RuntimeException e) {
            target.refuse(e);
            return target;
        }
        // The kernel refuses a mode without O_CREAT (EINVAL); open(2), and so open(Path...), ignores it.
        return openat2(dir, dir.fd(), relativePath, flags, (flags & Linux.O_CREAT) != 0 ? mode : 0, bits,
                options.contains(IoUringOpenOption.REGISTER), true, target);
    }

    /**
     * {@code openat2(dirFd, path, {flags, mode, resolve})}, completing with a file that owns its descriptor when
     * {@code ownsFd}. {@code dir}: the directory when it is one of our files (of any loop), else null; the op
     * then holds one of its op references, its own (never a loop-thread share: its loop may be another one), so
     * closing it meanwhile is safe.
     */
    <T extends Target> T openat2(OpenFile dir, int dirFd, String path, int flags, int mode, long resolve,
                                 boolean register, boolean ownsFd, T target) {
        if (!core.supports(Opcode.OPENAT2)) {
            // What the ring itself answers for an opcode it does not know.
            target.refuse(new FileIoException("openat2", Errno.EINVAL, dirFd, -1, lacks(Opcode.OPENAT2)));
            return target;
        }
        MemorySegment name;
        try {
            name = PathMemory.relative(path);
        } catch (IllegalArgumentException e) {
            target.refuse(e);
            return target;
        }
        if (dir != null && !dir.acquireOp(false)) {
            target.refuse(core.closed(dir));
            return target;
        }
        OpSlot op = claim(target, null, null);
        if (op == null) {
            if (dir != null) {
                dir.releaseOp(false);
            }
            return target;
        }
        op.openat2(register ? OpKind.OPENAT2_REGISTERED : OpKind.OPENAT2, dir, dirFd, name, flags,
                ownsFd ? FileLife.opening(path) : FileLife.wrapping(false));
        OpenHow.write(op.scratch, flags, mode, resolve);
        submit(op);
        return target;
    }

    /** An op on one path, or two ({@code second}, a rename's new path): {@code arg} as {@link OpKind} says. */
    <T extends Target> T pathOp(OpKind kind, Path path, Path second, int arg, T target) {
        MemorySegment paths;
        Objects.requireNonNull(path, "path");
        try {
            paths = second == null ? PathMemory.of(path) : PathMemory.of(path, second);
        } catch (RuntimeException e) {
            target.refuse(e);
            return target;
        }
        OpSlot op = claim(target, null, null);
        if (op != null) {
            if (kind == OpKind.STATX) {
                op.statx(Linux.AT_FDCWD, paths.address(), arg, paths);
            } else {
                op.paths(kind, paths, second == null ? 0 : paths.address() + PathMemory.secondOffset(paths), arg);
            }
        }
        submit(op);
        return target;
    }

    <T extends Target> T timeout(long delay, TimeUnit unit, T target) {
        submit(prepareTimer(OpKind.TIMEOUT, delay, unit, target));
        return target;
    }

    /** A timer of {@code kind}: {@code TIMEOUT}, or the {@code LINK_TIMEOUT} that bounds a chain's link before it. */
    OpSlot prepareTimer(OpKind kind, long delay, TimeUnit unit, Target target) {
        long nanos = unit.toNanos(delay);
        if (nanos < 0) {
            target.refuse(new IllegalArgumentException("delay must be >= 0: " + delay));
            return null;
        }
        OpSlot op = claim(target, null, null);
        if (op != null) {
            op.kind = kind;
            KernelTimespec.write(op.scratch, nanos);
        }
        return op;
    }

    <T extends Target> T madvise(MemorySegment memory, int advice, T target) {
        Objects.requireNonNull(memory, "memory");
        if (!SAFE_MADVICE.contains(advice)) {
            target.refuse(new IllegalArgumentException("madvise advice " + advice + " is not one of the safe ones "
                    + "(NORMAL, RANDOM, SEQUENTIAL, WILLNEED, COLD, POPULATE_READ)"));
        } else if (!memory.isNative()) {
            // A heap segment's address() is an offset into its array (0 for a whole one): page-aligned, and
            // meaningless to the kernel, which would answer ENOMEM for a range it does not map.
            target.refuse(new IllegalArgumentException("madvise needs native memory, not a heap segment: " + memory));
        } else if (memory.address() % PAGE != 0 || memory.byteSize() % PAGE != 0 || memory.byteSize() == 0
                || memory.byteSize() > Integer.MAX_VALUE) {
            target.refuse(new IllegalArgumentException("madvise needs whole pages: " + memory));
        } else if (!memory.scope().isAlive()) {
            target.refuse(new IllegalStateException("madvise on memory that is already freed"));
        } else {
            OpSlot op = claim(target, null, null);
            if (op != null) {
                op.madvise(memory.address(), (int) memory.byteSize(), advice);
            }
            submit(op);
        }
        return target;
    }

    <T extends Target> T submitRaw(SqeFiller filler, Object guard, T target) {
        if (filler == null) {
            // Not accepted: the guard was handed to us, so it is ours to give back.
            releaseGuard(guard);
            throw new NullPointerException("filler");
        }
        if (core.lacks(EngineFeature.RAW_SQES)) {
            releaseGuard(guard);
            target.refuse(core.refusal(EngineFeature.RAW_SQES));
            return target;
        }
        OpSlot op = claim(target, null, null);
        if (op == null) {
            releaseGuard(guard);
            return target;
        }
        op.kind = OpKind.RAW;
        op.filler = filler;
        if (guard instanceof ReferenceCounted rc) {
            op.guard = rc;
        } else if (guard instanceof AutoCloseable c) {
            op.closeable = c;
        }
        submit(op);
        return target;
    }

    private static void releaseGuard(Object guard) {
        try {
            if (guard instanceof ReferenceCounted rc) {
                rc.release();
            } else if (guard instanceof AutoCloseable c) {
                c.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("releasing the guard of a refused raw op failed", e);
        }
    }

    // ---- claim, submit, give back ----

    /**
     * A slot for the op, addressing the file (by its registered slot when it has one); or null, with the target
     * refused. For an op holding retained buffers ({@code buf}, {@code bufs}), a refusal releases them first.
     */
    private OpSlot claim(Target target, ByteBuf buf, ByteBuf[] bufs) {
        OpSlot op = core.claim(file, target, blocking, buf, bufs);
        if (op != null && file != null) {
            op.fixedFile = file.fixedSlot() >= 0;
            op.fd = file.sqeFd();
        }
        return op;
    }

    /** Refuses an op before its claim: gives back its retained buffers ({@code buf}, {@code bufs}), then fails the target. */
    private static OpSlot refuse(Throwable cause, ByteBuf buf, ByteBuf[] bufs, Target target) {
        ByteBufs.release(buf, bufs);
        target.refuse(cause);
        return null;
    }

    /** Refuses an op after its claim: gives back its slot and file reference, then what {@link #refuse} does. */
    private void giveBack(OpSlot op, ByteBuf buf, ByteBuf[] bufs, Target target, Throwable cause) {
        core.abandon(op);
        refuse(cause, buf, bufs, target);
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
}
