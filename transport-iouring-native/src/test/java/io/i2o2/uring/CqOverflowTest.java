package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CQ far too small for what is in flight: 10,000 NOPs through a CQ of 8. The kernel keeps what does not
 * fit ({@code IORING_FEAT_NODROP}) and {@link Ring#reap} flushes it back, so every completion arrives
 * exactly once and none is counted as dropped.
 */
class CqOverflowTest {
    private static final int TOTAL = 10_000;

    @Test
    void tenThousandNopsThroughACqOfEight() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(8).cqEntries(8).build())) {
            assertEquals(8, ring.cq().capacity());
            assertTrue(ring.keepsOverflow(), "this kernel has IORING_FEAT_NODROP");
            // Submit everything before reaping anything: 9,992 completions must wait in the kernel.
            int submitted = 0;
            while (submitted < TOTAL) {
                Sqe sqe;
                while (submitted < TOTAL && (sqe = ring.sq().next()) != null) {
                    sqe.prepNop().userData(submitted++);
                }
                ring.submit();
            }
            assertEquals(0, ring.sq().pending(), "the kernel consumed every SQE despite the overflow");
            assertTrue(ring.sq().cqOverflow(), "the CQ overflowed");

            BitSet seen = new BitSet(TOTAL);
            for (TestRing.Cqe c : TestRing.awaitCqes(ring, TOTAL)) {
                assertEquals(0, c.res());
                assertFalse(seen.get((int) c.userData()), "duplicate CQE " + c);
                seen.set((int) c.userData());
            }
            assertEquals(TOTAL, seen.cardinality());
            assertEquals(0, ring.cq().overflowCount(), "nothing was dropped");
            assertFalse(ring.sq().cqOverflow(), "the overflow list is empty again");
        }
    }
}
