package io.i2o2.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded lock-free queue of {@code int}s for any number of producers and consumers (Dmitry Vyukov's
 * bounded MPMC queue): each cell carries a sequence number that says whose turn it is, so a producer and a
 * consumer never touch the same cell at once and nothing is allocated per element.
 *
 * <p>Its contract is MPMC ({@link #offer}, {@link #poll}); where one side of a queue has a single thread,
 * that side may use the CAS-free half instead ({@link #offerSingleProducer}: one producer, any consumers;
 * {@link #pollSingleConsumer}: one consumer, any producers), never mixed with its MPMC twin.
 *
 * <p>The loop's {@link OpTable} keeps its free slots (taken by submitting threads, given back by the loop) and
 * the slots submitted from other threads (offered by them, polled by the loop) in these, and so does each
 * {@link ProducerLane}, with one producer on each side but a stock's consumers. An offer
 * publishes with a release store of the cell's sequence and a poll reads it with an acquire load, so
 * whatever a producer wrote into the slot before offering its index is visible to the consumer after.
 */
final class MpmcIntQueue {
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(MpmcIntQueue.class, "tail", long.class);
            HEAD = l.findVarHandle(MpmcIntQueue.class, "head", long.class);
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
    MpmcIntQueue(int capacity) {
        int size = sizeFor(capacity);
        this.mask = size - 1;
        this.sequence = new long[size];
        this.values = new int[size];
        for (int i = 0; i < size; i++) {
            sequence[i] = i;
        }
    }

    /**
     * The array size of a ring of indexes that must hold {@code capacity} of them: the smallest power of two
     * at least that large (and at least 2), so positions wrap with a mask.
     */
    static int sizeFor(int capacity) {
        return Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    }

    /**
     * Appends {@code value}; false only when the queue really holds its capacity.
     *
     * <p>A cell still marked with the previous lap's value does not always mean full: a consumer may have
     * taken that value (moved {@code head}) and been preempted before marking the cell free, while the
     * others went on and producers came round the whole ring. Then this waits for that consumer instead
     * of refusing: callers that size the queue for every value they own (free lists) never see false.
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
                if (t - (long) HEAD.getVolatile(this) >= values.length) {
                    return false;
                }
                spins = backOff(spins);
            }
            t = (long) TAIL.getOpaque(this);
        }
    }

    /**
     * {@link #offer} for a queue with one producer: the same effect without the CAS on the tail, which only
     * that producer moves. Never call it from two threads, nor together with {@link #offer}. Waits (as
     * {@code offer} does) for a consumer that took the cell's previous value and has not yet marked it free.
     *
     * @return false only when the queue really holds its capacity
     */
    boolean offerSingleProducer(int value) {
        long t = (long) TAIL.getOpaque(this);
        int cell = (int) t & mask;
        for (int spins = 0; (long) SEQ.getAcquire(sequence, cell) != t; ) {
            if (t - (long) HEAD.getVolatile(this) >= values.length) {
                return false;
            }
            spins = backOff(spins);
        }
        values[cell] = value;
        SEQ.setRelease(sequence, cell, t + 1);
        // After the cell: a consumer that finds the cell not ready yet and reads this old tail sees "empty",
        // which is true at that moment; one that reads the new tail finds the cell ready.
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Removes the oldest value, or returns -1 when empty (values are never negative). */
    int poll() {
        long h = (long) HEAD.getOpaque(this);
        for (int spins = 0; ; ) {
            int cell = (int) h & mask;
            long seq = (long) SEQ.getAcquire(sequence, cell);
            long diff = seq - (h + 1);
            if (diff == 0) {
                if (HEAD.weakCompareAndSet(this, h, h + 1)) {
                    int value = values[cell];
                    SEQ.setRelease(sequence, cell, h + mask + 1);
                    return value;
                }
            } else if (diff < 0) {
                // The mirror image of offer's case: a producer may own this cell (tail moved past it) but not
                // have published it yet. Only a queue no producer has reached is empty.
                if ((long) TAIL.getVolatile(this) - h <= 0) {
                    return -1;
                }
                spins = backOff(spins);
            }
            h = (long) HEAD.getOpaque(this);
        }
    }

    /**
     * {@link #poll()} for a queue with one consumer: the same result without the CAS on the head, which only
     * the consumer moves. Never call it from two threads, nor together with {@link #poll()}.
     */
    int pollSingleConsumer() {
        long h = (long) HEAD.getOpaque(this);
        int cell = (int) h & mask;
        if ((long) SEQ.getAcquire(sequence, cell) != h + 1) {
            return -1;
        }
        int value = values[cell];
        HEAD.setRelease(this, h + 1);
        SEQ.setRelease(sequence, cell, h + mask + 1);
        return value;
    }

    /**
     * One round of waiting for another thread to finish its half of a cell: a spin hint, and every 64th
     * round a yield, so that a preempted thread on a busy machine gets the CPU it needs to finish.
     *
     * @return the rounds waited so far
     */
    private static int backOff(int spins) {
        if (++spins % 64 == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
        return spins;
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
