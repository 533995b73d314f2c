package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches ({@link BatchedOps}) on every engine: many independent ops in one hand-over, each its own result, one
 * future for all, admitted or refused whole, cancelled before the ring, nothing left pinned.
 */
// Runs where io_uring is unavailable too: Groups.all() then holds the portable engine's loops alone.
@io.i2o2.uring.WithoutIoUring
class BatchedOpsTest {
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    static final int BLOCK = 4096;
    /**
     * Batches a producer hands over while the loop shuts down: 600 on the host; the 6.1 guest, where the point is
     * the kernel and not the interleavings, runs a quarter ({@code -Di2o2.test.shutdownRounds=2}, as LoopEndTest).
     */
    static final int RACING_BATCHES = 75 * Integer.getInteger("i2o2.test.shutdownRounds", 8);

    @TempDir
    Path dir;
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    FileIo loop(Groups type, IoUringConfig config) {
        group = type.create(config);
        return FileIo.of(group.next());
    }

    static <T> T await(Future<T> f) throws Exception {
        assertTrue(f.await(10, TimeUnit.SECONDS), "not done in 10 s: " + f);
        if (!f.isSuccess()) {
            throw new AssertionError("failed: " + f, f.cause());
        }
        return f.getNow();
    }

    byte[] dataFile(String name, int blocks, long seed) throws Exception {
        byte[] data = new byte[blocks * BLOCK];
        new Random(seed).nextBytes(data);
        Files.write(dir.resolve(name), data);
        return data;
    }

