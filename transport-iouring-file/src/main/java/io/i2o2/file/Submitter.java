package io.i2o2.file;

import io.i2o2.uring.Ring;
import io.i2o2.uring.RingWaker;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.SqeFlags;
import io.i2o2.uring.SubmissionQueue;
import io.i2o2.uring.UringException;
import io.i2o2.uring.UserData;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The way of an operation from the thread that submits it into this library's ring: hand it to the loop
 * (or, on the loop's own thread, queue it for the loop's next drain), and wake the loop only if it sleeps.
 *
 * <p>Why the loop's own ops wait for the drain rather than go into an SQE inside the call that submits them:
 * such a call usually runs inside a completion (a callback or listener that submits the next op), and the
 * SQE stores then sit 11 to 14 calls below the JIT's compilation root, where the FFM accesses that write
 * the entry (7 or 8 calls deep of their own) no longer fit C2's inlining depth (15): they stayed calls, with
 * their bounds and alignment checks, in the JVMs that compiled the completion path as the root
 * (LogCompilation, 2026-12-02: "inlining too deep" on {@code Unsafe.putIntUnaligned} and
 * {@code NativeMemorySegmentImpl.maxAlignMask}), and NOPs on the loop thread ran at 5.4-6.9 M/s there
 * against 7.9-8.9 M/s in the others. The drain is a few calls below the loop's turn whatever the JIT picks.
 * The ops reach the kernel in the same {@code io_uring_enter} as before: the drain comes before it.
 *
 * <p>The wake-up protocol is one Dekker pair, with volatile accesses on both sides: the loop sets
 * {@code parked}, then looks for handed-over ops and tasks; a submitter hands an op over (Netty: adds a
 * task), then looks at {@code parked}. At least one of them sees the other, so work is never left waiting
 * for a sleeping loop, and only the thread that flips {@code parked} back pays for a wake-up system call.
 */
