package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

import java.util.Arrays;
import java.util.Objects;

/**
 * Many independent operations handed to the loop in one go, from any thread: one hand-over and one wake-up for
 * the whole batch, and on this library's ring as few {@code io_uring_enter} calls as the SQ allows (one when the
 * batch fits). Where a storage engine's query issues hundreds of reads at once, this is the call it makes.
 *
 * <pre>{@code
 * BatchedOps batch = io.batch();
 * IntFuture first = batch.read(file, dst1, 0);
 * IntFuture second = batch.read(other, dst2, 65536);
 * Future<Void> all = batch.submit();    // done when both reads are, each with its own result
 * }</pre>
 *
 * <p><b>Each op on its own.</b> Ops of a batch are not linked (ordered chains are {@link LinkedOps}): the kernel
 * may run them in any order and at once, and each has its own result, a failure failing nothing else. The
 * batch's future ({@link #submit()}) succeeds once every op has ended, whatever its result.
 *
 * <p><b>Admitted whole or refused whole.</b> Nothing is checked, retained or claimed before {@link #submit()}.
 * Then every op is checked and takes its slot of the loop's bound ({@link FileIo#maxInFlight()}); if one is
 * refused (a bad buffer, a closed file, no room for the whole batch, a shutdown) nothing of the batch runs and
 * nothing stays retained: the refused op's future fails with its reason, every other op's future with an
 * {@link IllegalStateException} naming it, and the batch's future with the reason; as a refused callback op is
 * thrown at its submitter, {@code submit()} of a batch holding callback ops throws it as well (no callback is
 * called). A refusal at the add itself (a file of another loop, a batch already as large as the bound) concerns
 * that op alone: its future fails, or the callback form throws, and the batch goes on without it.
 *
 * <p><b>Cancelling</b> the batch's future keeps every op not yet in the ring out of it (each completes with
 * {@code ECANCELED}: its future cancelled, its callback called with {@code -ECANCELED}); ops in the ring run to
 * their end. Every buffer stays pinned until its op is done, as for an op submitted alone.
 *
 * <p><b>What it costs.</b> The callback forms allocate nothing per op, and a batch object is reused: after
 * {@code submit()} it is empty and takes the next batch, so a steady stream of batches allocates one object per
 * batch, its future. The future forms allocate one future per op, as alone. Build a batch on one thread at a time.
 */
public final class BatchedOps {
    /** What an op of the batch is, until {@link #submit()} turns it into a filled slot. */
    private enum Kind { READ, WRITE, FSYNC, FDATASYNC, NOP }

    private final FileIoCore core;
    private int size;
    private Kind[] kinds = new Kind[16];
    private IoUringFile[] files = new IoUringFile[16];
    private ByteBuf[] bufs = new ByteBuf[16];
    private long[] offsets = new long[16];
    /** The future an op returned, or null for a callback op. */
    private IntPromise[] promises = new IntPromise[16];
    private IoCallback[] callbacks = new IoCallback[16];
    private long[] tags = new long[16];

    BatchedOps(FileIoCore core) {
        this.core = core;
    }

    /**
     * Adds a read ({@link IoUringFile#read(ByteBuf, long)}).
     *
     * @param file the file to read, of this batch's loop
     * @param dst where to read into: its writable bytes
     * @param offset the file offset in bytes
     * @return the byte count read, once the batch runs
     */
    public IntFuture read(IoUringFile file, ByteBuf dst, long offset) {
        return add(Kind.READ, file, Objects.requireNonNull(dst, "dst"), offset);
    }

    /**
     * Adds a read reporting to a callback, allocating nothing ({@link IoUringFile#read(ByteBuf, long, IoCallback, long)}).
     *
     * @param file the file to read, of this batch's loop
     * @param dst where to read into: its writable bytes
     * @param offset the file offset in bytes
     * @param callback called once on the loop thread with the byte count or {@code -errno}
     * @param tag passed back to {@code callback}
     * @throws IllegalArgumentException if the file is another loop's or the batch is as large as the loop's bound
     */
    public void read(IoUringFile file, ByteBuf dst, long offset, IoCallback callback, long tag) {
        add(Kind.READ, file, Objects.requireNonNull(dst, "dst"), offset, callback, tag);
    }

    /**
     * Adds a write ({@link IoUringFile#write(ByteBuf, long)}).
     *
     * @param file the file to write, of this batch's loop
     * @param src the bytes to write: its readable bytes
     * @param offset the file offset in bytes
     * @return the byte count written, once the batch runs
     */
    public IntFuture write(IoUringFile file, ByteBuf src, long offset) {
        return add(Kind.WRITE, file, Objects.requireNonNull(src, "src"), offset);
    }

