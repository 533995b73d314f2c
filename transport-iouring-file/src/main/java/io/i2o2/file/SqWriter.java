package io.i2o2.file;

import io.i2o2.uring.Ring;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.SqeFlags;
import io.i2o2.uring.SubmissionQueue;
import io.i2o2.uring.UringException;
import io.i2o2.uring.UserData;

/**
 * Writes the loop's ops into the SQs of this library's ring, on the loop thread: picks the ring of a chain
 * (on an IOPOLL loop, the polled ring for a chain that can be polled, the plain companion for any other),
 * makes room by submitting when the SQ is full, writes each link's entry, writes cancellations, and counts
 * the polled ops in flight (while any are, the loop polls and never sleeps).
 *
 * <p>A ring call that fails here cannot be thrown: the core is in the middle of writing ops and must leave
 * every one where the loop's death will find it (queued, carried or in the SQ). It is recorded, and the
 * loop dies of it at its next {@link #checkFailure}.
 */
final class SqWriter {
    private static final long CANCEL_USER_DATA = UserData.ofKind(UserData.KIND_CANCEL);

    private final OpTable table;
    /** The ring for everything (or, on an IOPOLL loop, for the polled ops only). */
    private final Ring ring;
    /** On an IOPOLL loop, the plain ring for every op that cannot be polled; else {@link #ring}. */
    private final Ring plain;
    /** Where the chain being written goes ({@link #reserve}), and whether that is the polled ring. */
    private Ring lane;
    private boolean lanePolled;
    /**
     * Polled ops in the polled ring whose CQE has not arrived: while any are, the loop polls and never sleeps
     * (with nothing else to do it waits in the kernel's poll loop for one of them: {@code RingIoHandler.mayWaitForPolled}).
     */
    private int polledInFlight;
    /** A ring call that failed where it could not be thrown; the loop dies of it. */
    private UringException failure;

    SqWriter(OpTable table, Ring ring, Ring companion) {
        this.table = table;
        this.ring = ring;
        this.plain = companion != null ? companion : ring;
        this.lane = plain;
    }

    /** An SQ's worth: the longest chain the rings take (links go into one SQ back to back). */
    int sqCapacity() {
        return Math.min(ring.sq().capacity(), plain.sq().capacity());
    }

    /** Whether the SQ of a chain's ring has an entry for each of its {@code links}, submitting first if needed. */
    boolean reserve(OpSlot head, int links) {
        lanePolled = plain != ring && allPollable(head);
        lane = lanePolled ? ring : plain;
        SubmissionQueue sq = lane.sq();
        return sq.hasRoomFor(links) || (submitQuietly(lane) >= 0 && sq.hasRoomFor(links));
    }

    /** Writes one link of the chain just {@link #reserve reserved} into its SQE. */
    void put(OpSlot op) {
        Sqe sqe = lane.sq().next();
        try {
            op.kind.encode(sqe, op);
        } catch (RuntimeException | Error e) {
            // Only a raw op's SqeFiller (user code, never part of a chain) throws here: the entry it may have
            // half written becomes a NOP whose CQE nobody claims, and the core fails the op.
            sqe.neutralize();
            throw e;
        }
        int flags = op.sqeFlags | (op.fixedFile ? SqeFlags.FIXED_FILE : 0) | (op.next >= 0 ? SqeFlags.IO_LINK : 0);
        if (flags != 0) {
            sqe.addFlags(flags);
        }
        sqe.userData(OpTable.userData(op));
        op.polled = lanePolled;
        if (lanePolled) {
            polledInFlight++;
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

    /** Asks the kernel to cancel an op in flight. */
    void cancel(OpSlot op) {
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

    /** Submits what the SQs hold (the cancellations just written), without waiting. */
    void submitAll() {
        submitQuietly(ring);
        if (plain != ring) {
            submitQuietly(plain);
        }
    }

    private int submitQuietly(Ring target) {
        try {
            return target.submit();
        } catch (UringException e) {
            if (failure == null) {
                failure = e;
            }
            return -1;
        }
    }

    /** Throws the recorded ring failure, if any: the loop then dies of it. */
    void checkFailure() throws UringException {
        if (failure != null) {
            throw failure;
        }
    }
}
