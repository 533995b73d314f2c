package io.i2o2.file;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelFaults;
import io.i2o2.uring.SetupFlag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a loop behaves at its limits: backpressure, overflow, wake-ups, old kernels, failures. */
class LoopBehaviourTest {
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;

    /**
     * Keeps the loop busy in a task until the returned latch is counted down. Returns once the task runs, so
     * everything submitted afterwards waits for the latch.
     */
    static CountDownLatch block(FileIo loop) throws InterruptedException {
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        loop.executor().execute(() -> {
            running.countDown();
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!running.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError(loop + " did not run the blocking task");
        }
        return hold;
    }

    /**
     * A completed op's slot is free before anyone can see the completion: a thread that saw a future complete,
     * or was told by a callback, and submits at once is never refused for want of that slot; a callback that
     * resubmits on the loop thread finds it too, also after another callback threw; inside the callback the
     * completed op no longer counts as pending. Run with all but one slot held by timers, so a slot freed
     * late (after its completion is delivered) or lost shows as an overload refusal. A slot kept back for the
     * loop's own resubmission until the callback returned (tried, not kept) failed here and in MetricsTest.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aCompletedOpsSlotIsFreeBeforeAnyoneSeesTheCompletion(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().maxInFlight(4).build());
        try {
            FileIo loop = FileIo.of(group.next());
            int held = loop.maxInFlight() - 1;
            List<Future<Void>> timers = new ArrayList<>();
            for (int i = 0; i < held; i++) {
                timers.add(loop.timeout(1, TimeUnit.HOURS));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.pendingOps() != held && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(held, loop.pendingOps(), "the timers hold all but one slot");

            // Futures: await one, submit the next at once, 200 times.
            for (int i = 0; i < 200; i++) {
                IntFuture nop = loop.nop();
                assertTrue(nop.await(10, TimeUnit.SECONDS));
                assertTrue(nop.isSuccess(), "nop " + i + ": " + nop.cause());
            }

            // A callback that resubmits on the loop thread 1,000 times, through the one free slot.
            CompletableFuture<Integer> chain = new CompletableFuture<>();
            AtomicInteger pendingInside = new AtomicInteger(-1);
            IoCallback again = new IoCallback() {
                int left = 1000;

                @Override
                public void onComplete(int res, long tag) {
                    pendingInside.compareAndSet(-1, loop.pendingOps());
                    if (res < 0 || --left == 0) {
                        chain.complete(res);
                        return;
                    }
                    try {
                        loop.nop(this, 0);
                    } catch (RuntimeException e) {
                        chain.completeExceptionally(e);
                    }
                }
            };
            loop.executor().execute(() -> loop.nop(again, 0));
            assertEquals(0, chain.get(10, TimeUnit.SECONDS), "every resubmission found the slot");
            assertEquals(held, pendingInside.get(), "inside its callback the completed op is no longer pending");

            // Callbacks that tell this thread, the first one throwing: each time this thread gets the slot at once.
            for (boolean throwing : new boolean[] {true, false, true}) {
                CountDownLatch called = new CountDownLatch(1);
                loop.nop((res, tag) -> {
                    called.countDown();
                    if (throwing) {
                        throw new IllegalStateException("thrown by the test's callback");
                    }
                }, 0);
                assertTrue(called.await(10, TimeUnit.SECONDS));
            }
            IntFuture last = loop.nop();
            assertTrue(last.await(10, TimeUnit.SECONDS));
            assertTrue(last.isSuccess(), "after the callbacks: " + last.cause());
            for (Future<Void> t : timers) {
                t.cancel(false);
            }
            for (Future<Void> t : timers) {
                assertTrue(t.await(10, TimeUnit.SECONDS));
            }
        } finally {
            Groups.shutdown(group);
        }
    }

    /** On NETTY and NIO the bound is the process-wide one ({@code -Dio.i2o2.maxInFlight}, 4096): that is what fills. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void fullLoopFailsAtOnceWithOverloadAndTheBlockingViewWaits(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().maxInFlight(8).build());
        CountDownLatch hold = null;
        try {
            FileIo loop = FileIo.of(group.next());
            int bound = loop.maxInFlight();
            assertEquals(type.takesConfig() ? 8 : type == Groups.NETTY ? NettyRingHandle.MAX_IN_FLIGHT
                    : ConfigProperties.MAX_IN_FLIGHT, bound);
            Files.write(dir.resolve("b"), new byte[4096]);
            IoUringFile file = FileOpsTest.await(loop.open(dir.resolve("b")));
            hold = block(loop);
            List<IntFuture> accepted = new ArrayList<>();
            for (int i = 0; i < bound; i++) {
                accepted.add(loop.nop());
            }
            ByteBuf buf = ALLOC.directBuffer(16, 16);
            Future<Integer> refused = file.read(buf, 0);
            assertTrue(refused.isDone(), "refused at once, not queued");
            assertInstanceOf(FileIoOverloadedException.class, refused.cause());
            String knob = type.takesConfig() ? "IoUringConfig.maxInFlight" : "-Dio.i2o2.maxInFlight";
            assertTrue(refused.cause().getMessage().contains(knob), "names the knob: " + refused.cause().getMessage());
            assertEquals(1, buf.refCnt(), "a refused op retains nothing");
            assertThrows(FileIoOverloadedException.class, () -> loop.nop((res, tag) -> { }, 0),
                    "the callback API throws instead");

            // A plain thread waits for room instead.
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return file.blocking().read(buf, 0).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(50);
            assertFalse(blocked.isDone(), "waits while the loop is full: " + blocked);
            hold.countDown();
            assertEquals(16, blocked.get(10, TimeUnit.SECONDS));
            for (IntFuture f : accepted) {
                assertEquals(0, f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, buf.refCnt());
            buf.release();

            // ...but never on an event loop thread, where waiting would block the loop that makes room.
            CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
            CountDownLatch full = block(loop);
            List<IntFuture> filling = new ArrayList<>();
            for (int i = 0; i < bound; i++) {
                filling.add(loop.nop());
            }
            ByteBuf other = ALLOC.directBuffer(16, 16);
            loop.executor().execute(() -> file.blocking().read(other, 0).addListener(f -> onLoop.complete(f.cause())));
            full.countDown();
            assertInstanceOf(IllegalStateException.class, onLoop.get(10, TimeUnit.SECONDS));
            for (IntFuture f : filling) {
                assertEquals(0, f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, other.refCnt());
            other.release();
            FileOpsTest.await(file.close());
        } finally {
            if (hold != null) {
                hold.countDown();
            }
            Groups.shutdown(group);
        }
    }

    /** On NETTY the 4-entry SQ and 8-entry CQ are Netty's ring's (its own config), the ops as many as it holds. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void moreOpsInFlightThanTheCqHoldsLosesNoCompletion(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.createWithRingSizes(IoUringConfig.builder().ringEntries(4)
                .cqEntries(8).maxInFlight(5000).build());
        try {
            FileIo loop = FileIo.of(group.next());
            int n = Math.min(5000, loop.maxInFlight());
            CountDownLatch hold = block(loop);
            List<IntFuture> ops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ops.add(loop.nop());
            }
            hold.countDown();
            for (IntFuture f : ops) {
                assertEquals(0, f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            Groups.shutdown(group);
        }
    }

    // Not NETTY: the wake-up mechanism is our ring's; Netty's loop wakes its own way (wakeMechanism() "netty").
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void eventFdWakeUpsWorkToo(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().eventFdWakeup(true).build());
        try {
            FileIo loop = FileIo.of(group.next());
            assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS));
            assertEquals("eventfd", loop.wakeMechanism());
            for (int i = 0; i < 1000; i++) {
                assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS), "round trip " + i);
            }
        } finally {
            Groups.shutdown(group);
        }
    }

    @Test
    void onThisKernelTheLoopWakesThroughMsgRing() throws Exception {
        Assumptions.assumeTrue(io.i2o2.uring.KernelFeatures.sendMsgRing(),
                io.i2o2.uring.KernelFeatures::noSendMsgRing);
        IoUringEventLoopGroup group = Groups.FILE.createOwn(IoUringConfig.defaults());
        try {
            FileIo loop = FileIo.of(group.next());
            loop.nop().get(10, TimeUnit.SECONDS);
            assertEquals("msg_ring", loop.wakeMechanism(),
                    "a bare ring takes IORING_REGISTER_SEND_MSG_RING here, so the loop must use it");
        } finally {
            Groups.shutdown(group);
        }
    }

    @Test
    void simulatedOlderKernelsRunWithoutTheFlagsTheyLack() throws Exception {
        for (String release : new String[] {"5.15", "5.19", "6.0", "6.1"}) {
            IoUringConfig config = IoUringConfig.builder()
                    .faults(KernelFaults.plan().simulateKernel(release)).build();
            IoUringEventLoopGroup group = Groups.FILE.createOwn(config);
            try {
                FileIo loop = FileIo.of(group.next());
                assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS), release);
                assertEquals("eventfd", loop.wakeMechanism(), release + " has no SEND_MSG_RING");
                assertFalse(loop.ringFlags().contains("NO_SQARRAY"), release);
                assertEquals(release.equals("6.1"), loop.ringFlags().contains("DEFER_TASKRUN"), release);
                Files.write(dir.resolve("k"), new byte[] {1, 2, 3});
                IoUringFile file = FileOpsTest.await(loop.open(dir.resolve("k")));
                ByteBuf buf = ALLOC.directBuffer(8);
                assertEquals(3, file.read(buf, 0).get(10, TimeUnit.SECONDS));
                buf.release();
                Future<Integer> truncate = file.truncate(1).await();
                assertInstanceOf(UnsupportedOperationException.class, truncate.cause(), release + " lacks FTRUNCATE");
                FileOpsTest.await(file.close());
            } finally {
                Groups.shutdown(group);
            }
        }
        IllegalStateException noPassthrough = assertThrows(IllegalStateException.class, () -> Groups.PASSTHROUGH
                .create(IoUringConfig.builder().faults(KernelFaults.plan().simulateKernel("5.15")).build()));
        assertTrue(noPassthrough.getCause().getMessage().contains("SQE128"), noPassthrough.getCause().getMessage());
    }

    // Not NETTY: KernelFaults simulates the kernel under our ring's io_uring_enter; Netty's ring has no such seam.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void transientEnterErrorsAreRetriedAndLoseNothing(Groups type) throws Exception {
        for (int errno : new int[] {Errno.EINTR, Errno.EAGAIN, Errno.EBUSY}) {
            KernelFaults faults = KernelFaults.plan();
            MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().faults(faults).build());
            try {
                FileIo loop = FileIo.of(group.next());
                loop.nop().get(10, TimeUnit.SECONDS);
                faults.failEnter(errno, 20);
                List<IntFuture> ops = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    ops.add(loop.nop());
                }
                for (IntFuture f : ops) {
                    assertEquals(0, f.get(10, TimeUnit.SECONDS));
                }
            } finally {
                Groups.shutdown(group);
            }
        }
    }

    // Not NETTY: the failing io_uring_enter is injected through KernelFaults, which only our rings call.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void aRingThatFailsFailsEveryPendingFutureAndTheTerminationFuture(Groups type) throws Exception {
        KernelFaults faults = KernelFaults.plan();
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().faults(faults).build());
        FileIo loop = FileIo.of(group.next());
        loop.nop().get(10, TimeUnit.SECONDS);
        CountDownLatch hold = block(loop);
        faults.failEnter(Errno.EBADF, Integer.MAX_VALUE);
        List<IntFuture> ops = new ArrayList<>();
        ByteBuf buf = ALLOC.directBuffer(8);
        Files.write(dir.resolve("d"), new byte[8]);
        for (int i = 0; i < 50; i++) {
            ops.add(loop.nop());
        }
        hold.countDown();
        for (IntFuture f : ops) {
            assertTrue(f.await(10, TimeUnit.SECONDS), "no future is left hanging");
            assertFalse(f.isSuccess());
        }
        assertTrue(loop.executor().terminationFuture().await(10, TimeUnit.SECONDS));
        assertFalse(loop.executor().terminationFuture().isSuccess(), "the termination future says the loop died");
        assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, loop.nop().await().cause());
        buf.release();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aThrowingListenerOrCallbackDoesNotKillTheLoop(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        try {
            FileIo loop = FileIo.of(group.next());
            AtomicInteger calls = new AtomicInteger();
            loop.nop().addListener(f -> {
                calls.incrementAndGet();
                throw new StackOverflowError("listener bug");
            });
            loop.nop((res, tag) -> {
                calls.incrementAndGet();
                throw new OutOfMemoryError("callback bug");
            }, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (calls.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(2, calls.get());
            assertEquals(0, loop.nop().get(10, TimeUnit.SECONDS), "the loop still runs");
        } finally {
            Groups.shutdown(group);
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void groupsAreNettyExecutorGroups(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        FileIo loop = FileIo.of(group.next());
        assertEquals(42, loop.executor().submit(() -> 42).get(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        loop.executor().schedule(() -> { }, 30, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(25), "scheduled tasks wake the loop");
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        assertTrue(group.isTerminated());
        assertTrue(group.terminationFuture().isSuccess());
    }
}
