package io.i2o2.uring;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small helpers the ring tests share: collect CQEs with a deadline, run one SQE to its completion, make C
 * strings. Every wait is bounded, so a lost completion fails the test instead of hanging the build.
 */
final class TestRing {
    /** How long any test waits for completions the kernel should deliver at once. */
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** One wait slice: short, so the deadline is checked often. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private TestRing() {
    }

    /** One CQE as the test saw it. */
    record Cqe(long userData, int res, int flags, long extra0, long extra1) {
        /** The result, or a failure naming the errno when it is negative. */
        int ok() {
            if (res < 0) {
                fail("CQE " + userData + " failed: " + Errno.format(res));
            }
            return res;
        }
    }

    /** Reaps whatever is ready now, without waiting. */
    static List<Cqe> reapReady(Ring ring) throws UringException {
        List<Cqe> out = new ArrayList<>();
        ring.reap((u, r, f, x0, x1) -> out.add(new Cqe(u, r, f, x0, x1)), Integer.MAX_VALUE);
        return out;
    }

    /**
     * Submits what is queued and collects CQEs until {@code count} have arrived; fails after
     * {@link #DEADLINE_NANOS}. Must run on the ring's submitting thread.
     */
    static List<Cqe> awaitCqes(Ring ring, int count) throws UringException {
        List<Cqe> out = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (out.size() < count) {
            if (System.nanoTime() - deadline > 0) {
                fail("only " + out.size() + " of " + count + " CQEs arrived within 10 s: " + out);
            }
            ring.submitAndWait(1, SLICE_NANOS);
            ring.reap((u, r, f, x0, x1) -> out.add(new Cqe(u, r, f, x0, x1)), Integer.MAX_VALUE);
        }
        return out;
    }

    /** Writes one SQE with {@code prep}, tags it with {@code userData}, submits it and returns its CQE. */
    static Cqe run(Ring ring, long userData, Consumer<Sqe> prep) throws UringException {
        Sqe sqe = ring.sq().next();
        assertNotNull(sqe, "the SQ has room for one entry");
        prep.accept(sqe);
        sqe.userData(userData);
        List<Cqe> cqes = awaitCqes(ring, 1);
        assertEquals(1, cqes.size(), "one CQE for one SQE: " + cqes);
        assertEquals(userData, cqes.getFirst().userData(), "the CQE carries the SQE's user_data");
        return cqes.getFirst();
    }

    /** The CQE with this user_data among {@code cqes}; fails if there is none. */
    static Cqe find(List<Cqe> cqes, long userData) {
        return cqes.stream().filter(c -> c.userData() == userData).findFirst()
                .orElseThrow(() -> new AssertionError("no CQE with user_data " + userData + " in " + cqes));
    }

    /** A NUL-terminated copy of {@code path} in {@code arena}, for the *at opcodes. */
    static long cString(Arena arena, Path path) {
        return arena.allocateFrom(path.toString()).address();
    }
}
