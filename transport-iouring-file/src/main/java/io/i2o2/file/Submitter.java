package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingWaker;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.SqeFlags;
import io.i2o2.uring.SubmissionQueue;
import io.i2o2.uring.UringException;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The way of an operation from the thread that submits it into the ring: claim a slot, hand it to the
 * loop (or, on the loop's own thread, write it straight into an SQE), wake the loop only if it sleeps.
 *
 * <p>The wake-up protocol is one Dekker pair, with volatile accesses on both sides: the loop sets
 * {@code parked}, then looks for handed-over ops; a submitter hands an op over, then looks at
 * {@code parked}. At least one of them sees the other, so an op is never left waiting for a sleeping
 * loop, and only the submitter that flips {@code parked} back pays for a wake-up system call.
 * Shutdown uses the same shape with {@code accepting} and the table's free list.
 */
final class Submitter {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Submitter.class);
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(Submitter.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoUringEventLoop loop;
    private final OpTable table;
    private final Ring ring;
    private final SubmissionQueue sq;
    private final OpCompleter completer;
    /** Set on the loop thread before it ever parks; read by submitters only after they saw it parked. */
    private volatile RingWaker waker;
    private volatile boolean accepting = true;
    @SuppressWarnings("unused")
    private volatile int parked;
    /** A handed-over op that found no room in the SQ; first in line next time. Loop thread. */
    private OpSlot carried;
    /** Ops in SQEs whose CQE has not arrived. Loop thread. */
    private int inFlight;

    Submitter(IoUringEventLoop loop, OpTable table, Ring ring, OpCompleter completer) {
        this.loop = loop;
        this.table = table;
        this.ring = ring;
        this.sq = ring.sq();
        this.completer = completer;
    }

    void setWaker(RingWaker waker) {
        this.waker = waker;
    }

    // ---- any thread ----

    /**
     * A slot for a new op on {@code file} (null for none), holding one of the file's op references; or null
     * when the loop is shutting down, the table is full or the file closed ({@link #refusal} says which).
     */
    OpSlot claim(IoUringFile file) {
        if (!isAccepting()) {
            return null;
        }
        OpSlot op = table.claim();
        if (op == null) {
            return null;
        }
        // Re-check after claiming: the loop stops accepting, then waits for claimed slots to come home. The
        // loop itself cannot race its own shutdown, so its submissions skip the second look.
        if ((!loop.inEventLoop() && !isAccepting()) || (file != null && !file.acquireOp())) {
            table.unclaim(op);
            return null;
        }
        op.file = file;
        return op;
    }

    /** Why {@link #claim} just returned null. */
    RuntimeException refusal(IoUringFile file) {
        if (!isAccepting()) {
            return new java.util.concurrent.RejectedExecutionException(loop + " is shutting down or shut down");
        }
        if (file != null && !file.isOpen()) {
            return new ClosedFileException(file + " is closed");
        }
        return new IoUringOverloadedException(loop + " holds its maximum of " + table.capacity()
                + " operations (queued and in flight); retry later or raise IoUringConfig.maxInFlight");
    }

    /** Gives back a claimed slot whose op was abandoned before submission, with its file reference. */
    void abandon(OpSlot op) {
        IoUringFile file = op.file;
        table.unclaim(op);
        if (file != null) {
            file.releaseOp();
        }
    }

    /** Submits a filled op (the head of a chain): straight into the SQ on the loop thread, else handed over. */
    void submit(OpSlot op) {
        // A dying loop takes nothing into the SQ: queued, the op is failed by die() or whoever comes after it.
        if (loop.inEventLoop() && carried == null && !loop.hasFailed() && encodeChain(op)) {
            return;
        }
        table.handOver(op);
        if (loop.isDead()) {
            loop.failHandedOverAfterDeath();
        } else {
            wakeIfParked();
        }
    }

    /** Wakes the loop if, and only if, it is parked and nobody woke it yet. */
    void wakeIfParked() {
        if (parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
            try {
                waker.wake();
            } catch (UringException e) {
                logger.error("could not wake {}: work waits until it wakes for another reason", loop, e);
            }
        }
    }

    // ---- loop thread ----

    /** The op waiting for SQ room, taken away (the loop is dying and fails it). Loop thread. */
    OpSlot takeCarried() {
        OpSlot op = carried;
        carried = null;
        return op;
    }

    /** Writes handed-over ops into SQEs until none is left or the SQ is full; returns how many. */
    int drain() {
        int n = 0;
        for (;;) {
            OpSlot op = carried != null ? carried : table.pollHandedOver();
            if (op == null) {
                return n;
            }
            carried = null;
            if (isCancelled(op.target)) {
                completeChainWithoutKernel(op, -Errno.ECANCELED);
                n++;
                continue;
            }
            if (!encodeChain(op)) {
                carried = op;
                return n;
            }
            n++;
        }
    }

    private static boolean isCancelled(Object target) {
        return target instanceof Future<?> f && f.isCancelled();
    }

    private void completeChainWithoutKernel(OpSlot head, int res) {
        for (OpSlot op = head; op != null; ) {
            OpSlot next = op.next >= 0 ? table.slot(op.next) : null;
            completer.finish(op, res, 0, 0);
            op = next;
        }
    }

    /** Writes a chain's SQEs back to back; false (nothing written) when the SQ has no room even after submit. */
    private boolean encodeChain(OpSlot head) {
        if (head.next >= 0 && !roomFor(head)) {
            return false;
        }
        for (OpSlot op = head; ; op = table.slot(op.next)) {
            Sqe sqe = sq.next();
            if (sqe == null && (submitQuietly() < 0 || (sqe = sq.next()) == null)) {
                // Only a single op gets here (a chain checked its room first): it stays for the next turn.
                return false;
            }
            try {
                op.kind.encode(sqe, op);
            } catch (RuntimeException | Error e) {
                // Only a raw op's SqeFiller (user code, never part of a chain) throws here: its op fails, the
                // loop goes on, and the entry it may have half written becomes a NOP whose CQE nobody claims.
                sqe.prepNop().flags(0).ioprio(0).opFlags(0).bufIndex(0).personality(0).fileIndex(0).addr3(0)
                        .userData(0);
                completer.fail(op, e);
                return true;
            }
            int flags = op.sqeFlags | (op.fixedFile ? SqeFlags.FIXED_FILE : 0) | (op.next >= 0 ? SqeFlags.IO_LINK : 0);
            if (flags != 0) {
                sqe.addFlags(flags);
            }
            sqe.userData(OpTable.userData(op));
            op.state = OpSlot.IN_FLIGHT;
            inFlight++;
            if (op.next < 0) {
                return true;
            }
        }
    }

    /** Whether the SQ has an entry for every link of a chain, submitting first if needed: links go back to back. */
    private boolean roomFor(OpSlot head) {
        int links = 1;
        for (OpSlot op = head; op.next >= 0; op = table.slot(op.next)) {
            links++;
        }
        return sq.space() >= links || (submitQuietly() >= 0 && sq.space() >= links);
    }

    private int submitQuietly() {
        try {
            return ring.submit();
        } catch (UringException e) {
            loop.ringFailed(e);
            return -1;
        }
    }

    /** Asks the kernel to cancel an in-flight op; queued ones are dropped by {@link #drain} instead. */
    void cancel(int index, int generation) {
        OpSlot op = table.slot(index);
        if (op.generation != generation || op.state != OpSlot.IN_FLIGHT) {
            return;
        }
        Sqe sqe = sq.next();
        if (sqe == null && submitQuietly() >= 0) {
            sqe = sq.next();
        }
        if (sqe != null) {
            sqe.prepCancel(OpTable.userData(op), 0).userData(OpTable.KIND_CANCEL << 60);
        }
    }

    /** Cancels every op in flight (graceful shutdown ran out of time). */
    void cancelAllInFlight() {
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.state == OpSlot.IN_FLIGHT) {
                cancel(i, op.generation);
            }
        }
        submitQuietly();
    }

    void opCompleted() {
        inFlight--;
    }

    int inFlight() {
        return inFlight;
    }

    /**
     * Announces the loop is about to wait in the kernel.
     *
     * @return false if work arrived meanwhile (the loop must not wait)
     */
    boolean prepareToPark() {
        PARKED.setVolatile(this, 1);
        if (carried != null || table.hasHandedOver()) {
            PARKED.setVolatile(this, 0);
            return false;
        }
        return true;
    }

    /** The loop is awake again. */
    void unparked() {
        PARKED.setOpaque(this, 0);
    }

    /** Refuses new ops from now on; those already claimed still run. */
    void stopAccepting() {
        if (accepting) {
            accepting = false;
            table.signalRoom(true);
        }
    }

    /** Whether new ops are taken: not once a shutdown has begun, even before the loop noticed it. */
    boolean isAccepting() {
        return accepting && !loop.isShuttingDown();
    }

    /** Whether every op ever claimed has completed. */
    boolean drained() {
        return carried == null && table.inUse() == 0;
    }
}
