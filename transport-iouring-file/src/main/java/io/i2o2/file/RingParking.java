package io.i2o2.file;

import io.i2o2.uring.RingWaker;
import io.i2o2.uring.UringException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * When this library's ring sleeps and who wakes it: the loop parks in {@code io_uring_enter} only when no
 * work waits, and a thread that brings work wakes it only if it sleeps.
 *
 * <p>The protocol is one Dekker pair, with volatile accesses on both sides: the loop sets {@code parked},
 * then looks for handed-over ops and tasks; a submitter hands an op over (Netty: adds a task), then looks at
 * {@code parked}. At least one of them sees the other, so work is never left waiting for a sleeping loop, and
 * only the thread that flips {@code parked} back pays for a wake-up system call.
 */
final class RingParking {
    private static final System.Logger logger = System.getLogger(RingParking.class.getName());
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(RingParking.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EngineHost host;
    private final LoopCounters counters;
    @SuppressWarnings("unused")
    private volatile int parked;
    /** Set by Netty's wake-up for a task added from another thread; cleared at the start of each turn. */
    private volatile boolean taskAdded;
    /** Set on the loop thread before it ever parks; read by submitters only after they saw it parked. */
    private volatile RingWaker waker;

    RingParking(EngineHost host) {
        this.host = host;
        this.counters = host.table().counters;
    }

    /** The loop's waker, once the loop thread made it. */
    void waker(RingWaker w) {
        waker = w;
    }

    /** The loop's waker; null before the loop started. */
    RingWaker waker() {
        return waker;
    }

    /** Netty added a task from another thread: the loop must run it soon. */
    void taskAdded() {
        taskAdded = true;
        wakeIfParked();
    }

    /** Wakes the loop if, and only if, it is parked and nobody woke it yet. */
    void wakeIfParked() {
        if (parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
            counters.wakeupsSent.increment();
            try {
                waker.wake();
            } catch (UringException e) {
                logger.log(System.Logger.Level.ERROR, "could not wake " + host
                        + ": work waits until it wakes for another reason", e);
            }
        }
    }

    /** A new turn of the loop: tasks added so far will be run by Netty after it. */
    void newTurn() {
        taskAdded = false;
    }

    /** Whether queued or handed-over ops, or tasks, wait for the loop. */
    boolean hasWork() {
        return taskAdded || host.hasQueuedWork();
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
}
