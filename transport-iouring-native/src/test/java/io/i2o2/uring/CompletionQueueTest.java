package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Reaping: {@code max} bounds a batch, entries come oldest first, and an entry whose handler throws is
 * consumed all the same, so a failing handler can neither lose the next entries nor see one twice.
 */
class CompletionQueueTest {

    @Test
    void reapHonoursMaxAndOrder() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(8).build())) {
            for (int i = 0; i < 5; i++) {
                ring.sq().next().prepNop().userData(i);
            }
            ring.submitAndWait(5);
            assertEquals(5, ring.cq().ready());
            List<Long> got = new ArrayList<>();
            assertEquals(2, ring.reap((u, r, f, a, b) -> got.add(u), 2));
            assertEquals(3, ring.cq().ready());
            assertEquals(3, ring.reap((u, r, f, a, b) -> got.add(u), 10));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), got);
            assertEquals(0, ring.reap((u, r, f, a, b) -> got.add(u), 10), "nothing left");
        }
    }

    @Test
    void aThrowingHandlerStillConsumesItsEntry() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build())) {
            for (int i = 0; i < 3; i++) {
                ring.sq().next().prepNop().userData(i);
            }
            ring.submitAndWait(3);
            List<Long> got = new ArrayList<>();
            assertThrows(IllegalStateException.class, () -> ring.reap((u, r, f, a, b) -> {
                got.add(u);
                if (u == 1) {
                    throw new IllegalStateException("handler failed");
                }
            }, 10));
            assertEquals(1, ring.cq().ready(), "entries 0 and 1 are consumed");
            ring.reap((u, r, f, a, b) -> got.add(u), 10);
            assertEquals(List.of(0L, 1L, 2L), got);
        }
    }

    @Test
    void bigCqesCarryZeroExtraBytesForANop() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).require(SetupFlag.SQE128, SetupFlag.CQE32)
                .build())) {
            TestRing.Cqe cqe = TestRing.run(ring, 5, Sqe::prepNop);
            assertEquals(0, cqe.extra0());
            assertEquals(0, cqe.extra1());
        }
    }
}
