package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.ProviderMismatchException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promises the API makes, on every loop it runs on: what {@code cancel()} returning true means, that a
 * completed value never changes, that listeners always run once, that a refusal gives back all it took, and
 * that paths of other file systems never reach the real disk.
 */
// Runs where io_uring is unavailable too: Groups.all() then holds the portable engine's loops alone.
@io.i2o2.uring.WithoutIoUring
class ContractsTest {
    @TempDir
    Path dir;
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    private FileIo io(Groups type) {
        group = type.create();
        return FileIo.of(group.next());
    }

    /** Blocks the loop's thread until the returned latch is counted down, so submissions queue up. */
    private static CountDownLatch blockLoop(FileIo io) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        io.executor().execute(() -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return release;
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void cancelTrueMeansTheOpNeverHappens(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = Files.write(dir.resolve("data"), new byte[4096]);
        IoUringFile file = await(io.open(path));
        ByteBuf buf = ALLOC.directBuffer(4096);
        CountDownLatch release = blockLoop(io);
        IntFuture read = file.read(buf, 0);           // handed over: the loop is busy
        assertEquals(2, buf.refCnt(), "pinned once accepted");
        assertTrue(read.isCancellable(), "not in the ring yet");
        assertTrue(read.cancel(false), "not in the ring yet: cancellable");
        assertTrue(read.isCancelled());
        assertFalse(read.isCancellable(), "done");
        release.countDown();
        PinningTest.awaitRefCnt(buf, 1);
        assertEquals(0, buf.writerIndex(), "the read never happened");
        awaitNoPendingOps(io);
        buf.release();
        await(file.close());
    }

    /**
     * On the loop's own thread: an op submitted there waits for the loop's next drain on this library's rings,
     * so a cancel in the same task keeps it out of the ring (true, nothing written, the buffer given back
     * once). On Netty's loop the op is in Netty's ring as soon as it is submitted, and on the portable engine in
     * its workers' queue: false, and the op runs or is stopped (the kernel, or the engine before a worker takes
     * it). Either way the answer is true to what happened.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aCancelOnTheLoopThreadIsTrueToWhatHappened(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = Files.write(dir.resolve("data"), new byte[4096]);
        IoUringFile file = await(io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
        ByteBuf buf = ALLOC.directBuffer(4096).writeBytes(new byte[4096]).setByte(0, 7);
        CompletableFuture<IntFuture> written = new CompletableFuture<>();
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        io.executor().execute(() -> {
            IntFuture write = file.write(buf, 0);
            written.complete(write);
            cancelled.complete(write.cancel(false));
        });
        IntFuture write = written.get(10, TimeUnit.SECONDS);
        boolean wasCancelled = cancelled.get(10, TimeUnit.SECONDS);
        write.awaitUninterruptibly();
        PinningTest.awaitRefCnt(buf, 1);
        if (type != Groups.NETTY && !type.isPortable()) {
            assertTrue(wasCancelled, "queued for the drain, not in the ring yet");
        }
        if (wasCancelled) {
            assertTrue(write.isCancelled());
            assertEquals(0, Files.readAllBytes(path)[0], "a cancelled write never happened");
        } else {
            assertFalse(write.isCancelled(), "cancel() said false");
            if (write.isSuccess()) {
                assertEquals(7, Files.readAllBytes(path)[0], "the write happened");
            } else {
                FileIoException e = assertInstanceOf(FileIoException.class, write.cause());
                assertEquals(Errno.ECANCELED, e.errno());
            }
        }
        awaitNoPendingOps(io);
        buf.release();
        await(file.close());
    }

    /**
     * A cancel racing the loop as it takes the op to the ring: whichever wins, the answer is true to what
     * happened. True: cancelled, and the read never touched the buffer. False: the op ran (its bytes are
     * there) or the kernel stopped it ({@code ECANCELED}), never a cancelled future.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aCancelRacingTheLoopIsTrueToWhatHappened(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = Files.write(dir.resolve("data"), FileOpsTest.random(4096, 5));
        IoUringFile file = await(io.open(path));
        int n = 2000;
        ByteBuf[] bufs = new ByteBuf[n];
        IntFuture[] reads = new IntFuture[n];
        boolean[] cancelled = new boolean[n];
        for (int i = 0; i < n; i++) {
            bufs[i] = ALLOC.directBuffer(4096);
            reads[i] = file.read(bufs[i], 0);
            if (i % 7 != 0) {                  // let some go by untouched
                Thread.onSpinWait();
            }
            cancelled[i] = reads[i].cancel(false);
        }
        int yes = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(reads[i].await(10, TimeUnit.SECONDS), "op " + i + " completes");
            PinningTest.awaitRefCnt(bufs[i], 1);
            if (cancelled[i]) {
                yes++;
                assertTrue(reads[i].isCancelled(), "op " + i);
                assertEquals(0, bufs[i].writerIndex(), "a cancelled read never happened: op " + i);
            } else {
                assertFalse(reads[i].isCancelled(), "cancel() said false: op " + i);
                if (reads[i].isSuccess()) {
                    assertEquals(4096, bufs[i].writerIndex(), "op " + i);
                } else {
                    FileIoException e = assertInstanceOf(FileIoException.class, reads[i].cause());
                    assertEquals(Errno.ECANCELED, e.errno(), "op " + i);
                }
            }
            bufs[i].release();
        }
        System.out.println(type + ": " + yes + " of " + n + " cancelled before the ring");
        awaitNoPendingOps(io);
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aPromiseYouPassedIsNeverAReasonToDropTheOp(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = Files.write(dir.resolve("data"), FileOpsTest.random(4096, 3));
        IoUringFile file = await(io.open(path));
        ByteBuf buf = ALLOC.directBuffer(4096);
        CountDownLatch release = blockLoop(io);
        Promise<Integer> mine = io.executor().newPromise();
        file.read(buf, 0, mine);
        assertTrue(mine.cancel(false));
        release.countDown();
        PinningTest.awaitRefCnt(buf, 1);
        assertEquals(4096, buf.writerIndex(), "the read ran: the caller's promise was only told too late");
        awaitNoPendingOps(io);
        buf.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    @SuppressWarnings("unchecked")
    void aCompletedValueNeverChanges(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = Files.write(dir.resolve("data"), new byte[100]);
        IoUringFile file = await(io.open(path));
        ByteBuf buf = ALLOC.directBuffer(4096);
        IntFuture read = file.read(buf, 0);
        assertEquals(100, await(read));
        Promise<Integer> asPromise = (Promise<Integer>) (Object) read;
        assertFalse(asPromise.trySuccess(99));
        assertFalse(asPromise.tryFailure(new RuntimeException("late")));
        assertThrows(IllegalStateException.class, () -> asPromise.setSuccess(7));
        assertEquals(100, read.resultAsInt());
        assertEquals(100, read.getNow());
        assertTrue(read.isSuccess());
        buf.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void everyListenerRunsOnceAlsoAfterShutdown(Groups type) throws Exception {
        FileIo io = io(type);
        IntFuture done = io.nop();
        await(done);
        Future<Void> timer = io.timeout(1, TimeUnit.HOURS);   // still pending when the loop shuts down
        AtomicInteger runs = new AtomicInteger();
        done.addListener(f -> runs.incrementAndGet());
        timer.addListener(f -> runs.incrementAndGet());
        // A short graceful timeout: then the timer is cancelled, and completes as the loop drains.
        assertTrue(group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).await(30, TimeUnit.SECONDS));
        group = null;
        assertTrue(timer.await(10, TimeUnit.SECONDS), "shutdown completes what was pending");
        for (int i = 0; i < 3; i++) {
            done.addListener(f -> runs.incrementAndGet());
            timer.addListener(f -> runs.incrementAndGet());
        }
        Future<Integer> refused = io.nop();
        refused.addListener(f -> runs.incrementAndGet());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runs.get() < 9 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        assertEquals(9, runs.get(), "each of the 9 listeners ran exactly once");
        assertFalse(refused.isSuccess());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aRefusalGivesBackEverythingItTook(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = Files.write(dir.resolve("data"), new byte[8192]);
        IoUringFile file = await(io.open(path));

        ByteBuf released = ALLOC.directBuffer(64);
        released.release();
        assertInstanceOf(IllegalReferenceCountException.class, file.read(released, 0).await().cause());

        ByteBuf inner = Unpooled.directBuffer(64);
        // A buffer released by another thread between the checks and the retain: its retain throws.
        CompositeByteBuf unretainable = new CompositeByteBuf(ALLOC, true, 4) {
            @Override
            public CompositeByteBuf retain() {
                throw new IllegalReferenceCountException("released while being submitted");
            }
        };
        unretainable.addComponent(false, inner.retain().writerIndex(64));
        assertInstanceOf(IllegalReferenceCountException.class, file.read(unretainable, 0).await().cause());
        assertEquals(2, inner.refCnt(), "nothing kept");

        ByteBuf first = ALLOC.directBuffer(64);
        assertInstanceOf(IllegalReferenceCountException.class,
                file.readv(0, first, unretainable).await().cause());
        assertEquals(1, first.refCnt(), "the link retained before the failing one was released again");

        ByteBuf guard = Unpooled.buffer(8);
        assertThrows(NullPointerException.class, () -> io.submitRaw(null, guard));
        assertEquals(0, guard.refCnt(), "a refused raw op's guard is released");

        awaitNoPendingOps(io);
        first.release();
        unretainable.release();
        inner.release();
        assertEquals(0, inner.refCnt());
        await(file.close());   // every op reference on the file came back
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void pathsOfOtherFileSystemsAreRefused(Groups type) throws Exception {
        FileIo io = io(type);
        Path zip = dir.resolve("archive.zip");
        try (FileSystem zipfs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create", "true"))) {
            Path inside = zipfs.getPath("/etc/passwd");
            assertInstanceOf(ProviderMismatchException.class, io.open(inside).await().cause());
            assertInstanceOf(ProviderMismatchException.class, io.stat(inside).await().cause());
            assertInstanceOf(ProviderMismatchException.class, io.delete(inside).await().cause());
            assertInstanceOf(ProviderMismatchException.class,
                    io.rename(dir.resolve("a"), inside, 0).await().cause());
        }
        awaitNoPendingOps(io);
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void waitersWakeOnceDoneAlsoManyVirtualThreadsAndTwoOnOnePromise(Groups type) throws Exception {
        FileIo io = io(type);
        AtomicInteger done = new AtomicInteger();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 200; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        io.nop().syncUninterruptibly();
                        done.incrementAndGet();
                    }
                });
            }
        }
        assertEquals(10_000, done.get());

        // Two threads on one promise: the first parks, the second waits on the monitor; both wake.
        Future<Void> timer = io.timeout(200, TimeUnit.MILLISECONDS);
        CountDownLatch woke = new CountDownLatch(2);
        for (int t = 0; t < 2; t++) {
            Thread.ofPlatform().start(() -> {
                timer.awaitUninterruptibly();
                woke.countDown();
            });
        }
        assertTrue(woke.await(10, TimeUnit.SECONDS));

        // A timed wait that runs out says so; an interrupted wait throws and keeps nothing parked.
        Future<Void> hour = io.timeout(1, TimeUnit.HOURS);
        assertFalse(hour.await(20, TimeUnit.MILLISECONDS));
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, hour::await);
        assertFalse(Thread.currentThread().isInterrupted());
        assertFalse(hour.isCancellable(), "in the ring");
        assertFalse(hour.cancel(false), "in the ring: the kernel is asked instead");
        assertTrue(hour.await(10, TimeUnit.SECONDS), "the kernel cancelled the timer");
    }

    private static void awaitNoPendingOps(FileIo io) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (io.pendingOps() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(0, io.pendingOps(), "no slot stays taken");
    }
}
