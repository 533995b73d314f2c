package io.i2o2.uring;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RingWaker}: a thread parked in {@code ring.submitAndWait(1)} with nothing in flight is woken by
 * {@link RingWaker#wake()} from another thread, round after round, with either mechanism and on a plain or
 * a {@code SINGLE_ISSUER|DEFER_TASKRUN} ring. The ring thread follows the documented protocol: arm before
 * waiting, report the wake CQE with {@link RingWaker#onWakeCompletion()}, arm again.
 */
class RingWakerTest {
    private static final long WAKE = 0x57A4E;
    private static final int ROUNDS = 3;

    @ParameterizedTest(name = "{0}, defer={1}")
    @CsvSource({"msg_ring, false", "msg_ring, true", "eventfd, false", "eventfd, true"})
    @Timeout(30)
    void wakesAThreadBlockedInSubmitAndWait(String mechanism, boolean defer) throws Exception {
        if (mechanism.equals("msg_ring")) {
            Assumptions.assumeTrue(KernelFeatures.sendMsgRing(), KernelFeatures::noSendMsgRing);
        }
        BlockingQueue<String> waiting = new LinkedBlockingQueue<>();
        BlockingQueue<Long> woken = new LinkedBlockingQueue<>();
        CompletableFuture<RingWaker> wakerReady = new CompletableFuture<>();
        CompletableFuture<Void> loopDone = new CompletableFuture<>();
        Thread loop = Thread.ofPlatform().daemon().name("ring-loop").start(() -> {
            try {
                ringLoop(mechanism, defer, wakerReady, waiting, woken);
                loopDone.complete(null);
            } catch (Throwable t) {
                wakerReady.completeExceptionally(t);
                loopDone.completeExceptionally(t);
            }
        });
        try (RingWaker waker = wakerReady.get(10, TimeUnit.SECONDS)) {
            assertEquals(mechanism, waker.mechanism());
            for (int round = 0; round < ROUNDS; round++) {
                assertNotNull(waiting.poll(10, TimeUnit.SECONDS), "the loop reached its wait");
                // Give the loop time to block, and check that it really does block without a wake-up.
                assertNull(woken.poll(100, TimeUnit.MILLISECONDS), "the loop returned without being woken");
                long start = System.nanoTime();
                waker.wake();
                Long at = woken.poll(5, TimeUnit.SECONDS);
                assertNotNull(at, "round " + round + ": the loop did not wake within 5 s");
                assertTrue(at - start < TimeUnit.SECONDS.toNanos(5));
            }
            loopDone.get(10, TimeUnit.SECONDS);
        } finally {
            loop.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    /** The ring's own thread: create the ring and the waker, then wait and get woken {@link #ROUNDS} times. */
    private static void ringLoop(String mechanism, boolean defer, CompletableFuture<RingWaker> wakerReady,
                                 BlockingQueue<String> waiting, BlockingQueue<Long> woken) throws Exception {
        RingParams.Builder params = RingParams.builder().entries(4);
        if (defer) {
            params.require(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN);
        }
        try (Ring ring = Ring.open(params.build())) {
            RingWaker waker = mechanism.equals("msg_ring") ? RingWaker.open(ring, WAKE, KernelFaults.none())
                    : RingWaker.eventFd(WAKE);
            if (waker.mechanism().equals("msg_ring")) {
                // open() proved the mechanism with a test message: take it off the ring first.
                assertEquals(WAKE, TestRing.awaitCqes(ring, 1).getFirst().userData());
            }
            wakerReady.complete(waker);
            for (int round = 0; round < ROUNDS; round++) {
                assertTrue(waker.arm(ring.sq()));
                waiting.add("round " + round);
                ring.submitAndWait(1);
                List<TestRing.Cqe> cqes = TestRing.reapReady(ring);
                assertEquals(List.of(WAKE), cqes.stream().map(TestRing.Cqe::userData).toList());
                assertTrue(cqes.getFirst().res() >= 0, "wake CQE " + cqes.getFirst());
                waker.onWakeCompletion();
                woken.add(System.nanoTime());
            }
        }
    }

    @Test
    @Timeout(30)
    void concurrentWakesFromManyThreadsAllArrive() throws Exception {
        int threads = 4;
        int each = 500;
        try (Ring ring = Ring.open(RingParams.builder().entries(4).cqEntries(64).build());
             RingWaker waker = RingWaker.open(ring, WAKE, KernelFaults.none())) {
            Assumptions.assumeTrue(waker.mechanism().equals("msg_ring"), KernelFeatures::noSendMsgRing);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            waker.wake();
                        } catch (UringException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }));
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            // One CQE per wake-up plus open()'s test message; most of them overflowed the CQ of 64.
            List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, threads * each + 1);
            assertEquals(threads * each + 1, cqes.size());
            assertTrue(cqes.stream().allMatch(c -> c.userData() == WAKE && c.res() == 0));
        }
    }

    @Test
    void openPrefersMsgRingOnThisKernelAndLeavesATestMessage() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build());
             RingWaker waker = RingWaker.open(ring, WAKE, KernelFaults.none())) {
            if (KernelVersion.running().isBefore("6.13")) {
                assertEquals("eventfd", waker.mechanism(), "no SEND_MSG_RING before 6.13");
                assertEquals(0, ring.cq().ready(), "no test message was delivered");
                return;
            }
            assertEquals("msg_ring", waker.mechanism());
            assertEquals(WAKE, waker.wakeUserData());
            assertEquals(List.of(WAKE), TestRing.awaitCqes(ring, 1).stream().map(TestRing.Cqe::userData).toList());
        }
    }

    @Test
    void aSimulated61KernelFallsBackToEventfd() throws Exception {
        KernelFaults faults = KernelFaults.plan().simulateKernel("6.1");
        try (Ring ring = Ring.open(RingParams.builder().entries(4).faults(faults).build());
             RingWaker waker = RingWaker.open(ring, WAKE, faults)) {
            assertEquals("eventfd", waker.mechanism());
            assertEquals(0, ring.cq().ready(), "no test message was delivered");
        }
    }

    @Test
    void aSendMsgRingFailureOtherThanMissingIsThrown() throws Exception {
        KernelFaults faults = KernelFaults.plan().failRegister(RegisterOp.SEND_MSG_RING, Errno.EPERM, 1);
        try (Ring ring = Ring.open(RingParams.builder().entries(4).build())) {
            UringException e = assertThrows(UringException.class, () -> RingWaker.open(ring, WAKE, faults));
            assertEquals(Errno.EPERM, e.errno(), e.getMessage());
        }
    }

    @Test
    void eventfdArmsOnceUntilItsCompletionIsReported() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).build());
             RingWaker waker = RingWaker.eventFd(WAKE)) {
            assertTrue(waker.arm(ring.sq()));
            assertTrue(waker.arm(ring.sq()));
            assertEquals(1, ring.sq().pending(), "a second arm() adds no second read");
            ring.sq().next().prepNop().userData(1);
            assertTrue(waker.arm(ring.sq()), "already armed: needs no room");
            ring.submit();
            waker.wake();
            waker.wake();
            List<TestRing.Cqe> cqes = TestRing.awaitCqes(ring, 2);
            assertEquals(8, TestRing.find(cqes, WAKE).res(), "the read of the eventfd counter");
            waker.onWakeCompletion();
            assertTrue(waker.arm(ring.sq()));
            assertEquals(1, ring.sq().pending(), "re-armed after the completion");
        }
    }

    @Test
    void armReportsAFullSq() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(1).build());
             RingWaker waker = RingWaker.eventFd(WAKE)) {
            ring.sq().next().prepNop().userData(1);
            assertFalse(waker.arm(ring.sq()), "no room for the read");
            ring.submit();
            assertTrue(waker.arm(ring.sq()), "room after submit");
        }
    }
}
