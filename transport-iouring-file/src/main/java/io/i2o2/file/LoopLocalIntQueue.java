package io.i2o2.file;

/**
 * A bounded FIFO of {@code int}s for one thread only (the loop's): no atomics, no fences, nothing allocated
 * per element. The loop queues here the ops it submits itself until its next drain. The caller sizes it for
 * every value it can hold at once (each slot of a table at most once), so it never overflows.
 */
final class LoopLocalIntQueue {
    private final int[] values;
    private final int mask;
    private int head;
    private int tail;

    /** A queue for up to {@code capacity} values (rounded up to a power of two). */
    LoopLocalIntQueue(int capacity) {
        this.values = new int[MpmcIntQueue.sizeFor(capacity)];
        this.mask = values.length - 1;
    }

    /** Appends {@code value}. */
    void offer(int value) {
        values[tail++ & mask] = value;
    }

    /** Removes the oldest value, or returns -1 when empty (values are never negative). */
    int poll() {
        return head == tail ? -1 : values[head++ & mask];
    }

    /** How many values wait. */
    int size() {
        return tail - head;
    }

    boolean isEmpty() {
        return head == tail;
    }
}
