package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The windowed producer harness counts every op exactly once and stops cleanly at the deadline. */
class ProducersTest {

    /** Ops that complete on another executor, so producers really wait; counts submissions. */
    private static final class CountingOps implements Producers.SlotOps {
        final EventExecutor executor;
        final AtomicLong submitted = new AtomicLong();

        CountingOps(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public Future<?> submit(int slot) {
            submitted.incrementAndGet();
            Promise<Integer> p = executor.newPromise();
            executor.execute(() -> p.setSuccess(slot));
            return p;
        }
    }

    @Test
    void pastTheDeadlineEachSlotCompletesOnce() {
        CountingOps ops = new CountingOps(ImmediateEventExecutor.INSTANCE);
        long count = Producers.windowed(ops, 8, new LatencyHistogram(), System.nanoTime() - 1);
        assertEquals(8, count);
        assertEquals(8, ops.submitted.get());
    }

    @Test
    void everySubmittedOpIsCountedAndTimed() throws Exception {
        EventExecutor executor = new DefaultEventExecutor();
        try {
            CountingOps ops = new CountingOps(executor);
            LatencyHistogram hist = new LatencyHistogram();
            long count = Producers.windowed(ops, 4, hist, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            assertEquals(ops.submitted.get(), count);
            assertEquals(count, hist.count());
            assertTrue(count > 4, "ran for 50 ms: " + count);
        } finally {
            executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void runSumsProducersOfBothKinds() throws Exception {
        EventExecutor executor = new DefaultEventExecutor();
        try {
            for (ThreadKind kind : ThreadKind.values()) {
                CountingOps[] ops = new CountingOps[3];
                Measurement m = Producers.run(3, kind, 2, TimeUnit.MILLISECONDS.toNanos(30),
                        (p, window) -> ops[p] = new CountingOps(executor));
                long submitted = 0;
                for (CountingOps o : ops) {
                    submitted += o.submitted.get();
                }
                assertEquals(submitted, m.ops(), kind.toString());
                assertTrue(m.p50Nanos() >= 0 && m.wallNanos() > 0);
            }
        } finally {
            executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aFailedOpFailsTheRun() {
        Producers.SlotOps failing =
                slot -> ImmediateEventExecutor.INSTANCE.newFailedFuture(new IllegalStateException("boom"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Producers.run(1,
                ThreadKind.PLATFORM, 1, TimeUnit.MILLISECONDS.toNanos(10), (p, window) -> failing));
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
    }
}
