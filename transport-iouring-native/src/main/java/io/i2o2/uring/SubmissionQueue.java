package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.io_uring_sqe;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The submission side of a ring: hands out entries to fill and publishes them to the kernel.
 *
 * <p>Owned by one thread (the ring's submitter); nothing here is thread-safe. The tail is ours and
 * published with a release store, so the kernel sees every byte of an entry before it sees the entry;
 * the head is the kernel's and read with an acquire load. This is liburing's protocol
 * ({@code io_uring_get_sqe}, {@code __io_uring_flush_sq}) on the mapped memory.
 */
public final class SubmissionQueue {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final int NEED_WAKEUP = LinuxUring.IORING_SQ_NEED_WAKEUP();
    private static final int CQ_OVERFLOW = LinuxUring.IORING_SQ_CQ_OVERFLOW();
    private static final int TASKRUN = LinuxUring.IORING_SQ_TASKRUN();
    private static final long USER_DATA = io_uring_sqe.user_data$offset();

    private final MemorySegment ring;
    private final long khead;
    private final long ktail;
    private final long kflags;
    private final long kdropped;
    private final int mask;
    private final int entries;
    private final int sqeShift;
    private final Sqe sqe;
    private final MemorySegment sqes;
    private final int sqeSize;
    /** A fault plan that rewrites entries before they are published, or null (production: one field read). */
    private final KernelFaults rewriter;

    /** Next entry to hand out; entries before it are written, those before the kernel's head consumed. */
    private int tail;
    /** The kernel's head as last read: entries from here to {@code tail} are not consumed yet. */
    private int head;

    SubmissionQueue(MemorySegment ring, long khead, long ktail, long kflags, long kdropped, int mask, int entries,
                    MemorySegment sqes, int sqeSize, KernelFaults faults) {
        this.ring = ring;
        this.khead = khead;
        this.ktail = ktail;
        this.kflags = kflags;
        this.kdropped = kdropped;
        this.mask = mask;
        this.entries = entries;
        this.sqeShift = Integer.numberOfTrailingZeros(sqeSize);
        this.sqe = new Sqe(sqes, sqeSize);
        this.sqes = sqes;
        this.sqeSize = sqeSize;
        this.rewriter = faults.rewritesEntries() ? faults : null;
        this.tail = (int) INT.getAcquire(ring, ktail);
        this.head = (int) INT.getAcquire(ring, khead);
    }

    /**
     * The next free entry, zeroed, or {@code null} when all {@link #capacity()} entries are written and not
     * yet consumed by the kernel (submit, then try again).
     *
     * @return this writer, for chaining
     */
    public Sqe next() {
        if (tail - head == entries) {
            head = (int) INT.getAcquire(ring, khead);
            if (tail - head == entries) {
                return null;
            }
        }
        sqe.moveTo(tail & mask);
        tail++;
        return sqe;
    }

    /**
     * How many entries can be handed out before the queue is full.
     *
     * @return how many entries can be handed out before the queue is full
     */
    public int space() {
        head = (int) INT.getAcquire(ring, khead);
        return entries - (tail - head);
    }

    /**
     * Whether {@code n} more entries can be handed out now. Asks the kernel's head only when the last one
     * read does not already leave room: the head moves only forward, so a stale one can only understate the
     * room, and a loop writing one op at a time skips an acquire load of shared memory per op.
     *
     * @param n the entries wanted
     * @return whether {@link #next()} will hand out {@code n} entries
     */
    public boolean hasRoomFor(int n) {
        return entries - (tail - head) >= n || space() >= n;
    }

    /**
     * The number of entries the SQ holds.
     *
     * @return the number of entries the SQ holds
     */
    public int capacity() {
        return entries;
    }

    /**
     * Publishes every written entry to the kernel (release store of the tail).
     *
     * @return how many entries the kernel has not consumed yet: what {@code io_uring_enter} should submit
     */
    int flush() {
        if (rewriter != null) {
            for (int i = (int) INT.get(ring, ktail); i != tail; i++) {
                rewriter.onPublish(sqes.asSlice((long) (i & mask) << sqeShift, sqeSize));
            }
        }
        INT.setRelease(ring, ktail, tail);
        head = (int) INT.getAcquire(ring, khead);
        return tail - head;
    }

    /**
     * Hands the {@code user_data} of every entry written and not consumed by the kernel (published or not) to
     * {@code action}, oldest first; returns how many. Once nothing will enter the ring again (and no SQPOLL
     * thread reads it), these entries are known never to reach the kernel.
     *
     * @param action what to run
     * @return how many entries were handed to {@code action}
     */
    public int forEachUnconsumed(LongConsumer action) {
        head = (int) INT.getAcquire(ring, khead);
        for (int i = head; i != tail; i++) {
            action.accept(sqes.get(JAVA_LONG, ((long) (i & mask) << sqeShift) + USER_DATA));
        }
        return tail - head;
    }

    /**
     * Entries written and not yet consumed by the kernel (published or not).
     *
     * @return how many entries are written and not yet consumed by the kernel
     */
    public int pending() {
        head = (int) INT.getAcquire(ring, khead);
        return tail - head;
    }

    /**
     * Whether the SQPOLL thread sleeps and needs {@code IORING_ENTER_SQ_WAKEUP}. The full fence orders the
     * tail store before this load, as liburing's {@code io_uring_smp_mb()} does.
     */
    boolean needsWakeup() {
        VarHandle.fullFence();
        return ((int) INT.getOpaque(ring, kflags) & NEED_WAKEUP) != 0;
    }

    /**
     * Whether completions overflowed the CQ and wait in the kernel to be flushed.
     *
     * @return whether completions overflowed the CQ and wait in the kernel to be flushed
     */
    public boolean cqOverflow() {
        return ((int) INT.getOpaque(ring, kflags) & CQ_OVERFLOW) != 0;
    }

    /**
     * Whether task work is pending ({@code TASKRUN_FLAG} rings): enter the kernel to get completions.
     *
     * @return whether task work is pending ({@code TASKRUN_FLAG} rings)
     */
    public boolean taskrunPending() {
        return ((int) INT.getOpaque(ring, kflags) & TASKRUN) != 0;
    }

    /**
     * Entries the kernel dropped as invalid since the ring was created.
     *
     * @return how many entries the kernel dropped as invalid since the ring was created
     */
    public int dropped() {
        return (int) INT.getAcquire(ring, kdropped);
    }
}
