package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a loop's end owes the futures of its file API: every listener runs exactly once, however late it is
 * added and whatever the loop was doing with its notification as it terminated.
 */
class LoopEndTest {
    /**
     * Rounds of each shutdown race ({@code -Di2o2.test.shutdownRounds}): 8 on the host; the 6.1 guest
     * (LibraryGuestIT, ~10x slower) runs fewer, its point being the kernel, not the interleavings.
     */
    private static final int ROUNDS = Integer.getInteger("i2o2.test.shutdownRounds", 8);
    /**
     * For a read that Netty's loop may leave pinned for good (its ring closed before the kernel answered): by
     * design, so not the leak detector's business.
     */
    private static final UnpooledByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(true, true);
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    /**
     * Listeners added from other threads to completed futures while the loop shuts down: Netty's promise hands
     * each notification to the loop as a task, which a shutting-down loop refuses (Netty then only logs "Failed
     * to submit a listener notification task") or accepts and drops as it terminates ("terminated with
     * non-empty task queue"). Each future gets one listener, so a lost notification is not made up for by a
     * later one; the scenario runs several times to cross the short windows. Before ListenerExecutor, some
     * listeners never ran.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void listenersAddedWhileTheLoopShutsDownEachRunOnce(Groups type) throws Exception {
        int rounds = ROUNDS;
        int futures = 20_000;
        int never = 0;
        int twice = 0;
        int total = 0;
        for (int round = 0; round < rounds; round++) {
            group = type.create();
            FileIo io = FileIo.of(group.next());
            List<Future<Integer>> done = new ArrayList<>(futures);
            for (int i = 0; i < futures; i++) {
                done.add(io.nop());
                if (i % 1000 == 999) {
                    done.get(i).await(10, TimeUnit.SECONDS);   // stay below maxInFlight
                }
            }
            for (Future<Integer> f : done) {
                assertTrue(f.await(10, TimeUnit.SECONDS), "a NOP did not complete");
            }
            AtomicIntegerArray ran = new AtomicIntegerArray(futures);   // per listener: how often it ran
            AtomicInteger cursor = new AtomicInteger();
            List<Thread> adders = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                adders.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = cursor.getAndIncrement()) < futures; ) {
                        int id = i;
                        done.get(id).addListener(f -> ran.incrementAndGet(id));
                    }
                }));
            }
            while (cursor.get() < futures / 10) {
                Thread.onSpinWait();
            }
            MultiThreadIoEventLoopGroup g = group;
            group = null;
            assertTrue(g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS), "terminated");
            for (Thread t : adders) {
                t.join(60_000);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sum(ran) < futures && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(50);   // a listener running twice would show up by now
            for (int i = 0; i < futures; i++) {
                int n = ran.get(i);
                if (n == 0) {
                    never++;
                } else if (n > 1) {
                    twice++;
                }
            }
            total += futures;
        }
        assertEquals(0, never + twice, never + " of " + total + " listeners never ran, " + twice
                + " ran more than once");
    }

    /**
     * Ops that wait in the kernel for ever (a one-hour timeout, a read from a FIFO nobody writes) when their loop
     * shuts down: every future is failed, with a reason, by the time the loop has terminated, and the read's
     * buffer is given back. On Netty's loop they used to be failed only by a listener of its termination future
     * (on GlobalEventExecutor, after anyone waiting for the termination was woken), so a future could still be
     * pending once the loop had terminated; the scenario runs many times to catch that. Now the ops in Netty's ring
     * are cancelled when its shutdown begins; one whose cancellation Netty's ring never answered before it closed
     * (seen in the slow 6.1 guest) fails just after the termination, on GlobalEventExecutor (Netty wakes the
     * termination's waiters before its listeners, and offers no hook between closing its ring and terminating),
     * and a read of that kind keeps its buffer pinned for good.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void opsWaitingInTheKernelAreFailedOnceTheLoopTerminated(Groups type, @TempDir Path dir) throws Exception {
        // Our rings wait for the graceful timeout (1 s) each time.
        int rounds = type == Groups.NETTY ? Math.max(2, ROUNDS * 5 / 2) : 2;
        for (int round = 0; round < rounds; round++) {
            MultiThreadIoEventLoopGroup g = type.create();
            FileIo io = FileIo.of(g.next());
            Path fifo = dir.resolve("fifo-" + round);
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertEquals(0, p.waitFor(), "mkfifo");
            IoUringFile pipe = FileOpsTest.await(io.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
            ByteBuf buf = UNTRACKED.directBuffer(64);
            Future<Void> timer = io.timeout(1, TimeUnit.HOURS);
            IntFuture read = pipe.read(buf, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (io.metrics().inFlight() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS), "terminated");
            for (Future<?> f : List.of(timer, read)) {
                if (!type.takesConfig()) {
                    // Another transport's loop: at the latest just after the termination (see above); on NIO a
                    // worker's read() that cannot be stopped fails 2 s after it.
                    f.await(10, TimeUnit.SECONDS);
                }
                assertTrue(f.isDone(), "round " + round + ": " + f + " still pending after the loop terminated");
                assertFalse(f.isSuccess(), "round " + round + ": " + f);
                assertNotNull(f.cause(), "round " + round + ": a failure gives its reason");
            }
            if (type == Groups.NETTY) {
                assertInstanceOf(RejectedExecutionException.class, timer.cause(), "names the shutdown");
                assertTrue(timer.cause().getMessage().contains("shut down"), timer.cause().getMessage());
            }
            // Also a portable loop's: a worker's read() nobody feeds cannot be stopped; it stays pinned until it returns.
            boolean pinnedForGood = (type == Groups.NETTY || type.isPortable())
                    && read.cause().getMessage().contains("stay pinned");
            assertEquals(pinnedForGood ? 2 : 1, buf.refCnt(), "round " + round + ": the cancelled read gave its "
                    + "buffer back, or Netty's ring closed before the kernel answered and it stays pinned: " + read.cause());
            if (!pinnedForGood) {
                buf.release();
            }
            pipe.close();
        }
    }

    private static long sum(AtomicIntegerArray a) {
        long s = 0;
        for (int i = 0; i < a.length(); i++) {
            s += a.get(i);
        }
        return s;
    }
}
