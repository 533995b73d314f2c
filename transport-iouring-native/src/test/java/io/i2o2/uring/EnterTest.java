package io.i2o2.uring;

import io.i2o2.uring.gen.__kernel_timespec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the ring enters the kernel: a bounded wait gives up on time, a ring fd registered with itself still
 * submits and waits, and {@code submitAndWait(0)} runs the completion work a {@code DEFER_TASKRUN} ring
 * holds back until its submitter enters the kernel.
 */
class EnterTest {

    @Test
    void aBoundedWaitReturnsZeroWhenNothingCompletes() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).build())) {
            long start = System.nanoTime();
            assertEquals(0, ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(50)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(40), "it waited: " + waited + " ns");
            assertTrue(waited < TimeUnit.SECONDS.toNanos(5), "and gave up: " + waited + " ns");
            assertEquals(0, ring.cq().ready());
        }
    }

    @Test
    void submitWithNothingQueuedDoesNotEnter() throws Exception {
        KernelFaults faults = KernelFaults.plan().failEnter(Errno.EBADF, 1);
        try (Ring ring = Ring.open(RingParams.builder().entries(2).faults(faults).build())) {
            assertEquals(0, ring.submit(), "no system call, so the armed fault did not fire");
            ring.sq().next().prepNop().userData(1);
            assertEquals(Errno.EBADF, assertThrows(UringException.class,
                    ring::submit).errno(), "with an entry queued it does enter");
        }
    }

    @Test
    void aRegisteredRingFdStillSubmitsAndWaits() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build())) {
            assertTrue(ring.registerRingFd(), "RING_FDS is in 5.18+");
            for (int i = 0; i < 3; i++) {
                ring.sq().next().prepNop().userData(i);
            }
            assertEquals(3, TestRing.awaitCqes(ring, 3).size());
            assertEquals(0, ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(10)), "timed waits work too");
        }
    }

    @ParameterizedTest(name = "TASKRUN_FLAG={0}")
    @ValueSource(booleans = {false, true})
    void submitAndWaitZeroRunsDeferredCompletions(boolean taskrunFlag) throws Exception {
        RingParams.Builder params = RingParams.builder().entries(4)
                .require(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN);
        if (taskrunFlag) {
            params.require(SetupFlag.TASKRUN_FLAG);
        }
        try (Ring ring = Ring.open(params.build());
             Arena arena = Arena.ofConfined()) {
            submitOneMillisecondTimeout(ring, arena);
            // The timer fires while we sleep; on a DEFER_TASKRUN ring its CQE waits for us to enter the kernel.
            Thread.sleep(50);
            assertEquals(0, ring.cq().ready(), "the completion is deferred");
            assertEquals(taskrunFlag, ring.sq().taskrunPending(), "only TASKRUN_FLAG shows the pending work");
            ring.submitAndWait(0);
            List<TestRing.Cqe> cqes = TestRing.reapReady(ring);
            assertEquals(1, cqes.size(), "submitAndWait(0) ran the deferred work");
            assertEquals(-Errno.ETIME, cqes.getFirst().res());
        }
    }

    @Test
    void withTaskrunFlagReapAloneFetchesDeferredCompletions() throws Exception {
        RingParams params = RingParams.builder().entries(4)
                .require(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN, SetupFlag.TASKRUN_FLAG).build();
        try (Ring ring = Ring.open(params);
             Arena arena = Arena.ofConfined()) {
            submitOneMillisecondTimeout(ring, arena);
            Thread.sleep(50);
            assertEquals(1, TestRing.reapReady(ring).size(), "reap saw IORING_SQ_TASKRUN and entered for it");
        }
    }

    /** A timeout that fires 1 ms from now; on a DEFER_TASKRUN ring its CQE is then deferred task work. */
    private static void submitOneMillisecondTimeout(Ring ring, Arena arena) throws UringException {
        MemorySegment ts = arena.allocate(__kernel_timespec.layout());
        __kernel_timespec.tv_nsec(ts, TimeUnit.MILLISECONDS.toNanos(1));
        ring.sq().next().prepTimeout(ts.address(), 0, 0).userData(1);
        assertEquals(1, ring.submit());
    }
}