    /**
     * Adds a write reporting to a callback, allocating nothing.
     *
     * @param file the file to write, of this batch's loop
     * @param src the bytes to write: its readable bytes
     * @param offset the file offset in bytes
     * @param callback called once on the loop thread with the byte count or {@code -errno}
     * @param tag passed back to {@code callback}
     * @throws IllegalArgumentException if the file is another loop's or the batch is as large as the loop's bound
     */
    public void write(IoUringFile file, ByteBuf src, long offset, IoCallback callback, long tag) {
        add(Kind.WRITE, file, Objects.requireNonNull(src, "src"), offset, callback, tag);
    }

    /**
     * Adds an {@code fsync}. Not ordered after the batch's writes: for that, link them ({@link LinkedOps}).
     *
     * @param file the file to sync, of this batch's loop
     * @return the sync's result, once the batch runs
     */
    public IntFuture fsync(IoUringFile file) {
        return add(Kind.FSYNC, file, null, 0);
    }

    /**
     * Adds an {@code fsync} reporting to a callback.
     *
     * @param file the file to sync, of this batch's loop
     * @param callback called once on the loop thread with 0 or {@code -errno}
     * @param tag passed back to {@code callback}
     * @throws IllegalArgumentException if the file is another loop's or the batch is as large as the loop's bound
     */
    public void fsync(IoUringFile file, IoCallback callback, long tag) {
        add(Kind.FSYNC, file, null, 0, callback, tag);
    }

    /**
     * Adds an {@code fdatasync}. Not ordered after the batch's writes: for that, link them ({@link LinkedOps}).
     *
     * @param file the file to sync, of this batch's loop
     * @return the sync's result, once the batch runs
     */
    public IntFuture fdatasync(IoUringFile file) {
        return add(Kind.FDATASYNC, file, null, 0);
    }

    /**
     * Adds an {@code fdatasync} reporting to a callback.
     *
     * @param file the file to sync, of this batch's loop
     * @param callback called once on the loop thread with 0 or {@code -errno}
     * @param tag passed back to {@code callback}
     * @throws IllegalArgumentException if the file is another loop's or the batch is as large as the loop's bound
     */
    public void fdatasync(IoUringFile file, IoCallback callback, long tag) {
        add(Kind.FDATASYNC, file, null, 0, callback, tag);
    }

    /**
     * Adds a no-op ({@link FileIo#nop()}).
     *
     * @return 0, once the batch runs
     */
    public IntFuture nop() {
        return add(Kind.NOP, null, null, 0);
    }

    /**
     * Adds a no-op reporting to a callback.
     *
     * @param callback called once on the loop thread with 0 or {@code -errno}
     * @param tag passed back to {@code callback}
     * @throws IllegalArgumentException if the batch is as large as the loop's bound
     */
    public void nop(IoCallback callback, long tag) {
        add(Kind.NOP, null, null, 0, callback, tag);
    }

    /**
     * How many ops the batch holds now.
     *
     * @return the ops added since the last {@link #submit()}
     */
    public int size() {
        return size;
    }

    private IntFuture add(Kind kind, IoUringFile file, ByteBuf buf, long offset) {
        IntPromise p = new IntPromise(core);
        RuntimeException refused = refusal(kind, file);
        if (refused != null) {
            p.setFailure(refused);
        } else {
            append(kind, file, buf, offset, p, null, 0);
        }
        return p;
    }

    private void add(Kind kind, IoUringFile file, ByteBuf buf, long offset, IoCallback callback, long tag) {
        Objects.requireNonNull(callback, "callback");
        RuntimeException refused = refusal(kind, file);
        if (refused != null) {
            throw refused;
        }
        append(kind, file, buf, offset, null, callback, tag);
    }

    /** Why this op cannot join the batch, or null; a null file (but a NOP's) throws at once. */
    private RuntimeException refusal(Kind kind, IoUringFile file) {
        if (kind != Kind.NOP && file == null) {
            throw new NullPointerException("file");
        }
        if (file != null && file.io() != core.api()) {
            return new IllegalArgumentException(file + " belongs to " + file.io() + ", not to this batch's " + core);
        }
        if (size == core.capacity()) {
            return new IllegalArgumentException("a batch cannot hold more ops than its loop takes at once ("
                    + core.capacity() + ", FileIo.maxInFlight())");
        }
        return null;
    }

