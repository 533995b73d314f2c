package io.i2o2.file;

import java.util.function.Function;

/**
 * The {@link ProducerLane}s of one loop: a lane per platform thread that submits from outside the loop, up to a
 * fixed number; the loop polls them in turn. Threads beyond that number, virtual threads (thousands of them
 * must not mean thousands of lanes) and the loop thread itself take the table's shared queues instead.
 *
 * <p>The loop visits the lanes (and then the shared hand-over queue, as one more source) round-robin, taking at
 * most {@link #BURST} ops from one before it moves on, so a producer that keeps its lane full cannot starve
 * the others within one drain.
 */
final class ProducerLanes {
    /** Ops the loop takes from one source before it looks at the next. */
    static final int BURST = 64;

    private final ProducerLane[] lanes;
    /** Lanes in use, {@code lanes[0..count)}; grows under the lock, never shrinks (a dead thread's lane is reused). */
    private volatile int count;
    /** The slots each lane's queues hold: all of the table's. */
    private final int laneCapacity;
    /** Set for a thread that asked for a lane and found none free: it takes the shared queues from then on. */
    private final ThreadLocal<Boolean> noLaneLeft = new ThreadLocal<>();
    /** The queue of every thread without a lane, polled as one more source after the lanes. */
    private final MpmcIntQueue shared;
    /** The source the loop polls now: a lane's hand-over or {@link #shared}. Loop thread. */
    private MpmcIntQueue source;
    /** Its index: a lane's, or {@code count} for the shared queue. Loop thread. */
    private int cursor;
    /** How many more ops the loop takes from {@link #source} before it looks at the next. Loop thread. */
    private int credit;

    /**
     * @param maxLanes     the most lanes (0: none, every thread takes the shared queues)
     * @param slots        the table's slot count, which bounds what a lane's queues must hold
     * @param shared       the hand-over queue of threads without a lane
     */
    ProducerLanes(int maxLanes, int slots, MpmcIntQueue shared) {
        this.lanes = new ProducerLane[maxLanes];
        this.shared = shared;
        this.source = shared;
        // Room for every slot of the table, as the shared queues have: lanes of 1,024 ran 2 producers x 4,096
        // in flight at 0.64-0.72x Netty's hop against 0.94-0.98x with room for all (callbacks), the overflow
        // going through the shared queues and free list after all. 24 bytes per slot per lane, made only for
        // threads that submit.
        this.laneCapacity = slots;
    }

    /**
     * The calling thread's lane, made on its first call while lanes are left; null for a virtual thread, a
     * thread that found no lane free, or when lanes are off. Never call it on the loop thread (it has no lane).
     */
    ProducerLane current() {
        // A look at each lane's owner rather than a ThreadLocal: a few loads of lines nobody writes, and small
        // enough to stay inlined in every claim (whose compiled size decides how much of a submission C2 inlines).
        Thread thread = Thread.currentThread();
        int n = count;
        for (int i = 0; i < n; i++) {
            ProducerLane lane = lanes[i];
            if (lane.isOwnedBy(thread)) {
                return lane;
            }
        }
        return laneFor(thread);
    }

    /** {@link #current()} for a thread that has no lane yet: makes or takes over one, if it may. */
    private ProducerLane laneFor(Thread thread) {
        if (lanes.length == 0 || thread.isVirtual() || noLaneLeft.get() != null) {
            return null;
        }
        ProducerLane lane = register(thread);
        if (lane == null) {
            noLaneLeft.set(Boolean.TRUE);
        }
        return lane;
    }

    /** A lane for {@code thread}: a dead thread's, or a new one; null when every lane has a live owner. */
    private synchronized ProducerLane register(Thread thread) {
        int n = count;
        for (int i = 0; i < n; i++) {
            if (lanes[i].takeOverFromDead(thread)) {
                return lanes[i];
            }
        }
        if (n == lanes.length) {
            return null;
        }
        ProducerLane lane = new ProducerLane(thread, laneCapacity);
        lanes[n] = lane;
        count = n + 1;      // publishes the lane to the loop (volatile write after the array store)
        return lane;
    }

    /**
     * The index of the next slot handed over through a lane or the shared queue, or -1 when none waits. Loop
     * thread only: every queue's one consumer. Per op it polls the source it is on; moving to the next source is
     * out of line, so the drain that calls this for every op stays as small as before lanes.
     */
    int pollHandedOver() {
        if (credit > 0) {
            int index = source.pollSingleConsumer();
            if (index >= 0) {
                credit--;
                return index;
            }
        }
        return pollNextSource();
    }

    /** {@link #pollHandedOver()} once the current source is empty or had its {@link #BURST}: each other source, then it. */
    private int pollNextSource() {
        int n = count;
        for (int tried = 0; tried <= n; tried++) {
            cursor = cursor >= n ? 0 : cursor + 1;
            MpmcIntQueue next = cursor >= n ? shared : lanes[cursor].handedOver;
            int index = next.pollSingleConsumer();
            if (index >= 0) {
                source = next;
                credit = BURST - 1;
                return index;
            }
        }
        return -1;
    }

    /** {@link #pollHandedOver} by any thread, several at once: only after the loop died, when it no longer polls. */
    int pollHandedOverConcurrently() {
        return pollAny(lane -> lane.handedOver);
    }

    /** Whether slots wait in a lane to be picked up by the loop. */
    boolean hasHandedOver() {
        return count != 0 && anyHandedOver();
    }

    private boolean anyHandedOver() {
        int n = count;
        for (int i = 0; i < n; i++) {
            if (!lanes[i].handedOver.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Slots waiting in lanes for the loop, now. */
    int handedOver() {
        return totalSize(lane -> lane.handedOver);
    }

    /** Free slots resting in the lanes' stocks, now. */
    int stocked() {
        return totalSize(lane -> lane.stock);
    }

    /**
     * A free slot taken from any lane's stock, or -1: for a thread that found no other slot free, so that slots
     * resting with an idle or dead thread still count. Any thread.
     */
    int steal() {
        return pollAny(lane -> lane.stock);
    }

    /** The first value polled (multi-consumer) from {@code queue} of the lanes in order, or -1. Any thread. */
    private int pollAny(Function<ProducerLane, MpmcIntQueue> queue) {
        int n = count;
        for (int i = 0; i < n; i++) {
            int index = queue.apply(lanes[i]).poll();
            if (index >= 0) {
                return index;
            }
        }
        return -1;
    }

    /** The values in {@code queue} of every lane, now. */
    private int totalSize(Function<ProducerLane, MpmcIntQueue> queue) {
        int sum = 0;
        int n = count;
        for (int i = 0; i < n; i++) {
            sum += queue.apply(lanes[i]).size();
        }
        return sum;
    }
}
