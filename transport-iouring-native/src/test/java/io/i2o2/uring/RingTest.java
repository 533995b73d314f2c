package io.i2o2.uring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring against the real kernel: round trips, queue limits, overflow, close. */
class RingTest {

    /** One CQE as the test saw it. */
    record Cqe(long userData, int res, int flags, long extra0, long extra1) {
    }

    static List<Cqe> reapAll(Ring ring) throws UringException {
        List<Cqe> out = new ArrayList<>();
        ring.reap((u, r, f, x0, x1) -> out.add(new Cqe(u, r, f, x0, x1)), Integer.MAX_VALUE);
        return out;
    }

    static RingParams params(boolean big, int entries) {
        RingParams.Builder b = RingParams.builder().entries(entries);
        if (big) {
            b.require(SetupFlag.SQE128, SetupFlag.CQE32);
        }
        return b.build();
    }

    @ParameterizedTest(name = "sqe128={0}")
    @ValueSource(booleans = {false, true})
    void nopRoundTripKeepsUserData(boolean big) throws Exception {
        try (Ring ring = Ring.open(params(big, 8))) {
            assertEquals(big ? 128 : 64, ring.sqeSize());
            assertEquals(big ? 32 : 16, ring.cqeSize());
            long[] tags = {0L, 1L, -1L, 0x7fff_ffff_ffff_ffffL, 0x8000_0000_0000_0001L};
            for (long tag : tags) {
                ring.sq().next().prepNop().userData(tag);
            }
            assertEquals(tags.length, ring.submitAndWait(tags.length));
            List<Cqe> cqes = reapAll(ring);
            Set<Long> seen = new HashSet<>();
            for (Cqe c : cqes) {
                assertEquals(0, c.res());
                seen.add(c.userData());
            }
            assertEquals(Set.of(0L, 1L, -1L, 0x7fff_ffff_ffff_ffffL, 0x8000_0000_0000_0001L), seen);
        }
    }

    @ParameterizedTest(name = "sqe128={0}")
    @ValueSource(booleans = {false, true})
    void readsARealFile(boolean big, @TempDir Path dir) throws Exception {
        byte[] data = new byte[8192];
        new Random(42).nextBytes(data);
        Path file = Files.write(dir.resolve("data.bin"), data);
        try (Ring ring = Ring.open(params(big, 8));
             Arena arena = Arena.ofConfined()) {
            int fd = TestLibc.open(file, Linux.O_RDONLY);
            MemorySegment buf = arena.allocate(4096, 4096);
            ring.sq().next().prepRead(fd, buf.address(), 4096, 1000).userData(7);
            ring.submitAndWait(1);
            List<Cqe> cqes = reapAll(ring);
            assertEquals(1, cqes.size());
            assertEquals(7, cqes.get(0).userData());
            assertEquals(4096, cqes.get(0).res());
            byte[] expected = java.util.Arrays.copyOfRange(data, 1000, 5096);
            assertArrayEquals(expected, buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            TestLibc.close(fd);
        }
    }

    @Test
    void sqFullHandsOutNothingUntilSubmitted() throws Exception {
        try (Ring ring = Ring.open(params(false, 4))) {
            SubmissionQueue sq = ring.sq();
            for (int i = 0; i < sq.capacity(); i++) {
                Sqe sqe = sq.next();
                assertNotNull(sqe);
                sqe.prepNop().userData(i);
            }
            assertNull(sq.next(), "a full SQ hands out no entry");
            assertEquals(0, sq.space());
            assertFalse(sq.hasRoomFor(1));
            assertEquals(4, ring.submit());
            assertTrue(sq.hasRoomFor(4), "the kernel consumed all four: room is asked for again, not taken as stale");
            assertFalse(sq.hasRoomFor(5));
            Sqe again = sq.next();
            assertNotNull(again, "room again after submit");
            again.prepNop().userData(99);
            ring.submitAndWait(5);
            assertEquals(5, reapAll(ring).size());
        }
    }

    @Test
    void cqOverflowLosesNothing() throws Exception {
        // CQ of 4 entries, 64 NOPs in flight: the kernel holds the overflow back (FEAT_NODROP) and reap flushes it.
        RingParams p = RingParams.builder().entries(4).cqEntries(4).build();
        try (Ring ring = Ring.open(p)) {
            assertTrue(ring.keepsOverflow(), "this kernel has IORING_FEAT_NODROP");
            int total = 64;
            int submitted = 0;
            Set<Long> seen = new HashSet<>();
            while (submitted < total) {
                Sqe sqe;
                while (submitted < total && (sqe = ring.sq().next()) != null) {
                    sqe.prepNop().userData(submitted++);
                }
                ring.submit();
            }
            assertTrue(ring.sq().cqOverflow(), "the CQ overflowed");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.size() < total && System.nanoTime() < deadline) {
                for (Cqe c : reapAll(ring)) {
                    assertTrue(seen.add(c.userData()), "duplicate CQE " + c);
                }
            }
            assertEquals(total, seen.size());
            assertEquals(0, ring.cq().overflowCount());
            assertFalse(ring.sq().cqOverflow());
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() throws Exception {
        Ring ring = Ring.open(params(false, 4));
        SubmissionQueue sq = ring.sq();
        ring.close();
        ring.close();
        assertTrue(ring.isClosed());
        assertThrows(IllegalStateException.class, ring::sq);
        assertThrows(IllegalStateException.class, ring::submit);
        assertThrows(IllegalStateException.class, () -> ring.reap((u, r, f, a, b) -> { }, 1));
        assertThrows(IllegalStateException.class, ring::probe);
        // A reference kept from before close cannot reach the unmapped memory either.
        assertThrows(IllegalStateException.class, sq::next);
    }
}
