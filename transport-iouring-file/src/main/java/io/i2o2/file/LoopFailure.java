package io.i2o2.file;

import io.i2o2.uring.Ring;
import io.i2o2.uring.SetupFlag;
import io.i2o2.uring.UringException;
import io.i2o2.uring.UserData;

import java.util.List;

import java.util.concurrent.TimeUnit;

/**
 * How a loop dies when its ring fails: every op that never reached the kernel fails and releases what it
 * pinned, every op the kernel may still touch fails but stays pinned, and nothing submitted around the death
 * is left waiting.
 */
final class LoopFailure {
    private static final System.Logger logger = System.getLogger(LoopFailure.class.getName());

    private final RingCore core;
    /** The loop's rings: one, or an IOPOLL loop's polled ring and its plain companion. */
    private final List<Ring> rings;
    private final OpTable table;
    private final Submitter submitter;
    private final OpCompleter completer;
    private volatile Throwable failure;
    /** Set once {@link #die} is done: from then on, whoever hands an op over fails it (nobody else will). */
    private volatile boolean dead;
    /** A ring call that failed where it could not be thrown (writing SQEs, cancelling); the loop dies of it. */
    private UringException ringFailure;

    LoopFailure(RingCore core, List<Ring> rings, OpTable table, Submitter submitter, OpCompleter completer) {
        this.core = core;
        this.rings = rings;
        this.table = table;
        this.submitter = submitter;
        this.completer = completer;
    }

    /**
     * A ring call failed in a way the loop cannot recover from. Recorded, not thrown: the caller is in the
     * middle of writing SQEs or cancelling, and must leave every op where {@link #die} will find it (queued,
     * carried or in the SQ); the loop dies of it at its next {@link #check}.
     */
    void record(UringException e) {
        if (ringFailure == null) {
            ringFailure = e;
        }
    }

    /** Throws the recorded ring failure, if any: the loop then dies of it. */
    void check() throws UringException {
        if (ringFailure != null) {
            throw ringFailure;
        }
    }

    /**
     * The loop cannot go on. Ops that never reached the kernel fail and release what they pinned; ops the
     * kernel may still be working on fail too, but keep their memory pinned forever: a leak is the price of
     * never letting the kernel write into memory the JVM has reused.
     */
    void die(Throwable cause) {
        failure = cause;
        core.stopAccepting();
        logger.log(System.Logger.Level.ERROR, core + " failed; failing every pending operation", cause);
        int abandoned = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (OpSlot op; (op = submitter.takeUnwritten()) != null; ) {
            completer.fail(op, cause);
        }
        do {
            for (OpSlot op; (op = table.pollHandedOver()) != null; ) {
                completer.fail(op, cause);
            }
            try {
                for (Ring ring : rings) {
                    ring.reap(core, Integer.MAX_VALUE);
                }
            } catch (Throwable ignored) {
                // Only a best effort to let finished ops release their memory.
            }
        } while (table.inUse() > table.inFlight() && System.nanoTime() < deadline);
        for (Ring ring : rings) {
            if (!ring.flags().contains(SetupFlag.SQPOLL)) {
                // Nobody enters this ring again and no kernel thread polls it: what the kernel has not consumed
                // from the SQ never reached it, so it is released like a queued op instead of pinned for good.
                ring.sq().forEachUnconsumed(userData -> failNeverSubmitted(userData, cause));
            }
        }
        for (int i = 0; i < table.capacity(); i++) {
            OpSlot op = table.slot(i);
            if (op.isInFlight() && op.target != null) {
                completer.abandon(op, cause);
                abandoned++;
            }
        }
        if (abandoned > 0) {
            logger.log(System.Logger.Level.ERROR, core + ": " + abandoned
                    + " operations were in the kernel when it failed; their buffers stay pinned");
        }
        dead = true;
        failHandedOverAfterDeath();
    }

    private void failNeverSubmitted(long userData, Throwable cause) {
        if (UserData.kind(userData) != UserData.KIND_OP) {
            return;
        }
        OpSlot op = table.slot(UserData.index(userData));
        if (op.isInFlight() && op.generation == UserData.generation(userData)) {
            // Each link of a chain has its own SQE here: fail them one by one.
            op.next = -1;
            completer.fail(op, cause);
        }
    }

    /** Whether the loop has started dying. */
    boolean hasFailed() {
        return failure != null;
    }

    /** Whether the loop died and no longer takes ops off the hand-over queue. */
    boolean isDead() {
        return dead;
    }

    /**
     * Fails what was handed over after the loop died: a thread that claimed a slot just before the death and
     * handed it over after {@link #die} finished would otherwise wait for ever. Both sides call this after
     * their volatile write ({@code dead}, or the hand-over), so one of them sees the op; a hand-over still
     * being published is waited for. Any thread.
     */
    void failHandedOverAfterDeath() {
        Throwable cause = failure;
        for (;;) {
            OpSlot op = table.pollHandedOverConcurrently();
            if (op != null) {
                completer.fail(op, cause);
            } else if (table.hasHandedOver()) {
                Thread.onSpinWait();
            } else {
                return;
            }
        }
    }
}
