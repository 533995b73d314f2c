package io.i2o2.uring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing: rings and wakers close once, refuse use afterwards with an exception instead of touching freed
 * memory or a recycled descriptor, and a ring refuses to close under a thread that is inside a call on it.
 */
class LifecycleTest {
    private static final long WAKE = 0x57A4E;

    @Test
    void everyRingCallAfterCloseThrows() throws Exception {
        Ring ring = Ring.open(RingParams.builder().entries(4).build());
        CompletionQueue cq = ring.cq();
        ring.close();
        ring.close();
        assertTrue(ring.isClosed());
        assertTrue(ring.toString().contains("closed"), ring.toString());
        assertThrows(IllegalStateException.class, ring::cq);
        assertThrows(IllegalStateException.class, () -> ring.submitAndWait(1));
        assertThrows(IllegalStateException.class, () -> ring.submitAndWait(1, 1_000_000));
        assertThrows(IllegalStateException.class, ring::enable);
        assertThrows(IllegalStateException.class, () -> ring.registerFilesSparse(1));
        assertThrows(IllegalStateException.class, ring::unregisterBuffers);
        assertThrows(IllegalStateException.class, () -> cq.reap((u, r, f, a, b) -> { }, 1));
        assertThrows(IllegalStateException.class, cq::ready);
    }

    @Test
    void aClosedWakerRefusesToWakeWithEitherMechanism() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build())) {
            for (RingWaker waker : new RingWaker[] {RingWaker.open(ring, WAKE, KernelFaults.none()),
                    RingWaker.eventFd(WAKE)}) {
                waker.close();
                waker.close();
                UringException e = assertThrows(UringException.class, waker::wake, waker.mechanism());
                assertEquals(Errno.EBADF, e.errno());
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "registered ring fd={0}")
    @ValueSource(booleans = {false, true})
    void closeReleasesWhatTheRingHeld(boolean registerRingFd) throws Exception {
        try (TestPipe pipe = TestPipe.open()) {
            Ring ring = Ring.open(RingParams.builder().entries(2).build());
            if (registerRingFd) {
                assertTrue(ring.registerRingFd());
                assertTrue(ring.registerRingFd(), "a second call keeps the one registration");
            }
            ring.registerFilesSparse(1);
            ring.updateFile(0, pipe.writeFd());
            TestLibc.close(pipe.writeFd());
            assertFalse(pipe.writersGone(), "the ring's file table still holds the write end");
            ring.close();
            // The kernel tears a ring down in a worker: give it a moment.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!pipe.writersGone()) {
                assertTrue(System.nanoTime() < deadline, "the closed ring still holds its files");
                Thread.sleep(10);
            }
        }
    }

    @Test
    @Timeout(30)
    void closeIsRefusedWhileAnotherThreadWaitsOnTheRing() throws Exception {
        Ring ring = Ring.open(RingParams.builder().entries(4).build());
        CountDownLatch aboutToWait = new CountDownLatch(1);
        CompletableFuture<Integer> waited = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().daemon().start(() -> {
            try {
                aboutToWait.countDown();
                ring.submitAndWait(1);
                waited.complete(TestRing.reapReady(ring).size());
            } catch (Throwable t) {
                waited.completeExceptionally(t);
            }
        });
        assertTrue(aboutToWait.await(10, TimeUnit.SECONDS));
        awaitFrame(waiter, "ioUringEnter");
        // The frame shows before the call acquires the ring's memory; give it a moment to get into the kernel.
        Thread.sleep(200);
        assertThrows(IllegalStateException.class, ring::close, "close() must not unmap under a waiting thread");
        assertFalse(ring.isClosed(), "a refused close leaves the ring usable");
        try (Ring other = Ring.open(RingParams.builder().entries(2).build())) {
            TestRing.run(other, 1, s -> s.prepMsgRing(ring.fd(), 0, WAKE, 0)).ok();
        }
        assertEquals(1, waited.get(10, TimeUnit.SECONDS), "the waiter got the message");
        waiter.join(5_000);
        ring.close();
        assertTrue(ring.isClosed());
    }

    /** Waits until {@code thread} is inside a method named {@code method}. */
    private static void awaitFrame(Thread thread, String method) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Arrays.stream(thread.getStackTrace()).noneMatch(f -> f.getMethodName().equals(method))) {
            assertTrue(System.nanoTime() < deadline, thread + " never reached " + method);
            Thread.sleep(10);
        }
    }
}
