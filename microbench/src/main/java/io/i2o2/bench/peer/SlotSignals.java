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
 * <p>The count and the awaited slot are both volatile: the loop writes the count then reads the awaited
 * slot, the waiter writes the slot then reads the count, so one of them always sees the other and no
 * wake-up is lost. The volatile store is a full fence on x86, 7% of the loop thread at 4,096 NOPs in
 * flight; a release store with waiters parking at most 50 us instead (a missed wake-up bounded, not
 * excluded) was tried on 2026-12-02 and undone: 64 producers and 1,024 virtual threads then woke 20,000
 * times a second each, and the callback rows fell to 0.2-0.5x of their figures.
 */
public final class SlotSignals {
    private static final int SPINS = 200;

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
        completed.set(slot, completed.get(slot) + 1);
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
                LockSupport.park(this);
            }
        } finally {
            awaited = -1;
        }
    }
}
