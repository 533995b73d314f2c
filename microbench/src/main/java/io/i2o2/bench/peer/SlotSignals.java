package io.i2o2.bench.peer;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Completion counts per slot, written by the loop thread (from an {@code IoCallback}) and awaited by one
 * benchmark thread, without allocating: the callback API's counterpart of waiting on a future. The waiter
 * spins for a moment, as the Future benchmarks do ({@code Producers.await}), then parks until the loop
 * unparks it.
 *
 * <p>The count and the waiter field are both volatile: the loop writes the count then reads the waiter,
 * the waiter writes itself then reads the count, so one of them always sees the other and no wake-up is
 * lost.
 */
public final class SlotSignals {
    private static final int SPINS = 200;

    private final AtomicLongArray completed;
    private volatile Thread waiter;

    /**
     * @param slots the number of slots
     */
    public SlotSignals(int slots) {
        this.completed = new AtomicLongArray(slots);
    }

    /**
     * Counts one completion of {@code slot} and wakes the waiter if it sleeps. Loop thread only (one writer
     * per slot).
     *
     * @param slot the slot
     */
    public void complete(int slot) {
        completed.set(slot, completed.get(slot) + 1);
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
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
        for (int i = 0; i < SPINS; i++) {
            if (completed.get(slot) >= count) {
                return;
            }
            Thread.onSpinWait();
        }
        waiter = Thread.currentThread();
        try {
            while (completed.get(slot) < count) {
                LockSupport.park(this);
            }
        } finally {
            waiter = null;
        }
    }
}
