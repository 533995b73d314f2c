package io.i2o2.bench.peer;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Completion counts per slot, written by the loop thread (from an {@code IoCallback}) and awaited by one
 * benchmark thread, without allocating: the callback API's counterpart of waiting on a future. The waiter
 * spins for a moment, as the Future benchmarks do ({@code Producers.await}), then parks until the loop
 * completes the very slot it waits for: completions of other slots leave it asleep, as a future's
 * completion wakes only its own waiter (one wake-up per completion would measure futex calls instead).
 *
 * <p>The loop publishes a count with a release store, as the C peer's ring thread flags a slot done: a
 * volatile store (a full fence on x86) was 7% of the loop thread's time at 4,096 NOPs in flight, a cost of
 * this harness and of no API. Without the fence the loop may read the awaited slot before its count is
 * visible, and so miss a waiter that just went to sleep; the waiter therefore sleeps at most
 * {@link #PARK_NANOS} at a time: a missed wake-up costs that, never a hang. It is rare: a waiter parks only
 * after spinning, and the loop must complete its very slot in the few nanoseconds it takes to fall asleep.
 */
public final class SlotSignals {
    private static final int SPINS = 200;
    /** The longest sleep of a waiter before it looks again: what a missed wake-up can cost. */
    private static final long PARK_NANOS = 50_000;

    private final AtomicLongArray completed;
    /** The waiting thread: written before {@code awaited}, read after it, so the volatile publishes it. */
    private Thread waiter;
    /** The slot the waiter sleeps on, or -1. */
    private volatile int awaited = -1;

    /**
     * @param slots the number of slots
     */
    public SlotSignals(int slots) {
        this.completed = new AtomicLongArray(slots);
    }

    /**
     * Counts one completion of {@code slot} and wakes the waiter if it sleeps on that slot. Loop thread only
     * (one writer per slot).
     *
     * @param slot the slot
     */
    public void complete(int slot) {
        completed.setRelease(slot, completed.getPlain(slot) + 1);     // one writer: no read-modify-write
        if (awaited == slot) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Completions of {@code slot} so far.
     *
     * @param slot the slot
     * @return the count
     */
    public long completed(int slot) {
        return completed.get(slot);
    }

    /**
     * Waits until {@code slot} has completed at least {@code count} times. One waiting thread at a time.
     *
     * @param slot  the slot
     * @param count the completion count to wait for
     */
    public void await(int slot, long count) {
        int spins = Thread.currentThread().isVirtual() ? 0 : SPINS;
        for (int i = 0; i < spins; i++) {
            if (completed.get(slot) >= count) {
                return;
            }
            Thread.onSpinWait();
        }
        if (completed.get(slot) >= count) {
            return;
        }
        waiter = Thread.currentThread();
        awaited = slot;
        try {
            while (completed.get(slot) < count) {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        } finally {
            awaited = -1;
        }
    }
}
