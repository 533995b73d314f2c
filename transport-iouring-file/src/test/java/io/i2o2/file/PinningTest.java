package io.i2o2.file;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import io.i2o2.uring.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pinning contract: a buffer is retained when its op is accepted and released exactly once when the
 * kernel is done with it, whatever happens to the future meanwhile (cancel, shutdown, refusal).
 */
// Runs where io_uring is unavailable too: Groups.all() then holds the portable engine's loops alone.
@io.i2o2.uring.WithoutIoUring
class PinningTest {
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;

    /** A FIFO opened read-write: reads from it wait in the kernel until someone writes. */
    IoUringFile pipe(FileIo loop) throws Exception {
        Path fifo = dir.resolve("fifo-" + System.nanoTime());
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return FileOpsTest.await(loop.open(fifo, READ, WRITE));
    }

    /** Writes one byte into the FIFO {@code fifo} (open for reading and writing) through a second loop's file. */
    private static void feed(IoUringFile fifo, FileIo loop) throws Exception {
        ByteBuf one = ALLOC.directBuffer(1).writeByte(1);
        try {
            assertEquals(1, FileOpsTest.await(fifo.write(one, 0)));
        } finally {
            one.release();
        }
    }

    static void awaitRefCnt(ByteBuf buf, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (buf.refCnt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(expected, buf.refCnt());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void cancelledReadKeepsItsBufferPinnedUntilTheCqe(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        try {
            FileIo loop = FileIo.of(group.next());
            IoUringFile fifo = pipe(loop);
            ByteBuf buf = ALLOC.directBuffer(64);
            IntFuture read = fifo.read(buf, 0);
            Thread.sleep(50);
            assertEquals(2, buf.refCnt(), "retained while in the kernel");
            // In the kernel: cancel() cannot promise the read will not happen, so it says false and asks the
            // kernel to stop it; the kernel answers with the read's CQE (-ECANCELED), only then is it released.
            assertFalse(read.cancel(false));
            if (type.isPortable()) {
                // A worker's blocking read() cannot be stopped: pinned until the call returns, when data comes.
                Thread.sleep(100);
                assertEquals(2, buf.refCnt(), "still pinned: the worker is inside read()");
                feed(fifo, loop);
                assertTrue(read.await(10, TimeUnit.SECONDS));
                assertEquals(1, read.getNow(), "the read ran to its end");
                awaitRefCnt(buf, 1);
                buf.release();
                FileOpsTest.await(fifo.close());
                return;
            }
            awaitRefCnt(buf, 1);
            // Released first, then completed (a listener that submits again finds the buffer free).
            assertTrue(read.await(10, TimeUnit.SECONDS));
            assertEquals(io.i2o2.uring.Errno.ECANCELED,
                    assertInstanceOf(FileIoException.class, read.cause()).errno());
            assertEquals(0, buf.writerIndex(), "nothing was read");
            buf.release();
            FileOpsTest.await(fifo.close());
        } finally {
            Groups.shutdown(group);
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void cancelledBeforeReachingTheKernelIsReleasedWithoutIt(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        try {
            FileIo loop = FileIo.of(group.next());
            Files.write(dir.resolve("q"), new byte[4096]);
            IoUringFile file = FileOpsTest.await(loop.open(dir.resolve("q")));
            CountDownLatch hold = LoopBehaviourTest.block(loop);
            ByteBuf buf = ALLOC.directBuffer(4096);
            IntFuture read = file.read(buf, 0);
            assertEquals(2, buf.refCnt());
            assertTrue(read.cancel(false));
            hold.countDown();
            awaitRefCnt(buf, 1);
            assertEquals(0, buf.writerIndex(), "the loop dropped it instead of submitting it");
            buf.release();
            FileOpsTest.await(file.close());
        } finally {
            Groups.shutdown(group);
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void shutdownWith10000OpsInFlightCompletesThemAllAndReleasesEveryBuffer(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().maxInFlight(10_000).build());
        FileIo loop = FileIo.of(group.next());
        byte[] data = new byte[1 << 20];
        new Random(9).nextBytes(data);
        Files.write(dir.resolve("big"), data);
        IoUringFile file = FileOpsTest.await(loop.open(dir.resolve("big")));
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        int ops = Math.min(10_000, loop.maxInFlight());    // another transport's loop: the process-wide bound
        for (int i = 0; i < ops; i++) {
            ByteBuf b = ALLOC.directBuffer(512, 512);
            bufs.add(b);
            reads.add(file.read(b, (i * 512L) % data.length));
        }
        Future<?> terminated = group.shutdownGracefully(0, 10, TimeUnit.SECONDS);
        ByteBuf late = ALLOC.directBuffer(16);
        Future<Integer> refused = file.read(late, 0).await();
        assertInstanceOf(RejectedExecutionException.class, refused.cause(), "no new ops after shutdown started");
        assertEquals(1, late.refCnt());
        late.release();
        assertTrue(terminated.await(30, TimeUnit.SECONDS), "the group terminates");
        for (int i = 0; i < reads.size(); i++) {
            if (type == Groups.NETTY && reads.get(i).cause() instanceof RejectedExecutionException) {
                // Netty closes every registration when its loop starts shutting down: an op still handed over
                // to it then never reached the ring, and is refused with nothing kept.
                assertEquals(1, bufs.get(i).refCnt(), "refused op " + i + " released its buffer");
                bufs.get(i).release();
                continue;
            }
            assertTrue(reads.get(i).isSuccess(), "op " + i + ": " + reads.get(i).cause());
            assertEquals(512, reads.get(i).resultAsInt());
            int off = (int) ((i * 512L) % data.length);
            assertEquals(data[off], bufs.get(i).getByte(0));
            assertEquals(1, bufs.get(i).refCnt(), "buffer " + i + " released exactly once");
            bufs.get(i).release();
        }
        assertTrue(file.close().await(10, TimeUnit.SECONDS));
    }

    // Not NETTY: Netty's graceful shutdown knows nothing of our ops, so it neither waits for nor cancels them at its timeout
    // (ops still in the kernel when it closes its ring stay pinned, as NettyRingHandle documents).
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    @io.i2o2.uring.NeedsIoUring
    void shutdownCancelsWhatOutlivesTheGracefulTimeout(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        FileIo loop = FileIo.of(group.next());
        IoUringFile fifo = pipe(loop);
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ByteBuf b = ALLOC.directBuffer(64);
            bufs.add(b);
            reads.add(fifo.read(b, 0));
        }
        long start = System.nanoTime();
        assertTrue(group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).await(30, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "waited for the timeout");
        for (int i = 0; i < reads.size(); i++) {
            FileIoException e = assertInstanceOf(FileIoException.class, reads.get(i).cause());
            assertEquals(Errno.ECANCELED, e.errno());
            assertEquals(1, bufs.get(i).refCnt(), "released when the cancelled read's CQE came");
            bufs.get(i).release();
        }
        assertTrue(fifo.close().await(10, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void refusedSubmissionsLeaveRefCntAlone(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        FileIo loop = FileIo.of(group.next());
        Files.write(dir.resolve("r"), new byte[16]);
        IoUringFile file = FileOpsTest.await(loop.open(dir.resolve("r")));
        Groups.shutdown(group);
        ByteBuf buf = ALLOC.directBuffer(16);
        assertInstanceOf(RejectedExecutionException.class, file.read(buf, 0).await().cause());
        assertInstanceOf(RejectedExecutionException.class, loop.nop().await().cause());
        assertEquals(1, buf.refCnt());
        buf.release();
        // Listeners of futures from a terminated loop still run (on Netty's global executor).
        java.util.concurrent.CompletableFuture<Throwable> heard = new java.util.concurrent.CompletableFuture<>();
        loop.stat(dir).addListener(f -> heard.complete(f.cause()));
        assertInstanceOf(RejectedExecutionException.class, heard.get(10, TimeUnit.SECONDS));
        assertTrue(file.close().await(10, TimeUnit.SECONDS), "a file of a shut-down loop still closes");
    }
}