    private void append(Kind kind, IoUringFile file, ByteBuf buf, long offset, IntPromise promise,
                        IoCallback callback, long tag) {
        if (size == kinds.length) {
            int n = size * 2;
            kinds = Arrays.copyOf(kinds, n);
            files = Arrays.copyOf(files, n);
            bufs = Arrays.copyOf(bufs, n);
            offsets = Arrays.copyOf(offsets, n);
            promises = Arrays.copyOf(promises, n);
            callbacks = Arrays.copyOf(callbacks, n);
            tags = Arrays.copyOf(tags, n);
        }
        kinds[size] = kind;
        files[size] = file;
        bufs[size] = buf;
        offsets[size] = offset;
        promises[size] = promise;
        callbacks[size] = callback;
        tags[size] = tag;
        size++;
    }

    /**
     * Checks, retains and claims every op, then hands the batch to the loop as one; if an op is refused, nothing
     * of the batch runs and nothing stays retained (see the class comment). The batch is empty afterwards and
     * takes the next ops.
     *
     * @return succeeds once every op has ended (each with its own result); fails with the reason if the batch was
     *         refused; cancelling it keeps the ops not yet in the ring out of it
     * @throws RuntimeException the refusal, when the batch was refused and holds callback ops
     */
    public Future<Void> submit() {
        int n = size;
        BatchPromise batch = new BatchPromise(core, n);
        if (n == 0) {
            batch.setSuccess(null);
            return batch;
        }
        OpSlot first = null;
        OpSlot last = null;
        RuntimeException refused = null;
        int refusedAt = -1;
        try {
            for (int i = 0; i < n; i++) {
                OpSlot op;
                try {
                    op = prepare(i);
                } catch (RuntimeException e) {
                    // A callback op's refusal is thrown (it has no promise to carry it).
                    refused = e;
                    refusedAt = i;
                    break;
                }
                if (op == null) {
                    Throwable cause = promises[i].cause();
                    refused = cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                    refusedAt = i;
                    break;
                }
                op.batch = batch;
                if (last == null) {
                    first = op;
                } else {
                    last.following = op.index;
                }
                last = op;
            }
            if (refused == null) {
                core.submitBatch(first);
                return batch;
            }
            return refuse(first, refused, refusedAt, batch);
        } finally {
            clear();
        }
    }

    /** Checks, retains and claims op {@code i} into a filled slot; null (its promise failed) or thrown if refused. */
    private OpSlot prepare(int i) {
        IntPromise promise = promises[i];
        IoCallback callback = callbacks[i];
        Target target = promise != null ? promise : Target.callback(callback);
        OpBuilder ops = files[i] != null ? files[i].ops().nonBlocking() : core.api().ops();
        OpSlot op = switch (kinds[i]) {
            case READ -> ops.prepareRead(bufs[i], offsets[i], target);
            case WRITE -> ops.prepareWrite(bufs[i], offsets[i], target);
            case FSYNC -> ops.prepareSimple(OpKind.FSYNC, 0, 0, 0, 0, target);
            case FDATASYNC -> ops.prepareSimple(OpKind.FDATASYNC, 0, 0, 0, 0, target);
            case NOP -> ops.prepareNop(target);
        };
        if (op != null && callback != null) {
            op.callback = callback;
            op.tag = tags[i];
        }
        return op;
    }

    /** Gives back what the batch's claimed ops took and fails it whole; throws when it holds callback ops. */
    private Future<Void> refuse(OpSlot first, RuntimeException cause, int refusedAt, BatchPromise batch) {
        for (OpSlot op = first; op != null; ) {
            OpSlot following = op.following >= 0 ? core.table.slot(op.following) : null;
            core.completer.discard(op);
            op = following;
        }
        IllegalStateException others = new IllegalStateException("batch not submitted: op " + refusedAt + " of "
                + size + " (" + kinds[refusedAt] + ") was refused", cause);
        boolean callbacksHeld = false;
        for (int i = 0; i < size; i++) {
            if (promises[i] != null) {
                promises[i].tryFailure(i == refusedAt ? cause : others);
            } else {
                callbacksHeld = true;
            }
        }
        batch.setFailure(cause);
        if (callbacksHeld) {
            throw cause;
        }
        return batch;
    }

    /** Empties the batch for the next ops, dropping every reference it held. */
    private void clear() {
        Arrays.fill(files, 0, size, null);
        Arrays.fill(bufs, 0, size, null);
        Arrays.fill(promises, 0, size, null);
        Arrays.fill(callbacks, 0, size, null);
        size = 0;
    }

    @Override
    public String toString() {
        return "BatchedOps[" + size + " ops on " + core + "]";
    }
}
