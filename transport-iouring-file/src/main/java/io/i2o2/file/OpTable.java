package io.i2o2.file;

import io.i2o2.uring.UserData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The loop's operations, from claim to completion, in a fixed number of reusable {@link OpSlot}s.
 *
 * <p>The table is the loop's one bound: a thread that finds no free slot gets an overload error at once,
 * so queued plus in-flight operations never exceed {@link #capacity()} and nothing grows without limit.
 * Free slots and slots handed over from other threads travel through lock-free {@link MpmcIntQueue}s of slot
 * indexes, so claiming and handing over allocate nothing. Free slots come back on two lists: the loop
 * thread, which frees nearly every slot (at completion), is the one producer of {@code free} and offers
 * without a CAS; every other thread (a refusal after claiming, failures after the loop died) gives its slot
 * back through {@code returned}, which takes any number of producers.
 *
 * <p>A platform thread that submits from outside the loop gets a {@link ProducerLane} of its own (up to
 * {@link ProducerLanes a number of them}): it hands its slots over through its lane, and the loop gives the slots
 * of its finished ops back to its lane's stock, where it claims first. Claiming and handing over then touch no
 * line another producer writes. The lanes only hold slots of this table for a while: when none is free
 * elsewhere, a claim takes one from any lane's stock, so the table's capacity stays the exact bound.
 *
 * <p>An op's {@code user_data} packs its slot index and the slot's generation ({@link UserData}); the
 * generation, bumped on every reuse, makes a CQE for an earlier use of the slot recognisable.
 */
final class OpTable {
    /** Native scratch per slot: enough for 16 iovecs, a statx buffer or an 80-byte command image. */
    static final int SCRATCH_BYTES = 256;


    private final OpSlot[] slots;
    /** Slots freed by the loop thread: it alone offers here. */
    private final MpmcIntQueue free;
    /** Slots given back by any other thread. */
    private final MpmcIntQueue returned;
    private final MpmcIntQueue submitted;
    /** The lanes of platform threads that submit from outside the loop. */
    private final ProducerLanes lanes;
    /** The loop thread once it runs ({@link #ownedBy}); until then every slot goes back through {@code returned}. */
    private volatile Thread owner;
    private final Arena scratchArena;
    /** Threads in {@link #awaitRoom}: a slot going back to the free list signals one of them. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    /** Ops in SQEs whose CQE has not arrived. Loop thread. */
    private int inFlight;
    /** What {@link IoUringLoopMetrics} reports. */
    final LoopCounters counters = new LoopCounters();

    OpTable(int capacity) {
        this(capacity, ConfigProperties.PRODUCER_LANES);
    }

    /** A table of {@code capacity} slots with at most {@code maxLanes} producer lanes (0: none). */
    OpTable(int capacity, int maxLanes) {
        this.slots = new OpSlot[capacity];
        this.free = new MpmcIntQueue(capacity);
        this.returned = new MpmcIntQueue(capacity);
        this.submitted = new MpmcIntQueue(capacity);
        this.lanes = new ProducerLanes(maxLanes, capacity, submitted);
        this.scratchArena = Arena.ofShared();
        MemorySegment scratch = scratchArena.allocate((long) capacity * SCRATCH_BYTES, 64);
        for (int i = 0; i < capacity; i++) {
            slots[i] = new OpSlot(i, scratch.asSlice((long) i * SCRATCH_BYTES, SCRATCH_BYTES));
            returned.offer(i);
        }
    }

    /** Names the loop thread, the one producer of the loop's free list. Once, on the loop thread. */
    void ownedBy(Thread loop) {
        owner = loop;
    }

    /** The most operations that can be queued or in flight at once. */
    int capacity() {
        return slots.length;
    }

    /** A free slot for a new op, or null when all are taken (overload). Any thread. */
    // (Its gate is open: release() opened it before offering the index.)
    OpSlot claim() {
        // The loop's own claim as small as it was before lanes: it is inlined into every submission on the loop
        // thread, completions that submit the next op included, and its size decides how much of that C2 inlines.
        if (Thread.currentThread() != owner) {
            return claimOffLoop();
        }
        int i = free.poll();
        if (i < 0 && (i = returned.poll()) < 0 && (i = lanes.steal()) < 0) {
            return null;
        }
        OpSlot s = slots[i];
        s.claimed();
        return s;
    }

    /** {@link #claim()} on any thread but the loop's: from the thread's lane's stock first, if it has a lane. */
    private OpSlot claimOffLoop() {
        ProducerLane lane = lanes.current();
        int i = lane == null ? -1 : lane.stock.poll();
        if (i < 0 && (i = free.poll()) < 0 && (i = returned.poll()) < 0 && (i = lanes.steal()) < 0) {
            return null;
        }
        OpSlot s = slots[i];
        s.claimed();
        s.lane = lane;
        return s;
    }

    /** Returns a claimed slot that was never handed over (its op failed before submission). Any thread. */
    void unclaim(OpSlot s) {
        release(s);
    }

    /** Hands a filled slot (a chain's head, or a batch's first op) to the loop: one offer for all. Any thread. */
    void handOver(OpSlot s) {
        // Once queued, an op may be failed by any thread (the loop died): loop-thread file shares go no further.
        for (OpSlot member = s; ; member = slots[member.following]) {
            for (OpSlot link = member; ; link = slots[link.next]) {
                if (link.fileShare) {
                    link.fileShare = false;
                    link.file.shareToReference();
                }
                if (link.next < 0) {
                    break;
                }
            }
            member.queued();
            if (member.following < 0) {
                break;
            }
        }
        ProducerLane lane = s.lane;
        if (lane != null && lane.handOver(s.index)) {
            return;
        }
        if (!submitted.offer(s.index)) {
            // Cannot happen: the queue holds as many indexes as there are slots.
            throw new IllegalStateException("submission queue overflow at slot " + s.index);
        }
    }

    /** Marks a filled slot (a chain's head, or a batch's ops) as queued for the loop's next drain. Loop thread. */
    void markQueued(OpSlot s) {
        for (OpSlot member = s; ; member = slots[member.following]) {
            member.queued();
            if (member.following < 0) {
                return;
            }
        }
    }

    /** The next slot handed over by another thread, or null. Loop thread only: the queue's one consumer. */
    OpSlot pollHandedOver() {
        int i = lanes.pollHandedOver();
        return i < 0 ? null : slots[i];
    }

    /** {@link #pollHandedOver()} for several threads at once: only after the loop died, when it no longer polls. */
    OpSlot pollHandedOverConcurrently() {
        int i = submitted.poll();
        if (i < 0) {
            i = lanes.pollHandedOverConcurrently();
        }
        return i < 0 ? null : slots[i];
    }

    /** Whether slots wait to be picked up by the loop. */
    boolean hasHandedOver() {
        return !submitted.isEmpty() || lanes.hasHandedOver();
    }

    /** Frees a completed slot for reuse. Any thread; the loop thread's frees (nearly all) skip a CAS. */
    void free(OpSlot s) {
        release(s);
    }

    private void release(OpSlot s) {
        ProducerLane lane = s.lane;
        if (s.recycle()) {
            inFlight--;
        }
        boolean room;
        if (Thread.currentThread() != owner) {
            s.lane = null;
            room = returned.offer(s.index);
        } else if (lane == null) {
            room = free.offerSingleProducer(s.index);
        } else {
            room = giveBack(lane, s);
        }
        if (!room) {
            // Cannot happen: the free list holds as many indexes as there are slots.
            throw new IllegalStateException("free list overflow at slot " + s.index);
        }
        // Read after the offer (both volatile): a waiter that registered too late to be seen here sees the slot.
        if (waiting.get() > 0) {
            signalRoom(false);
        }
    }

    /**
     * Frees a slot claimed through {@code lane} into that lane's stock, unless threads wait for room (they look in
     * the shared lists) or the stock is full. Loop thread: the stock's one producer.
     */
    private boolean giveBack(ProducerLane lane, OpSlot s) {
        s.lane = null;
        return waiting.get() == 0 && lane.stock.offerSingleProducer(s.index) || free.offerSingleProducer(s.index);
    }

    /**
     * Waits until a slot may be free, {@code nanos} passed or {@link #signalRoom(boolean) everyone is woken}:
     * blocked submitters sleep here instead of polling, which with hundreds of them starved the loop thread.
     *
     * @return false if the thread was interrupted (its interrupt status is set again)
     */
    boolean awaitRoom(long nanos) {
        roomLock.lock();
        try {
            waiting.incrementAndGet();
            try {
                if (free.isEmpty() && returned.isEmpty() && lanes.stocked() == 0) {
                    room.awaitNanos(nanos);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting.decrementAndGet();
            }
        } finally {
            roomLock.unlock();
        }
    }

    /** Wakes one thread waiting for room, or all of them (the loop stops accepting: they must give up). */
    void signalRoom(boolean all) {
        roomLock.lock();
        try {
            if (all) {
                room.signalAll();
            } else {
                room.signal();
            }
        } finally {
            roomLock.unlock();
        }
    }

    /** Slots not on the free list: claimed, queued or in flight. */
    int inUse() {
        return slots.length - free.size() - returned.size() - lanes.stocked();
    }

    OpSlot slot(int index) {
        return slots[index];
    }

    /** The {@code user_data} of the op in {@code s}. */
    static long userData(OpSlot s) {
        return UserData.op(s.generation, s.index);
    }

    /** Marks an op as written into an SQE: from now on only its CQE frees it. Loop thread. */
    void markInFlight(OpSlot s) {
        s.inFlight();
        inFlight++;
        counters.submitted();
    }

    /** Ops handed over and not yet taken by the loop, now. */
    int handedOver() {
        return submitted.size() + lanes.handedOver();
    }

    /** Ops in SQEs whose CQE has not arrived. Loop thread. */
    int inFlight() {
        return inFlight;
    }

    /**
     * Frees the scratch memory. Only once no op can be in the kernel: after a clean drain. A loop that died
     * with ops in flight keeps it (and their buffers) rather than let the kernel write into freed memory.
     */
    void closeScratch() {
        scratchArena.close();
    }
}
