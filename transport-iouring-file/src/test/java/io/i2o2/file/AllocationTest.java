package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the op path allocates, as {@link IoCallback} and {@link IntPromise} promise: nothing per op through
 * the callback API, one object (the promise) per op through the Future API, on a ring and on the portable engine
 * (there counted over every thread: its workers run the calls). Counted with the JVM's
 * per-thread allocation counters over many ops; the best of several rounds is taken, because the first
 * rounds run before the JIT has compiled (and escape-analysed) the path.
 */
class AllocationTest {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int OPS = 50_000;
    private static final int ROUNDS = 30;
    /** The Future API's one object: a 48-byte IntPromise with compressed oops; 64 leaves room for other layouts. */
    private static final double ONE_PROMISE = 64;

    @TempDir
    Path dir;
    private io.netty.channel.MultiThreadIoEventLoopGroup group;
    private FileIo loop;
    private long loopThread;

    void start(Groups type) throws Exception {
        assumeTrue(MX.isThreadAllocatedMemorySupported() && MX.isThreadAllocatedMemoryEnabled(),
                "no per-thread allocation counters in this JVM");
        group = type.create();
        loop = FileIo.of(group.next());
        loopThread = loop.executor().submit(() -> Thread.currentThread().threadId()).get(5, TimeUnit.SECONDS);
    }

    /** What to count: the loop thread on a ring, every thread on the portable engine (its workers run the calls). */
    private LongSupplier counter(Groups type) {
        return type.isPortable() ? MX::getTotalThreadAllocatedBytes : () -> MX.getThreadAllocatedBytes(loopThread);
    }

    @AfterEach
    void stop() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    /** Runs {@code OPS} ops on the loop's thread, each completion submitting the next, until the last. */
    private abstract static class OnLoop implements IoCallback {
        int left;
        CountDownLatch done;

        abstract void submit();

        void round(FileIo loop) throws InterruptedException {
            left = OPS;
            done = new CountDownLatch(1);
            loop.executor().execute(this::submit);
            assertTrue(done.await(30, TimeUnit.SECONDS), "ops did not complete");
        }

        @Override
        public void onComplete(int result, long tag) {
            if (result < 0) {
                throw new AssertionError("op failed: " + result);    // no message built on the good path
            }
            if (--left > 0) {
                submit();
            } else {
                done.countDown();
            }
        }
    }

    /** The fewest bytes per op that {@code counter} saw over one round, of up to {@link #ROUNDS}. */
    private static double bestBytesPerOp(LongSupplier counter, Round round, double goal) throws Exception {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < ROUNDS && best > goal; r++) {
            long before = counter.getAsLong();
            round.run();
            best = Math.min(best, (counter.getAsLong() - before) / (double) OPS);
        }
        return best;
    }

    @FunctionalInterface
    private interface Round {
        void run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(value = Groups.class, names = {"FILE", "PORTABLE"})
    void callbackNopOnTheLoopAllocatesNothing(Groups type) throws Exception {
        start(type);
        OnLoop nops = new OnLoop() {
            @Override
            void submit() {
                loop.nop(this, 0);
            }
        };
        double perOp = bestBytesPerOp(counter(type), () -> nops.round(loop), 0.1);
        assertTrue(perOp < 0.1, "callback NOP: " + perOp + " bytes per op on the loop thread");
    }

    @ParameterizedTest
    @EnumSource(value = Groups.class, names = {"FILE", "PORTABLE"})
    void callbackReadOnTheLoopAllocatesNothing(Groups type) throws Exception {
        start(type);
        Path path = Files.write(dir.resolve("data"), new byte[1 << 20]);
        IoUringFile file = loop.open(path).get(5, TimeUnit.SECONDS);
        ByteBuf buf = AlignedBuffers.allocate(4096, 4096);
        try {
            OnLoop reads = new OnLoop() {
                @Override
                void submit() {
                    file.read(buf.clear(), (left & 255) * 4096L, this, 0);
                }
            };
            double perOp = bestBytesPerOp(counter(type), () -> reads.round(loop), 0.1);
            assertTrue(perOp < 0.1, "callback read: " + perOp + " bytes per op on the loop thread");
            assertEquals(1, buf.refCnt(), "every op released what it retained");
        } finally {
            buf.release();
            file.close().get(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Groups.class, names = {"FILE", "PORTABLE"})
    void futureNopFromAnotherThreadAllocatesOnlyItsPromise(Groups type) throws Exception {
        start(type);
        Round round = () -> {
            for (int i = 0; i < OPS; i++) {
                IntFuture f = loop.nop();
                f.awaitUninterruptibly();
                if (f.resultAsInt() != 0) {
                    throw new AssertionError("NOP returned " + f.resultAsInt());
                }
            }
        };
        // Every thread counts: the promise is made here, completed on the loop; neither side may add more.
        double perOp = bestBytesPerOp(MX::getTotalThreadAllocatedBytes, round, ONE_PROMISE);
        assertTrue(perOp <= ONE_PROMISE, "Future NOP: " + perOp + " bytes per op, all threads");
    }

    /**
     * Batches of callback reads from another thread: one object per batch (its future), nothing per op; the batch
     * object is reused. Counted over every thread, per batch.
     */
    @ParameterizedTest
    @EnumSource(value = Groups.class, names = {"FILE", "PORTABLE"})
    void callbackBatchesAllocateOnlyTheBatchFuture(Groups type) throws Exception {
        start(type);
        Path path = Files.write(dir.resolve("batched"), new byte[1 << 20]);
        IoUringFile file = loop.open(path).get(5, TimeUnit.SECONDS);
        int perBatch = 32;
        ByteBuf[] bufs = new ByteBuf[perBatch];
        for (int i = 0; i < perBatch; i++) {
            bufs[i] = AlignedBuffers.allocate(4096, 4096);
        }
        BatchedOps batch = loop.batch();
        IoCallback check = (res, tag) -> {
            if (res != 4096) {
                throw new AssertionError("read returned " + res);
            }
        };
        try {
            Round round = () -> {
                for (int b = 0; b < OPS / perBatch; b++) {
                    for (int i = 0; i < perBatch; i++) {
                        batch.read(file, bufs[i].clear(), ((b + i) & 255) * 4096L, check, i);
                    }
                    batch.submit().awaitUninterruptibly();
                }
            };
            // bestBytesPerOp divides by OPS: times perBatch is per batch (rounding down the batches makes it a bound).
            double perBatchBytes = bestBytesPerOp(MX::getTotalThreadAllocatedBytes, round, ONE_PROMISE / perBatch)
                    * perBatch;
            assertTrue(perBatchBytes <= ONE_PROMISE, "callback batch of " + perBatch + " reads: " + perBatchBytes
                    + " bytes per batch, all threads");
            for (ByteBuf buf : bufs) {
                assertEquals(1, buf.refCnt(), "every op released what it retained");
            }
        } finally {
            for (ByteBuf buf : bufs) {
                buf.release();
            }
            file.close().get(5, TimeUnit.SECONDS);
        }
    }
}
