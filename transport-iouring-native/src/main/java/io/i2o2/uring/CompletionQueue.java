package io.i2o2.uring;

import io.i2o2.uring.gen.io_uring_cqe;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The completion side of a ring: reads CQEs in batches and hands them back to the kernel.
 *
 * <p>Owned by one thread. The kernel's tail is read once per batch with an acquire load (every CQE up to
 * it is fully written); our head is published with a release store after the batch, in a {@code finally},
 * so the kernel never overwrites an entry still being read and never loses one a handler threw on.
 */
public final class CompletionQueue {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long USER_DATA = io_uring_cqe.user_data$offset();
    private static final long RES = io_uring_cqe.res$offset();
    private static final long FLAGS = io_uring_cqe.flags$offset();
    private static final long BIG = io_uring_cqe.big_cqe$offset();

    private final MemorySegment ring;
    private final long khead;
    private final long ktail;
    private final long koverflow;
    private final long cqes;
    private final int mask;
    private final int entries;
    private final int cqeShift;
    private final boolean big;
    private int head;

    CompletionQueue(MemorySegment ring, long khead, long ktail, long koverflow, long cqes, int mask, int entries,
                    int cqeSize) {
        this.ring = ring;
        this.khead = khead;
        this.ktail = ktail;
        this.koverflow = koverflow;
        this.cqes = cqes;
        this.mask = mask;
        this.entries = entries;
        this.cqeShift = Integer.numberOfTrailingZeros(cqeSize);
        this.big = cqeSize > io_uring_cqe.sizeof();
        this.head = (int) INT.getAcquire(ring, khead);
    }

    /**
     * The number of CQEs waiting to be reaped.
     *
     * @return the number of CQEs waiting to be reaped
     */
    public int ready() {
        return (int) INT.getAcquire(ring, ktail) - head;
    }

    /**
     * The number of entries the CQ holds.
     *
     * @return the number of entries the CQ holds
     */
    public int capacity() {
        return entries;
    }

    /**
     * CQEs the kernel dropped because the CQ was full. Stays 0 on kernels with {@code IORING_FEAT_NODROP}
     * (5.5+), which hold overflowed CQEs back until {@link Ring#reap} flushes them.
     *
     * @return how many CQEs the kernel dropped because the CQ was full
     */
    public int overflowCount() {
        return (int) INT.getAcquire(ring, koverflow);
    }

    /**
     * Hands up to {@code max} ready CQEs to {@code handler}, oldest first.
     *
     * @param handler called for each completion
     * @param max the most to take
     * @return how many were handed over
     */
    public int reap(CompletionHandler handler, int max) {
        int tail = (int) INT.getAcquire(ring, ktail);
        int n = 0;
        try {
            while (tail - head > 0 && n < max) {
                long at = cqes + ((long) (head & mask) << cqeShift);
                // Unaligned layouts: the CQE offsets are aligned, and the aligned ones would re-check it per read.
                long userData = ring.get(JAVA_LONG_UNALIGNED, at + USER_DATA);
                int res = ring.get(JAVA_INT_UNALIGNED, at + RES);
                int flags = ring.get(JAVA_INT_UNALIGNED, at + FLAGS);
                long extra0 = big ? ring.get(JAVA_LONG_UNALIGNED, at + BIG) : 0L;
                long extra1 = big ? ring.get(JAVA_LONG_UNALIGNED, at + BIG + Long.BYTES) : 0L;
                head++;
                n++;
                handler.onCompletion(userData, res, flags, extra0, extra1);
            }
        } finally {
            INT.setRelease(ring, khead, head);
        }
        return n;
    }
}
