package io.i2o2.uring;

import io.i2o2.uring.gen.__kernel_timespec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timeouts, linked timeouts and async cancel: the ops that act on time and on other requests. Checks the
 * result each request gets ({@code -ETIME}, {@code -ECANCELED}, 0) and that a timer really waited.
 */
class TimeoutCancelTest {
    private static final long LONG_TIMEOUT = TimeUnit.SECONDS.toNanos(30);

    @Test
    void aTimeoutExpiresWithEtimeAfterItsTime() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build());
             Arena arena = Arena.ofConfined()) {
            MemorySegment ts = timespec(arena, TimeUnit.MILLISECONDS.toNanos(20));
            long start = System.nanoTime();
            TestRing.Cqe cqe = TestRing.run(ring, 1, s -> s.prepTimeout(ts.address(), 0, 0));
            long waited = System.nanoTime() - start;
            assertEquals(-Errno.ETIME, cqe.res());
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(15), "the timer waited, " + waited + " ns");
        }
    }

    @Test
    void aCountedTimeoutCompletesWithZeroAfterThatManyCompletions() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build());
             Arena arena = Arena.ofConfined()) {
            MemorySegment ts = timespec(arena, LONG_TIMEOUT);
            ring.sq().next().prepTimeout(ts.address(), 2, 0).userData(1);
            ring.sq().next().prepNop().userData(2);
            ring.sq().next().prepNop().userData(3);
            List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, 3);
            assertEquals(0, TestRing.find(cqes, 1).res(), "the count (sqe->off) reached the kernel");
        }
    }

    @Test
    void cancelStopsALongTimeout() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build());
             Arena arena = Arena.ofConfined()) {
            MemorySegment ts = timespec(arena, LONG_TIMEOUT);
            ring.sq().next().prepTimeout(ts.address(), 0, 0).userData(0x7777);
            assertEquals(1, ring.submit());
            long start = System.nanoTime();
            ring.sq().next().prepCancel(0x7777, 0).userData(2);
            List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, 2);
            assertEquals(-Errno.ECANCELED, TestRing.find(cqes, 0x7777).res(), "the target was cancelled");
            assertEquals(0, TestRing.find(cqes, 2).res(), "the cancel found its target by user_data");
            assertTrue(System.nanoTime() - start < LONG_TIMEOUT / 2, "nobody waited for the timer");
            assertEquals(-Errno.ENOENT, TestRing.run(ring, 3, s -> s.prepCancel(0x7777, 0)).res(),
                    "nothing left to cancel");
        }
    }

    @Test
    void aLinkTimeoutBoundsTheRequestBeforeIt() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build());
             Arena arena = Arena.ofConfined()) {
            MemorySegment slow = timespec(arena, LONG_TIMEOUT);
            MemorySegment bound = timespec(arena, TimeUnit.MILLISECONDS.toNanos(10));
            ring.sq().next().prepTimeout(slow.address(), 0, 0).flags(SqeFlags.IO_LINK).userData(1);
            ring.sq().next().prepLinkTimeout(bound.address(), 0).userData(2);
            List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, 2);
            assertEquals(-Errno.ECANCELED, TestRing.find(cqes, 1).res(), "the bounded request was cut short");
            assertEquals(-Errno.ETIME, TestRing.find(cqes, 2).res(), "the link timeout fired");
        }
    }

    private static MemorySegment timespec(Arena arena, long nanos) {
        MemorySegment ts = arena.allocate(__kernel_timespec.layout());
        __kernel_timespec.tv_sec(ts, nanos / 1_000_000_000L);
        __kernel_timespec.tv_nsec(ts, nanos % 1_000_000_000L);
        return ts;
    }
}
