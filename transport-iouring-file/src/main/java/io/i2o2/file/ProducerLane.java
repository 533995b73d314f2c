package io.i2o2.file;

import java.lang.invoke.VarHandle;

/**
 * One platform thread's own way into one loop: the slots it hands over travel in a queue only it offers to,
 * and the slots of its finished ops come back to it in a stock only the loop offers to. A producer that keeps
 * ops in flight thus claims and hands over without a CAS on any line another producer writes, and reads the
 * indexes the loop gave back several to a cache line, in the order the loop freed them.
 *
 * <p>The queues carry slot indexes of the loop's {@link OpTable}, so the table's bound stays the one bound: a
 * lane owns no slots of its own, it only holds, for a while, free ones of the table. When no other slot is
 * free, any thread may take one from any lane's stock ({@link ProducerLanes#steal}), so a slot resting in the
 * lane of an idle or dead thread never makes another thread's op an overload.
 *
 * <p>The single-producer and single-consumer sides are the CAS-free halves of {@link MpmcIntQueue}; the
 * stock's consumer side stays multi-consumer (its owner's CAS is on a line nobody else writes unless it
 * steals), and so does the hand-over's, which only the loop polls while it lives and any thread after it died.
 */
final class ProducerLane {
    /**
     * The thread whose lane this is. Another thread takes the lane over only once this one has terminated, so
     * the lane's hand-over keeps one producer (a thread's end happens-before {@code isAlive()} reads false).
     */
    private volatile Thread owner;
    /** Slots this lane's thread handed over, oldest first: it alone offers, the loop alone polls. */
    final MpmcIntQueue handedOver;
    /** Free slots the loop gave back to this lane: the loop alone offers; the owner polls, others steal. */
    final MpmcIntQueue stock;

    ProducerLane(Thread owner, int capacity) {
        this.owner = owner;
        this.handedOver = new MpmcIntQueue(capacity);
        this.stock = new MpmcIntQueue(capacity);
    }

    /**
     * Hands slot {@code index} over through this lane if the calling thread owns it and the lane has room.
     *
     * @return false if the slot must take the shared queue instead
     */
    boolean handOver(int index) {
        if (owner != Thread.currentThread() || !handedOver.offerSingleProducer(index)) {
            return false;
        }
        // The offer publishes with release stores only; the wake-up check that follows (a volatile read of
        // whether the loop parked) must not be ordered before it, or the loop and this thread each miss the
        // other (Dekker): the shared queue's CAS is that fence.
        VarHandle.fullFence();
        return true;
    }

    /** Whether {@code thread} owns this lane. */
    boolean isOwnedBy(Thread thread) {
        return owner == thread;
    }

    /** Gives the lane to {@code thread} if its owner has terminated; false if the owner still runs. */
    boolean takeOverFromDead(Thread thread) {
        if (owner.isAlive()) {
            return false;
        }
        owner = thread;
        return true;
    }

    @Override
    public String toString() {
        return "lane of " + owner.getName();
    }
}
