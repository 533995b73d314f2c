package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code SINGLE_ISSUER} rings accept submissions from one thread only: the one that created the ring, or,
 * for a ring started disabled, the one that called {@link Ring#enable()}. Any other thread gets
 * {@code EEXIST}: this is why the file module creates or enables each ring on its own loop thread.
 */
class SingleIssuerTest {

    @Test
    void onlyTheCreatingThreadMaySubmit() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).require(SetupFlag.SINGLE_ISSUER).build());
             ExecutorService other = Executors.newSingleThreadExecutor()) {
            UringException e = onThread(other, () -> {
                ring.sq().next().prepNop().userData(1);
                return assertThrows(UringException.class, ring::submit);
            });
            assertEquals(Errno.EEXIST, e.errno(), "another thread is refused: " + e.getMessage());
            // The refused entry stays queued; the owner submits it.
            assertEquals(1, TestRing.awaitCqes(ring, 1).getFirst().userData());
        }
    }

    @Test
    void theEnablingThreadBecomesTheSubmitter() throws Exception {
        RingParams params = RingParams.builder().entries(4).startDisabled(true)
                .require(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN).build();
        try (Ring ring = Ring.open(params);
             ExecutorService loop = Executors.newSingleThreadExecutor()) {
            TestRing.Cqe cqe = onThread(loop, () -> {
                ring.enable();
                return TestRing.run(ring, 7, Sqe::prepNop);
            });
            assertEquals(0, cqe.res());
            ring.sq().next().prepNop().userData(8);
            UringException e = assertThrows(UringException.class, ring::submit);
            assertEquals(Errno.EEXIST, e.errno(), "the creating thread lost the ring to the enabling one");
            assertEquals(8, onThread(loop, () -> TestRing.awaitCqes(ring, 1)).getFirst().userData());
        }
    }

    /** A task that may throw. */
    interface Task<T> {
        T call() throws Exception;
    }

    private static <T> T onThread(ExecutorService thread, Task<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }
}