    /**
     * A thread's finished ops leave their slots in its producer lane; while it lives and submits nothing more,
     * those slots are still room for everyone: a batch as large as the whole bound from another thread is
     * admitted whole, not refused as an overload.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void slotsRestingInAnIdleThreadsLaneAreRoomForAWholeBatch(Groups type) throws Exception {
        int bound = 64;
        FileIo io = loop(type, IoUringConfig.builder().maxInFlight(bound).build());
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread idle = new Thread(() -> {
            try {
                List<IntFuture> nops = new ArrayList<>();
                for (int i = 0; i < bound; i++) {
                    nops.add(io.nop());
                }
                for (IntFuture f : nops) {
                    await(f);
                }
            } catch (Throwable t) {
                failed.set(t);
            }
            done.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "idle producer");
        idle.start();
        try {
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertNull(failed.get(), () -> "the idle thread's NOPs: " + failed.get());
            BatchedOps batch = io.batch();
            List<IntFuture> nops = new ArrayList<>();
            for (int i = 0; i < bound; i++) {
                nops.add(batch.nop());
            }
            await(batch.submit());
            for (IntFuture f : nops) {
                assertEquals(0, f.resultAsInt());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (io.pendingOps() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(0, io.pendingOps(), "every slot is free again, wherever it rests");
        } finally {
            finish.countDown();
            idle.join();
        }
    }

    /** Reads of two files at random blocks, one past the end, from a thread that is not the loop's. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void readsOfSeveralFilesEachGetTheirOwnResult(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        byte[] a = dataFile("a", 64, 1);
        byte[] b = dataFile("b", 64, 2);
        IoUringFile fa = await(io.open(dir.resolve("a")));
        IoUringFile fb = await(io.open(dir.resolve("b")));
        Random random = new Random(3);
        int n = 200;
        BatchedOps batch = io.batch();
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            ByteBuf dst = ALLOC.directBuffer(BLOCK);
            bufs.add(dst);
            offsets[i] = (long) random.nextInt(64) * BLOCK;
            reads.add(batch.read(i % 2 == 0 ? fa : fb, dst, offsets[i]));
        }
        ByteBuf pastEnd = ALLOC.directBuffer(BLOCK);
        IntFuture eof = batch.read(fa, pastEnd, 64L * BLOCK);
        assertEquals(n + 1, batch.size());
        Future<Void> all = batch.submit();
        assertEquals(0, batch.size(), "a submitted batch is empty again");
        await(all);
        for (int i = 0; i < n; i++) {
            assertTrue(reads.get(i).isDone(), "the batch is done only when every op is");
            assertEquals(BLOCK, reads.get(i).resultAsInt());
            byte[] src = i % 2 == 0 ? a : b;
            byte[] got = new byte[BLOCK];
            bufs.get(i).getBytes(0, got);
            assertArrayEquals(Arrays.copyOfRange(src, (int) offsets[i], (int) offsets[i] + BLOCK), got, "read " + i);
            assertEquals(1, bufs.get(i).refCnt(), "the batch's reference is given back");
            bufs.get(i).release();
        }
        assertEquals(0, eof.resultAsInt(), "a read past the end reads nothing, as pread does");
        pastEnd.release();
        assertEquals(0, io.pendingOps());
        await(fa.close());
        await(fb.close());
    }

    /** A failing op fails nothing else: a write to a read-only file beside reads and a sync. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void oneFailingOpFailsNothingElse(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        byte[] data = dataFile("ro", 4, 4);
        IoUringFile ro = await(io.open(dir.resolve("ro")));
        IoUringFile rw = await(io.open(dir.resolve("rw"), READ, WRITE, CREATE));
        BatchedOps batch = io.batch();
        ByteBuf one = ALLOC.directBuffer(BLOCK);
        ByteBuf src = ALLOC.directBuffer(BLOCK).writeBytes(data, 0, BLOCK);
        ByteBuf bad = ALLOC.directBuffer(BLOCK).writeBytes(data, 0, BLOCK);
        IntFuture read = batch.read(ro, one, BLOCK);
        IntFuture refused = batch.write(ro, bad, 0);
        IntFuture written = batch.write(rw, src, 0);
        IntFuture nop = batch.nop();
        IntFuture synced = batch.fdatasync(ro);
        await(batch.submit());
        assertEquals(BLOCK, read.resultAsInt());
        assertEquals(Errno.EBADF, assertInstanceOf(FileIoException.class, refused.cause()).errno());
        assertEquals(BLOCK, written.resultAsInt());
        assertEquals(0, nop.resultAsInt());
        assertEquals(0, synced.resultAsInt());
        for (ByteBuf buf : List.of(one, src, bad)) {
            assertEquals(1, buf.refCnt());
            buf.release();
        }
        await(ro.close());
        await(rw.close());
    }

    /**
     * The callback forms: each callback called once with its op's result and tag, on the loop thread, before the
     * batch's future completes; and the batch object takes the next batch.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void callbacksEachOnceOnTheLoopThenTheBatch(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        dataFile("c", 16, 5);
        IoUringFile file = await(io.open(dir.resolve("c")));
        int n = 48;
        AtomicLongArray results = new AtomicLongArray(n);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger offLoop = new AtomicInteger();
        IoCallback callback = (res, tag) -> {
            if (!io.executor().inEventLoop()) {
                offLoop.incrementAndGet();
            }
            results.addAndGet((int) tag, res + 1L);
            calls.incrementAndGet();
        };
        BatchedOps batch = io.batch();
        ByteBuf[] bufs = new ByteBuf[n];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < n; i++) {
                bufs[i] = ALLOC.directBuffer(BLOCK);
                if (i % 3 == 2) {
                    batch.nop(callback, i);
                } else {
                    batch.read(file, bufs[i], (long) (i % 16) * BLOCK, callback, i);
                }
            }
            Future<Void> all = batch.submit();
            await(all);
            assertEquals(n * (round + 1), calls.get(), "every callback once before the batch's future");
            for (int i = 0; i < n; i++) {
                assertEquals((round + 1) * (i % 3 == 2 ? 1L : BLOCK + 1L), results.get(i), "op " + i);
                assertEquals(1, bufs[i].refCnt());
                bufs[i].release();
            }
        }
        assertEquals(0, offLoop.get(), "callbacks run on the loop thread");
        await(file.close());
    }

    /**
     * No room for the whole batch: nothing of it runs, nothing stays retained or claimed; each future says why,
     * and a batch holding callback ops throws (no callback is called).
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#configurable")
    void refusedWholeWhenTheLoopHasNoRoomForIt(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.builder().maxInFlight(8).build());
        dataFile("r", 4, 6);
        IoUringFile file = await(io.open(dir.resolve("r")));
        List<Future<Void>> timers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            timers.add(io.timeout(1, TimeUnit.SECONDS));     // five of the eight slots taken for a while
        }
        BatchedOps batch = io.batch();
        ByteBuf[] bufs = new ByteBuf[4];
        IntFuture[] reads = new IntFuture[4];
        for (int i = 0; i < 4; i++) {
            bufs[i] = ALLOC.directBuffer(BLOCK);
            reads[i] = batch.read(file, bufs[i], 0);
        }
        Future<Void> all = batch.submit();
        assertTrue(all.isDone() && !all.isSuccess(), "refused before submit returned");
        assertInstanceOf(FileIoOverloadedException.class, all.cause());
        assertInstanceOf(FileIoOverloadedException.class, reads[3].cause(), "the op that found no room");
        for (int i = 0; i < 3; i++) {
            IllegalStateException others = assertInstanceOf(IllegalStateException.class, reads[i].cause());
            assertTrue(others.getMessage().contains("op 3"), others.getMessage());
        }
        AtomicInteger called = new AtomicInteger();
        for (int i = 0; i < 4; i++) {
            batch.read(file, bufs[i], 0, (res, tag) -> called.incrementAndGet(), i);
        }
        assertThrows(FileIoOverloadedException.class, batch::submit, "a refused batch of callbacks throws");
        for (ByteBuf buf : bufs) {
            assertEquals(1, buf.refCnt(), "nothing stays retained");
        }
        assertEquals(5, io.pendingOps(), "nothing of the batches stays claimed");
        for (Future<Void> t : timers) {
            await(t);
        }
        // With room again, the same batch goes in.
        for (int i = 0; i < 4; i++) {
            reads[i] = batch.read(file, bufs[i], 0);
        }
        await(batch.submit());
        for (int i = 0; i < 4; i++) {
            assertEquals(BLOCK, reads[i].resultAsInt());
            bufs[i].release();
        }
        assertEquals(0, called.get(), "no callback of a refused batch is called");
        await(file.close());
    }

    /** An op refused at its add concerns it alone; a bad buffer found at submit refuses the whole batch. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void addRefusalsAndBadBuffers(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        dataFile("x", 2, 7);
        IoUringFile file = await(io.open(dir.resolve("x")));
        MultiThreadIoEventLoopGroup otherGroup = Groups.PORTABLE.create();
        try {
            FileIo other = FileIo.of(otherGroup.next());
            IoUringFile foreign = await(other.open(dir.resolve("x")));
            BatchedOps batch = io.batch();
            ByteBuf dst = ALLOC.directBuffer(BLOCK);
            IntFuture wrongLoop = batch.read(foreign, dst, 0);
            assertInstanceOf(IllegalArgumentException.class, wrongLoop.cause());
            assertThrows(IllegalArgumentException.class, () -> batch.read(foreign, dst, 0, (r, t) -> { }, 0));
            assertThrows(NullPointerException.class, () -> batch.read(null, dst, 0));
            assertThrows(NullPointerException.class, () -> batch.read(file, null, 0));
            assertThrows(NullPointerException.class, () -> batch.nop(null, 0));
            assertEquals(0, batch.size(), "refused ops are not part of the batch");
            IntFuture fine = batch.read(file, dst, 0);
            await(batch.submit());
            assertEquals(BLOCK, fine.resultAsInt());

            // A heap buffer cannot be read into by the kernel: the whole batch is refused, the good op's buffer
            // given back.
            ByteBuf good = ALLOC.directBuffer(BLOCK);
            IntFuture first = batch.read(file, good, 0);
            IntFuture heap = batch.read(file, Unpooled.buffer(BLOCK), 0);
            Future<Void> all = batch.submit();
            assertInstanceOf(IllegalArgumentException.class, all.cause());
            assertInstanceOf(IllegalArgumentException.class, heap.cause());
            assertInstanceOf(IllegalStateException.class, first.cause());
            assertEquals(1, good.refCnt());
            assertEquals(0, io.pendingOps());
            good.release();
            dst.release();
            await(foreign.close());
        } finally {
            Groups.shutdown(otherGroup);
        }
        assertTrue(await(io.batch().submit()) == null, "an empty batch succeeds at once");
        await(file.close());
    }

    /**
     * Cancelling the batch keeps the ops not yet in the ring out of it: submitted and cancelled in one task of
     * the loop, before its next drain, none enters on the loops that queue their own ops for the drain (our
     * rings); on those that write at once (Netty's ring; the portable engine, which reads cached data on the loop
     * at once: PortableEngineTest cancels a batch its workers have not taken) each op either ran or was
     * cancelled. Either way every buffer comes back.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void cancellingTheBatchKeepsOpsNotInTheRingOut(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        dataFile("k", 8, 8);
        IoUringFile file = await(io.open(dir.resolve("k")));
        int n = 32;
        ByteBuf[] bufs = new ByteBuf[n];
        IntFuture[] reads = new IntFuture[n];
        AtomicInteger cancelledCallbacks = new AtomicInteger();
        AtomicReference<Future<Void>> batchFuture = new AtomicReference<>();
        io.executor().submit(() -> {
            BatchedOps batch = io.batch();
            for (int i = 0; i < n; i++) {
                bufs[i] = ALLOC.directBuffer(BLOCK);
                if (i % 2 == 0) {
                    reads[i] = batch.read(file, bufs[i], (long) (i % 8) * BLOCK);
                } else {
                    batch.read(file, bufs[i], (long) (i % 8) * BLOCK, (res, tag) -> {
                        if (res == -Errno.ECANCELED) {
                            cancelledCallbacks.incrementAndGet();
                        }
                    }, i);
                }
            }
            Future<Void> all = batch.submit();
            batchFuture.set(all);
            assertTrue(all.cancel(false), "a batch not done is cancellable");
        }).sync();
        assertTrue(batchFuture.get().isCancelled());
        int cancelled = 0;
        for (int i = 0; i < n; i += 2) {
            assertTrue(reads[i].await(10, TimeUnit.SECONDS));
            if (reads[i].isCancelled()) {
                cancelled++;
            } else {
                assertEquals(BLOCK, reads[i].resultAsInt(), "an op that ran reads its block");
            }
        }
        boolean queuesForTheDrain = type == Groups.FILE || type == Groups.PASSTHROUGH;
        if (queuesForTheDrain) {
            assertEquals(n / 2, cancelled, "no future op entered the ring");
            assertTrue(waitFor(() -> cancelledCallbacks.get() == n / 2), "every callback got -ECANCELED");
        }
        assertTrue(waitFor(() -> io.pendingOps() == 0), "every op ended");
        for (ByteBuf buf : bufs) {
            assertEquals(1, buf.refCnt(), "every buffer comes back");
            buf.release();
        }
        await(file.close());
    }

    /** Batches from several threads at once: every op completes once, nothing is lost or doubled. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void batchesFromManyThreadsAtOnce(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        int threads = 4;
        int batches = 200;
        int perBatch = 32;
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        IoCallback count = (res, tag) -> {
            if (res == 0) {
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
        };
        List<Thread> producers = new ArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            Thread producer = new Thread(() -> {
                try {
                    BatchedOps batch = io.batch();
                    Future<Void> previous = null;
                    for (int b = 0; b < batches; b++) {
                        for (int i = 0; i < perBatch; i++) {
                            batch.nop(count, i);
                        }
                        Future<Void> next = batch.submit();
                        assertNotSame(previous, next, "a future per batch");
                        if (previous != null) {
                            previous.sync();
                        }
                        previous = next;
                    }
                    previous.sync();
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join(30_000);
        }
        assertSame(null, error.get(), () -> "a producer failed: " + error.get());
        assertEquals(threads * batches * perBatch, completed.get());
        assertEquals(0, failed.get());
        assertTrue(waitFor(() -> io.pendingOps() == 0));
    }

    /**
     * Batches handed over while the loop shuts down: every op of every batch ends exactly once (run, or failed
     * with the shutdown), each batch's future completes, and every buffer comes back.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void batchesRacingAShutdownEndEveryOpOnce(Groups type) throws Exception {
        FileIo io = loop(type, IoUringConfig.defaults());
        dataFile("s", 8, 9);
        IoUringFile file = await(io.open(dir.resolve("s")));
        int perBatch = 16;
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        List<Future<Void>> batches = new ArrayList<>();
        AtomicInteger callbacks = new AtomicInteger();
        AtomicInteger expectedCallbacks = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            BatchedOps batch = io.batch();
            for (int b = 0; b < RACING_BATCHES; b++) {
                List<ByteBuf> mine = new ArrayList<>();
                for (int i = 0; i < perBatch; i++) {
                    ByteBuf dst = ALLOC.directBuffer(BLOCK);
                    mine.add(dst);
                    if (i % 2 == 0) {
                        reads.add(batch.read(file, dst, (long) (i % 8) * BLOCK));
                    } else {
                        batch.read(file, dst, (long) (i % 8) * BLOCK, (res, tag) -> callbacks.incrementAndGet(), i);
                    }
                }
                bufs.addAll(mine);
                try {
                    batches.add(batch.submit());
                    expectedCallbacks.addAndGet(perBatch / 2);
                } catch (RuntimeException refused) {
                    // A batch of callbacks refused whole (the loop shuts down): none of its callbacks runs.
                }
                if (b == RACING_BATCHES / 30) {
                    started.countDown();
                }
            }
            started.countDown();
        });
        producer.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Groups.shutdown(group);
        group = null;
        producer.join(30_000);
        assertTrue(file.close().await(10, TimeUnit.SECONDS), "a file of a loop shut down still closes");
        for (Future<Void> batch : batches) {
            assertTrue(batch.await(10, TimeUnit.SECONDS), "every batch's future completes");
        }
        for (IntFuture read : reads) {
            assertTrue(read.isDone(), "every op's future completes");
            if (read.isSuccess()) {
                assertEquals(BLOCK, read.resultAsInt());
            }
        }
        assertTrue(waitFor(() -> callbacks.get() == expectedCallbacks.get()),
                () -> "each callback of an admitted batch once: " + callbacks.get() + " of " + expectedCallbacks.get());
        for (ByteBuf buf : bufs) {
            assertEquals(1, buf.refCnt(), "every buffer comes back");
            buf.release();
        }
    }

    static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