final class Submitter {
    private static final System.Logger logger = System.getLogger(Submitter.class.getName());
    private static final VarHandle PARKED;
    private static final long CANCEL_USER_DATA = UserData.ofKind(UserData.KIND_CANCEL);

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(Submitter.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingCore core;
    private final OpTable table;
    /** The ring for everything (or, on an IOPOLL loop, for the polled ops only). */
    private final Ring ring;
    /** On an IOPOLL loop, the plain ring for every op that cannot be polled; else {@link #ring}. */
    private final Ring plain;
    private final OpCompleter completer;
    /**
     * Polled ops in the polled ring whose CQE has not arrived: while any are, the loop polls and never sleeps
     * (with nothing else to do it waits in the kernel's poll loop for one of them: {@code RingCore.mayWaitForPolled}).
     */
    private int polledInFlight;
    @SuppressWarnings("unused")
    private volatile int parked;
    /** Set by Netty's wake-up for a task added from another thread; cleared at the start of each turn. */
    private volatile boolean taskAdded;
    /** A handed-over op that found no room in the SQ; first in line next time. Loop thread. */
    private OpSlot carried;
    /** Ops (chain heads) the loop thread submitted itself, in order, for the next {@link #drain}. Loop thread. */
    private final int[] local;
    private final int localMask;
    private int localHead;
    private int localTail;
    /**
     * Queued ops of its own at which the loop drains at once: an SQ's worth. A task that submits more than
     * that and then keeps the loop (or a callback submitting a burst) gets all but the last SQ's worth into
     * the kernel right away, as when every op went straight into the SQ (submitted whenever full).
     */
    private final int drainAt;
    /**
     * Whether {@link #drain} is running: a raw op's filler (user code, called while its entry is being written)
     * may submit on the loop thread, and a drain nested in it would move the one SQE writer under its feet.
     */
    private boolean draining;

    Submitter(RingCore core, OpTable table, Ring ring, Ring companion, OpCompleter completer) {
        this.core = core;
        this.table = table;
        this.ring = ring;
        this.plain = companion != null ? companion : ring;
        this.completer = completer;
        // Every slot is in this queue at most once: it never holds more than the table.
        this.local = new int[IntQueue.sizeFor(table.capacity())];
        this.localMask = local.length - 1;
        this.drainAt = Math.min(this.ring.sq().capacity(), this.plain.sq().capacity());
    }

    // ---- any thread ----

    /** Submits a filled op (the head of a chain): queued for the next drain on the loop thread, else handed over. */
    void submit(OpSlot op) {
        // A dying loop queues nothing of its own: handed over, the op is failed by die() or whoever comes after it.
        if (core.inEventLoop() && !core.hasFailed()) {
            op.queued();
            local[localTail++ & localMask] = op.index;
            if (localTail - localHead >= drainAt && !draining) {
                drain();
            }
            return;
        }
        table.handOver(op);
        if (core.isDead()) {
            core.failHandedOverAfterDeath();
        } else {
            wakeIfParked();
        }
    }

    /** Netty added a task from another thread: the loop must run it soon. */
    void taskAdded() {
        taskAdded = true;
        wakeIfParked();
    }

    /** Wakes the loop if, and only if, it is parked and nobody woke it yet. */
    private void wakeIfParked() {
        if (parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
            table.counters.wakeupsSent.increment();
            RingWaker waker = core.waker();
            try {
                waker.wake();
            } catch (UringException e) {
                logger.log(System.Logger.Level.ERROR, "could not wake " + core
                        + ": work waits until it wakes for another reason", e);
            }
        }
    }

    // ---- loop thread ----

    /**
     * The next op taken in but not written into an SQE, taken away (the loop is dying and fails them): the one
     * waiting for SQ room, then the loop's own queued ones; null when none is left.
     */
    OpSlot takeUnwritten() {
        OpSlot op = carried;
        carried = null;
        return op != null ? op : pollLocal();
    }

    private OpSlot pollLocal() {
        return localHead == localTail ? null : table.slot(local[localHead++ & localMask]);
    }

    /**
     * Writes queued ops into SQEs until none is left or the SQ is full, in order: the one that last found no
     * room, the loop's own, then those handed over; returns how many.
     */
    int drain() {
        draining = true;
        try {
            int n = 0;
            for (;;) {
                OpSlot op = takeUnwritten();
                if (op == null && (op = table.pollHandedOver()) == null) {
                    return n;
                }
                if (!encodeChain(op)) {
                    carried = op;
                    return n;
                }
                n++;
            }
        } finally {
            draining = false;
        }
    }

    /**
     * Writes a chain's SQEs back to back; false (nothing written, nothing decided) when the SQ has no room
     * even after submitting. True when the chain is dealt with: in the SQ, or completed without the kernel.
     */
    private boolean encodeChain(OpSlot head) {
        boolean polled = plain != ring && allPollable(head);
        Ring target = polled ? ring : plain;
        if (!roomFor(head, target)) {
            return false;
        }
        if (!core.admit(head)) {
            return true;
        }
        for (OpSlot op = head; ; op = table.slot(op.next)) {
            Sqe sqe = target.sq().next();
            try {
                op.kind.encode(sqe, op);
            } catch (RuntimeException | Error e) {
                // Only a raw op's SqeFiller (user code, never part of a chain) throws here: its op fails, the
                // loop goes on, and the entry it may have half written becomes a NOP whose CQE nobody claims.
                sqe.neutralize();
                completer.fail(op, e);
                return true;
            }
            int flags = op.sqeFlags | (op.fixedFile ? SqeFlags.FIXED_FILE : 0) | (op.next >= 0 ? SqeFlags.IO_LINK : 0);
            if (flags != 0) {
                sqe.addFlags(flags);
            }
            sqe.userData(OpTable.userData(op));
            table.markInFlight(op);
            op.polled = polled;
            if (polled) {
                polledInFlight++;
            }
            if (op.next < 0) {
                return true;
            }
        }
    }

    /** Whether every link of a chain can go to the polled ring (one that cannot takes the chain to the plain one). */
    private boolean allPollable(OpSlot head) {
        for (OpSlot op = head; ; op = table.slot(op.next)) {
            if (!op.kind.pollable(op)) {
                return false;
            }
            if (op.next < 0) {
                return true;
            }
        }
    }

    /** A polled op's CQE arrived. */
    void polledCompleted() {
        polledInFlight--;
    }

    /** Whether polled ops are in flight: the loop must keep polling for them instead of sleeping. */
    boolean polling() {
        return polledInFlight > 0;
    }

    /** Whether the SQ has an entry for every link of a chain, submitting first if needed: links go back to back. */
    private boolean roomFor(OpSlot head, Ring target) {
        int links = 1;
        for (OpSlot op = head; op.next >= 0; op = table.slot(op.next)) {
            links++;
        }
        SubmissionQueue sq = target.sq();
        return sq.hasRoomFor(links) || (submitQuietly(target) >= 0 && sq.hasRoomFor(links));
    }

    private int submitQuietly(Ring target) {
        try {
            return target.submit();
        } catch (UringException e) {
            core.ringFailed(e);
            return -1;
        }
    }

    /** Asks the kernel to cancel an in-flight op; queued ones are dropped by {@link #drain} instead. */
    void cancel(int index, int generation) {
        OpSlot op = table.slot(index);
        if (op.generation != generation || !op.isInFlight()) {
            return;
        }
        if (op.polled) {
            // A cancellation is not pollable, and one on the plain ring cannot reach the polled ring's
            // requests: a polled op is not cancelled; it completes on its own, in microseconds.
            return;
        }
        SubmissionQueue sq = plain.sq();
        Sqe sqe = sq.next();
        if (sqe == null && submitQuietly(plain) >= 0) {
            sqe = sq.next();
        }
        if (sqe != null) {
            sqe.prepCancel(OpTable.userData(op), 0).userData(CANCEL_USER_DATA);
        }
    }

    /** Cancels every op in flight (graceful shutdown ran out of time). */
    void cancelAllInFlight() {
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.isInFlight()) {
                cancel(i, op.generation);
            }
        }
        submitQuietly(ring);
        if (plain != ring) {
            submitQuietly(plain);
        }
    }

    /** A new turn of the loop: tasks added so far will be run by Netty after it. */
    void newTurn() {
        taskAdded = false;
    }

    /** Whether queued or handed-over ops, or tasks, wait for the loop. */
    boolean hasWork() {
        return carried != null || localHead != localTail || taskAdded || table.hasHandedOver();
    }

    /**
     * Announces the loop is about to wait in the kernel.
     *
     * @return false if work arrived meanwhile (the loop must not wait)
     */
    boolean prepareToPark() {
        PARKED.setVolatile(this, 1);
        if (hasWork()) {
            PARKED.setVolatile(this, 0);
            return false;
        }
        return true;
    }

    /** The loop is awake again. */
    void unparked() {
        PARKED.setOpaque(this, 0);
    }

    /** Whether every op ever claimed has completed. */
    boolean drained() {
        return carried == null && table.inUse() == 0;
    }
}
