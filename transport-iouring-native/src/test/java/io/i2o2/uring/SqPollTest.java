package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code SQPOLL}: once the kernel's poller thread has idled out and sleeps, the next submission must wake it
 * ({@code IORING_ENTER_SQ_WAKEUP}), or the entries would sit in the SQ forever.
 */
class SqPollTest {

    @Test
    void submissionWakesASleepingPoller() throws Exception {
        RingParams params = RingParams.builder().entries(8).require(SetupFlag.SQPOLL).sqThreadIdleMillis(1).build();
        try (Ring ring = Ring.open(params)) {
            assertEquals(0, TestRing.run(ring, 1, Sqe::prepNop).res(), "the poller picks up work while awake");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ring.sq().needsWakeup()) {
                assertTrue(System.nanoTime() < deadline, "the poller never went to sleep after its 1 ms idle time");
                Thread.sleep(5);
            }
            for (int i = 0; i < 4; i++) {
                ring.sq().next().prepNop().userData(10 + i);
            }
            assertEquals(4, ring.submit());
            assertEquals(4, TestRing.awaitCqes(ring, 4).size(), "the sleeping poller was woken");
        }
    }
}
