package io.i2o2.file;

/** Which of the loop's registered-file slots are free; loop thread only. */
final class FixedFileSlots {
    private final int[] free;
    private int count;

    FixedFileSlots(int capacity) {
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.count = capacity;
    }

    int capacity() {
        return free.length;
    }

    /** A free slot, or -1. */
    int take() {
        return count == 0 ? -1 : free[--count];
    }

    void give(int slot) {
        free[count++] = slot;
    }
}
