package io.i2o2.file;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a loop's end owes the futures of its file API: every listener runs exactly once, however late it is
 * added and whatever the loop was doing with its notification as it terminated.
 */
class LoopEndTest {
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
        int rounds = 8;
        int futures = 20_000;
        int never = 0;
        int twice = 0;
        int total = 0;
        for (int round = 0; round < rounds; round++) {
            group = type.create();
            IoUringFileIo io = IoUringFileIo.of(group.next());
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

    private static long sum(AtomicIntegerArray a) {
        long s = 0;
        for (int i = 0; i < a.length(); i++) {
            s += a.get(i);
        }
        return s;
    }
}
