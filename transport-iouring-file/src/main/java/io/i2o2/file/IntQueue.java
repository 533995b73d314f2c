package io.i2o2.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded lock-free queue of {@code int}s for any number of producers and consumers (Dmitry Vyukov's
 * bounded MPMC queue): each cell carries a sequence number that says whose turn it is, so a producer and a
 * consumer never touch the same cell at once and nothing is allocated per element.
 *
 * <p>The loop uses two: the free slots of its {@link OpTable} (taken by submitting threads, given back by
 * the loop) and the slots submitted from other threads (offered by them, polled by the loop). An offer
 * publishes with a release store of the cell's sequence and a poll reads it with an acquire load, so
 * whatever a producer wrote into the slot before offering its index is visible to the consumer after.
 */
final class IntQueue {
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(IntQueue.class, "tail", long.class);
            HEAD = l.findVarHandle(IntQueue.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    private final long[] sequence;
    private final int[] values;
    // Producers and consumers hammer different counters: keep them on different cache lines.
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;
    private volatile long tail;
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;
    private volatile long head;
    @SuppressWarnings("unused")
    private long p21, p22, p23, p24, p25, p26, p27;

    /** A queue holding up to {@code capacity} values, rounded up to a power of two. */
    IntQueue(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.mask = size - 1;
        this.sequence = new long[size];
        this.values = new int[size];
        for (int i = 0; i < size; i++) {
            sequence[i] = i;
        }
    }

    /**
     * Appends {@code value}; false only when the queue really holds its capacity.
     *
     * <p>A cell whose sequence lags one lap behind is not necessarily full: a consumer may have claimed it
     * (moved {@code head} past it) and not yet released it. Then this waits for that consumer instead of
     * reporting "full". The slot table and the buffer pool hand back values that must never be dropped, and
     * a consumer preempted between its two steps (a busy host) made exactly that happen.
     */
    boolean offer(int value) {
        long t = (long) TAIL.getOpaque(this);
        for (int spins = 0; ; ) {
            int cell = (int) t & mask;
            long seq = (long) SEQ.getAcquire(sequence, cell);
            long diff = seq - t;
            if (diff == 0) {
                if (TAIL.weakCompareAndSet(this, t, t + 1)) {
                    values[cell] = value;
                    SEQ.setRelease(sequence, cell, t + 1);
                    return true;
                }
            } else if (diff < 0) {
                if (t - head > mask) {
                    return false;       // full: no consumer has claimed the value a lap behind
                }
                // A consumer owns the cell and is about to release it: let it run, then look again.
                if (++spins < 64) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            t = (long) TAIL.getOpaque(this);
        }
    }

    /**
     * Removes the oldest value, or returns -1 when empty (values are never negative). May also return -1
     * for a moment while a producer is between claiming the next cell and filling it; {@link #isEmpty()} is
     * false then, which is how the loop knows not to sleep.
     */
    int poll() {
        long h = (long) HEAD.getOpaque(this);
        for (;;) {
            int cell = (int) h & mask;
            long seq = (long) SEQ.getAcquire(sequence, cell);
            long diff = seq - (h + 1);
            if (diff == 0) {
                if (HEAD.weakCompareAndSet(this, h, h + 1)) {
                    int value = values[cell];
                    SEQ.setRelease(sequence, cell, h + mask + 1);
                    return value;
                }
                h = (long) HEAD.getOpaque(this);
            } else if (diff < 0) {
                return -1;
            } else {
                h = (long) HEAD.getOpaque(this);
            }
        }
    }

    /** Whether the queue looks empty right now (exact when no one is offering or polling). */
    boolean isEmpty() {
        return head >= tail;
    }

    /** The number of values in the queue right now (approximate while others offer or poll). */
    int size() {
        long h = head;
        long t = tail;
        return (int) Math.max(0, t - h);
    }
}
