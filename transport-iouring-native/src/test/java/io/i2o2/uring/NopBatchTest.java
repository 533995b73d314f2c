package io.i2o2.uring;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many NOPs in batches of every shape, on 64- and 128-byte rings: each comes back exactly once with its
 * {@code user_data} and result 0, whatever the batch size relative to the SQ (1, odd, the whole SQ).
 */
class NopBatchTest {
    private static final int TOTAL = 5_000;

    @ParameterizedTest(name = "sqe128={0}, batch={1}")
    @CsvSource({"false, 1", "false, 7", "false, 32", "true, 1", "true, 7", "true, 32"})
    void everyNopComesBackOnceWithItsUserData(boolean big, int batch) throws Exception {
        RingParams.Builder b = RingParams.builder().entries(32);
        if (big) {
            b.require(SetupFlag.SQE128, SetupFlag.CQE32);
        }
        try (Ring ring = Ring.open(b.build())) {
            BitSet seen = new BitSet(TOTAL);
            int next = 0;
            while (next < TOTAL) {
                int n = Math.min(batch, TOTAL - next);
                for (int i = 0; i < n; i++) {
                    // High bits set too, so a truncated user_data would show as a wrong or duplicate tag.
                    ring.sq().next().prepNop().userData(0xABCD_0000_0000_0000L | next++);
                }
                assertEquals(n, ring.submit(), "the kernel takes the whole batch");
                for (TestRing.Cqe c : TestRing.awaitCqes(ring, n)) {
                    assertEquals(0, c.res());
                    assertEquals(0xABCD_0000_0000_0000L, c.userData() & 0xFFFF_0000_0000_0000L);
                    int tag = (int) c.userData();
                    assertTrue(tag < next && !seen.get(tag), "unexpected or duplicate CQE " + c);
                    seen.set(tag);
                }
            }
            assertEquals(TOTAL, seen.cardinality());
            assertEquals(0, ring.cq().ready(), "no stray CQEs");
            assertEquals(0, ring.sq().dropped(), "the kernel dropped no SQE as invalid");
        }
    }
}
