package io.i2o2.file;

import java.util.List;
import java.util.ArrayList;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.i2o2.file.FileStat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every file operation against real temp files, with the data checked, on both group types. */
// Runs where io_uring is unavailable too: Groups.all() then holds the portable engine's loops alone.
@io.i2o2.uring.WithoutIoUring
class FileOpsTest {
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        assertTrue(f.await(10, TimeUnit.SECONDS), "operation did not complete in 10 s: " + f);
        if (!f.isSuccess()) {
            if (f.cause() instanceof Exception e) {
                throw e;
            }
            throw new AssertionError(f.cause());
        }
        return f.getNow();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    FileIo loop(Groups type) {
        group = type.create();
        return FileIo.of(group.next());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void nopCompletesWithZero(Groups type) throws Exception {
        FileIo loop = loop(type);
        assertEquals(0, await(loop.nop()));
        assertEquals(type == Groups.PASSTHROUGH || type.isPortable(), loop.isPassthrough());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void writeThenReadBackAdvancesIndexes(Groups type) throws Exception {
        FileIo loop = loop(type);
        byte[] data = random(10_000, 1);
        IoUringFile file = await(loop.open(dir.resolve("rw"), READ, WRITE, CREATE));
        ByteBuf src = ALLOC.directBuffer(data.length).writeBytes(data);
        assertEquals(data.length, await(file.write(src, 100)));
        assertEquals(data.length, src.readerIndex(), "write advances the reader index");
        assertEquals(1, src.refCnt(), "released by the loop exactly once");
        src.release();

        ByteBuf dst = ALLOC.directBuffer(data.length);
        assertEquals(data.length, await(file.read(dst, 100)));
        assertEquals(data.length, dst.writerIndex(), "read advances the writer index");
        assertArrayEquals(data, bytes(dst));
        assertEquals(1, dst.refCnt());
        dst.release();
        await(file.close());
        assertFalse(file.isOpen());
        assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(dir.resolve("rw")), 100, 100 + data.length));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void readPastEndReturnsZeroAndShortReadsAreReported(Groups type) throws Exception {
        FileIo loop = loop(type);
        Files.write(dir.resolve("short"), random(100, 2));
        IoUringFile file = await(loop.open(dir.resolve("short")));
        ByteBuf dst = ALLOC.directBuffer(4096);
        try {
            assertEquals(60, await(file.read(dst, 40)), "short read at the end of the file");
            assertEquals(0, await(file.read(dst, 100)), "nothing at the end");
        } finally {
            dst.release();
            await(file.close());
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void vectoredReadAndWriteOverSeveralBuffersAndACompositeBuffer(Groups type) throws Exception {
        FileIo loop = loop(type);
        byte[] data = random(3 * 1000, 3);
        IoUringFile file = await(loop.open(dir.resolve("v"), READ, WRITE, CREATE));
        ByteBuf a = ALLOC.directBuffer().writeBytes(data, 0, 1000);
        ByteBuf b = ALLOC.directBuffer().writeBytes(data, 1000, 1000);
        ByteBuf c = ALLOC.directBuffer().writeBytes(data, 2000, 1000);
        assertEquals(3000, await(file.writev(0, a, b, c)));
        assertEquals(0, a.readableBytes() + b.readableBytes() + c.readableBytes());
        a.release();
        b.release();
        c.release();

        ByteBuf x = ALLOC.directBuffer(1500, 1500);
        ByteBuf y = ALLOC.directBuffer(1500, 1500);
        assertEquals(3000, await(file.readv(0, x, y)));
        assertArrayEquals(Arrays.copyOfRange(data, 0, 1500), bytes(x));
        assertArrayEquals(Arrays.copyOfRange(data, 1500, 3000), bytes(y));
        x.release();
        y.release();

        CompositeByteBuf composite = ALLOC.compositeDirectBuffer();
        composite.addComponent(false, ALLOC.directBuffer(700, 700));
        composite.addComponent(false, ALLOC.directBuffer(2300, 2300));
        composite.capacity(3000);
        assertEquals(3000, await(file.read(composite, 0)), "a composite buffer is read as one vectored op");
        assertArrayEquals(data, bytes(composite));
        assertEquals(1, composite.refCnt());
        composite.release();
        await(file.close());
    }

    // Not NETTY: registering buffers and files needs the ring's descriptor, which Netty does not expose
    // (refused there at once: NettyLoopRefusalsTest). On PORTABLE both are emulated (a pool of buffers, a table of
    // descriptors), with the same contract; not NIO, which takes no IoUringConfig to ask for them.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#configurable")
    void fixedBuffersAndRegisteredFiles(Groups type) throws Exception {
        group = type.createOwn(IoUringConfig.builder().fixedBuffers(4, 8192).fixedFileSlots(4).build());
        FileIo loop = FileIo.of(group.next());
        byte[] data = random(8192, 4);
        Files.write(dir.resolve("fixed"), data);
        IoUringFile file = await(loop.open(dir.resolve("fixed"), READ, WRITE, IoUringOpenOption.REGISTER));
        assertTrue(file.isRegistered());
        FixedBufferPool pool = loop.fixedBuffers();
        assertEquals(4, pool.available());
        ByteBuf buf = pool.tryAcquire();
        assertEquals(3, pool.available());
        assertEquals(8192, await(file.readFixed(buf, 0)));
        assertArrayEquals(data, bytes(buf));
        buf.setByte(0, buf.getByte(0) + 1);
        assertEquals(8192, await(file.writeFixed(buf, 0)));
        buf.release();
        assertEquals(4, pool.available(), "releasing gives the registered buffer back");
        ByteBuf plain = ALLOC.directBuffer(16);
        Future<Integer> refused = file.readFixed(plain, 0);
        assertInstanceOf(IllegalArgumentException.class, refused.await().cause());
        assertEquals(1, plain.refCnt());
        plain.release();
        await(file.close());
        assertEquals((byte) (data[0] + 1), Files.readAllBytes(dir.resolve("fixed"))[0]);
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void syncsAllocationAndAdvice(Groups type) throws Exception {
        FileIo loop = loop(type);
        IoUringFile file = await(loop.open(dir.resolve("s"), READ, WRITE, CREATE));
        assertEquals(0, await(file.fallocate(0, 0, 1 << 20)));
        assertEquals(1 << 20, Files.size(dir.resolve("s")));
        assertEquals(0, await(file.fallocate(Linux.FALLOC_FL_KEEP_SIZE, 1 << 20, 4096)));
        assertEquals(1 << 20, Files.size(dir.resolve("s")), "KEEP_SIZE keeps the size");
        assertEquals(0, await(file.fsync()));
        assertEquals(0, await(file.fdatasync()));
        assertEquals(0, await(file.syncFileRange(0, 4096, Linux.SYNC_FILE_RANGE_WRITE)));
        assertEquals(0, await(file.fadvise(0, 4096, Linux.POSIX_FADV_WILLNEED)));
        if (loop.supportsOpcode("FTRUNCATE")) {
            assertEquals(0, await(file.truncate(1234)));
            assertEquals(1234, Files.size(dir.resolve("s")));
        } else {
            Future<Integer> f = file.truncate(1);
            assertInstanceOf(UnsupportedOperationException.class, f.await().cause(), "FTRUNCATE needs 6.9");
        }
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void statOfFileAndPath(Groups type) throws Exception {
        FileIo loop = loop(type);
        Files.write(dir.resolve("st"), random(777, 5));
        FileStat byPath = await(loop.stat(dir.resolve("st")));
        assertEquals(777, byPath.size());
        assertTrue(byPath.isRegularFile());
        assertEquals(Files.getLastModifiedTime(dir.resolve("st")).toInstant(), byPath.modifyTime());
        IoUringFile file = await(loop.open(dir.resolve("st")));
        FileStat byFile = await(file.stat());
        assertEquals(byPath.inode(), byFile.inode());
        assertTrue(await(loop.stat(dir)).isDirectory());
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void directoryAndNameOperations(Groups type) throws Exception {
        FileIo loop = loop(type);
        Path sub = dir.resolve("sub");
        assertEquals(0, await(loop.createDirectory(sub, 0755)));
        assertTrue(Files.isDirectory(sub));
        Files.write(sub.resolve("a"), new byte[] {1});
        Files.write(sub.resolve("b"), new byte[] {2});
        assertEquals(0, await(loop.rename(sub.resolve("a"), sub.resolve("c"), 0)));
        assertTrue(Files.exists(sub.resolve("c")));
        Future<Integer> noReplace = loop.rename(sub.resolve("c"), sub.resolve("b"), Linux.RENAME_NOREPLACE).await();
        FileIoException e = assertInstanceOf(FileIoException.class, noReplace.cause());
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.getMessage().contains("path=" + sub.resolve("c")), e.getMessage());
        assertEquals(0, await(loop.delete(sub.resolve("b"))));
        assertEquals(0, await(loop.delete(sub.resolve("c"))));
        assertEquals(0, await(loop.deleteDirectory(sub)));
        assertFalse(Files.exists(sub));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void errorsCarryErrnoOpFdAndOffset(Groups type) throws Exception {
        FileIo loop = loop(type);
        Files.write(dir.resolve("ro"), new byte[10]);
        IoUringFile file = await(loop.open(dir.resolve("ro")));
        ByteBuf src = ALLOC.directBuffer().writeBytes(new byte[] {1, 2, 3});
        Future<Integer> f = file.write(src, 5).await();
        FileIoException e = assertInstanceOf(FileIoException.class, f.cause());
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF", e.errnoName());
        assertEquals("write", e.op());
        assertEquals(file.fd(), e.fd());
        assertEquals(5, e.offset());
        assertEquals(1, src.refCnt(), "a failed op releases its buffer too");
        src.release();
        Future<IoUringFile> missing = loop.open(dir.resolve("missing")).await();
        assertEquals(Errno.ENOENT, assertInstanceOf(FileIoException.class, missing.cause()).errno());
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void timeoutAndMadvise(Groups type) throws Exception {
        FileIo loop = loop(type);
        long start = System.nanoTime();
        assertNull(await(loop.timeout(50, TimeUnit.MILLISECONDS)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(45));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment pages = arena.allocate(4 * 4096, 4096);
            assertEquals(0, await(loop.madvise(pages, Linux.MADV_WILLNEED)));
            Future<Integer> unsafe = loop.madvise(pages, Linux.MADV_DONTNEED).await();
            assertInstanceOf(IllegalArgumentException.class, unsafe.cause(), "destructive advice is refused");
            Future<Integer> odd = loop.madvise(pages.asSlice(1, 4096), Linux.MADV_WILLNEED).await();
            assertInstanceOf(IllegalArgumentException.class, odd.cause(), "unaligned memory is refused");
        }
    }

    // Not NETTY: Netty may submit between two links of a chain, so chains are refused there at once
    // (NettyLoopRefusalsTest). The portable engine runs a chain's links in order on one worker, cancelling the
    // rest of it after a failure as the kernel does, on its group and attached to a NIO loop alike.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#ownEngines")
    void linkedWriteThenSyncAndABrokenLinkCancelsTheRest(Groups type) throws Exception {
        FileIo loop = loop(type);
        IoUringFile file = await(loop.open(dir.resolve("chain"), READ, WRITE, CREATE));
        ByteBuf rec = ALLOC.directBuffer().writeBytes("record".getBytes(StandardCharsets.US_ASCII));
        LinkedOps chain = loop.link();
        IntFuture written = chain.write(file, rec, 0);
        IntFuture synced = chain.fdatasync(file);
        chain.submit();
        assertEquals(6, await(written));
        assertEquals(0, await(synced));
        assertEquals(1, rec.refCnt());
        rec.release();

        // A write to a read-only file fails, so the linked fsync never runs.
        IoUringFile ro = await(loop.open(dir.resolve("chain")));
        ByteBuf again = ALLOC.directBuffer().writeBytes(new byte[] {1});
        LinkedOps failing = loop.link();
        IntFuture bad = failing.write(ro, again, 0);
        IntFuture skipped = failing.fsync(ro);
        failing.submit();
        assertEquals(Errno.EBADF, assertInstanceOf(FileIoException.class, bad.await().cause()).errno());
        assertEquals(Errno.ECANCELED, assertInstanceOf(FileIoException.class, skipped.await().cause()).errno());
        assertEquals(1, again.refCnt());
        again.release();

        // A link that fails its own checks spoils the chain: nothing is submitted and nothing stays pinned.
        ByteBuf pinned = ALLOC.directBuffer().writeBytes(new byte[] {2});
        LinkedOps spoiled = loop.link();
        IntFuture first = spoiled.write(file, pinned, 0);
        IntFuture heap = spoiled.write(file, io.netty.buffer.Unpooled.buffer().writeByte(1), 0);
        spoiled.submit();
        assertInstanceOf(IllegalArgumentException.class, heap.await().cause());
        assertInstanceOf(IllegalStateException.class, first.await().cause());
        assertEquals(1, pinned.refCnt());
        pinned.release();

        // A chain that is never submitted holds nothing: no buffer retained, no slot taken.
        ByteBuf forgotten = ALLOC.directBuffer().writeBytes(new byte[] {3});
        LinkedOps abandoned = loop.link();
        abandoned.write(file, forgotten, 0);
        abandoned.fsync(file);
        assertEquals(1, forgotten.refCnt());
        assertEquals(0, loop.pendingOps());
        forgotten.release();
        await(file.close());
        await(ro.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#rings")
    @io.i2o2.uring.NeedsIoUring
    void rawSqeWithGuardReleasedAtCompletion(Groups type) throws Exception {
        FileIo loop = loop(type);
        ByteBuf guard = ALLOC.directBuffer(8);
        assertEquals(0, await(loop.submitRaw(sqe -> sqe.prepNop(), guard)));
        assertEquals(0, guard.refCnt(), "the guard handed over is released when the CQE arrives");
    }

    /** A raw SQE needs a ring: the portable engine refuses it before the call returns and gives the guard back. */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#portable")
    void rawSqesAreRefusedAtOnceOnThePortableEngine(Groups type) throws Exception {
        FileIo loop = loop(type);
        ByteBuf guard = ALLOC.directBuffer(8);
        IntFuture f = loop.submitRaw(sqe -> sqe.prepNop(), guard);
        assertTrue(f.isDone(), "refused before submitRaw returned");
        assertInstanceOf(UnsupportedOperationException.class, f.cause());
        assertTrue(f.cause().getMessage().contains("portable engine"), f.cause().getMessage());
        assertEquals(0, guard.refCnt(), "the guard handed over is given back");
        ByteBuf other = ALLOC.directBuffer(8);
        Future<Integer> p = loop.submitRaw(sqe -> sqe.prepNop(), other, loop.newPromise());
        assertInstanceOf(UnsupportedOperationException.class, p.cause());
        assertEquals(0, other.refCnt(), "the caller's-promise form gives the guard back too");
        assertEquals(0, loop.pendingOps());
    }

    /**
     * A raw op's filler that submits on the loop thread, halfway through writing its own entry: the op it
     * submits waits (for the loop's drain, or on Netty's loop for the hand-over's) instead of taking the one
     * SQE writer away from the filler, so the filler's read stays a read and both ops complete.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#rings")
    @io.i2o2.uring.NeedsIoUring
    void aFillerThatSubmitsLeavesItsOwnEntryWhole(Groups type) throws Exception {
        FileIo loop = loop(type);
        IoUringFile file = await(loop.open(Files.write(dir.resolve("f"), random(4096, 8))));
        ByteBuf into = ALLOC.directBuffer(4096);
        CompletableFuture<IntFuture> inner = new CompletableFuture<>();
        IntFuture outer = loop.submitRaw(sqe -> {
            sqe.prepRead(file.fd(), into.memoryAddress(), 4096, 0);
            inner.complete(loop.nop());
        }, into);
        assertTrue(outer.await(10, TimeUnit.SECONDS), "the filler's own op completes");
        assertEquals(4096, outer.getNow(), "still the read the filler wrote");
        IntFuture nested = inner.get(10, TimeUnit.SECONDS);
        assertTrue(nested.await(10, TimeUnit.SECONDS), "the op it submitted completes");
        assertEquals(0, nested.getNow());
        assertEquals(0, loop.pendingOps());
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void sameThreadAndCrossThreadSubmissionAndPromisesOfOtherExecutors(Groups type) throws Exception {
        FileIo loop = loop(type);
        byte[] data = random(4096, 6);
        Files.write(dir.resolve("t"), data);
        IoUringFile file = await(loop.open(dir.resolve("t")));

        // From the loop's own thread: queued for the loop's next drain, chained from a listener.
        CompletableFuture<byte[]> onLoop = new CompletableFuture<>();
        loop.executor().execute(() -> {
            ByteBuf buf = ALLOC.directBuffer(4096);
            file.read(buf, 0).addListener(f -> {
                assertTrue(loop.executor().inEventLoop(), "listeners of the returned future run on the loop");
                ByteBuf second = ALLOC.directBuffer(4096);
                file.read(second, 0).addListener(g -> {
                    onLoop.complete(bytes(second));
                    second.release();
                });
                buf.release();
            });
        });
        assertArrayEquals(data, onLoop.get(10, TimeUnit.SECONDS));

        // A promise of another executor: completed from the loop, listeners run on that executor.
        io.netty.util.concurrent.DefaultEventExecutor other = new io.netty.util.concurrent.DefaultEventExecutor();
        try {
            ByteBuf buf = ALLOC.directBuffer(4096);
            CompletableFuture<Boolean> ranOnOther = new CompletableFuture<>();
            file.read(buf, 0, other.<Integer>newPromise())
                    .addListener(f -> ranOnOther.complete(other.inEventLoop()));
            assertTrue(ranOnOther.get(10, TimeUnit.SECONDS));
            assertArrayEquals(data, bytes(buf));
            buf.release();
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        // The callback API: called on the loop with the raw result and the tag.
        AtomicInteger result = new AtomicInteger();
        CompletableFuture<Long> tag = new CompletableFuture<>();
        ByteBuf buf = ALLOC.directBuffer(4096);
        file.read(buf, 0, (res, t) -> {
            result.set(res);
            tag.complete(t);
        }, 42L);
        assertEquals(42L, tag.get(10, TimeUnit.SECONDS));
        assertEquals(4096, result.get());
        buf.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void directIoWithAlignmentChecks(Groups type) throws Exception {
        FileIo loop = loop(type);
        Path path = Files.write(dir.resolve("direct"), random(1 << 16, 7));
        Future<IoUringFile> opened = loop.open(path, READ, IoUringOpenOption.DIRECT).await();
        Assumptions.assumeTrue(opened.isSuccess(), "this file system refuses O_DIRECT: " + opened.cause());
        IoUringFile file = opened.getNow();
        assertTrue(file.isDirect());
        int align = file.directIoAlignment();
        assertTrue(align >= 512 && Integer.bitCount(align) == 1, "alignment from statx: " + align);
        ByteBuf aligned = AlignedBuffers.allocate(8192, Math.max(4096, file.directMemoryAlignment()));
        assertEquals(8192, await(file.read(aligned, 8192)));
        assertArrayEquals(Arrays.copyOfRange(Files.readAllBytes(path), 8192, 16384), bytes(aligned));
        aligned.clear();
        Future<Integer> badOffset = file.read(aligned, 100).await();
        assertInstanceOf(IllegalArgumentException.class, badOffset.cause());
        assertTrue(badOffset.cause().getMessage().contains("O_DIRECT"), badOffset.cause().getMessage());
        assertEquals(1, aligned.refCnt(), "refused before submission: not retained");
        aligned.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void closeWaitsForOperationsInFlightAndRefusesNewOnes(Groups type) throws Exception {
        FileIo loop = loop(type);
        Files.write(dir.resolve("c"), random(1 << 20, 8));
        IoUringFile file = await(loop.open(dir.resolve("c")));
        ByteBuf[] bufs = new ByteBuf[64];
        IntFuture[] reads = new IntFuture[bufs.length];
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = ALLOC.directBuffer(16384);
            reads[i] = file.read(bufs[i], (long) i * 16384);
        }
        Future<Void> closed = file.close();
        for (int i = 0; i < bufs.length; i++) {
            assertEquals(16384, await(reads[i]), "ops accepted before close complete normally");
            bufs[i].release();
        }
        await(closed);
        ByteBuf late = ALLOC.directBuffer(16);
        assertInstanceOf(ClosedFileException.class, file.read(late, 0).await().cause());
        assertEquals(1, late.refCnt());
        late.release();
        assertThrows(ExecutionException.class, () -> file.fsync().get());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void closeOnTheLoopThreadWaitsForItsOwnOpsAndOthersAlike(Groups type) throws Exception {
        // The loop's own ops share one file reference, ops from other threads take their own, and a loop op
        // that has to queue behind handed-over ones (Netty's loop) trades its share for a reference of its own.
        // Whatever the mix, the descriptor closes only after the last op, and nothing is accepted after close.
        FileIo loop = loop(type);
        Files.write(dir.resolve("l"), random(1 << 20, 9));
        IoUringFile file = await(loop.open(dir.resolve("l")));
        Path fdLink = Path.of("/proc/self/fd/" + file.fd());
        Path opened = Files.readSymbolicLink(fdLink);
        int onLoop = 1000;     // more than the default SQ (256 entries): the loop submits mid-task to make room
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        CompletableFuture<Future<Void>> closed = new CompletableFuture<>();
        Thread other = new Thread(() -> {
            for (int i = 0; i < 64; i++) {
                ByteBuf b = ALLOC.directBuffer(4096);
                IntFuture f = file.read(b, (long) i * 4096);
                synchronized (reads) {
                    bufs.add(b);
                    reads.add(f);
                }
            }
        });
        other.start();
        loop.executor().execute(() -> {
            for (int i = 0; i < onLoop; i++) {
                ByteBuf b = ALLOC.directBuffer(4096);
                IntFuture f = file.read(b, (long) (i % 256) * 4096);
                synchronized (reads) {
                    bufs.add(b);
                    reads.add(f);
                }
            }
            closed.complete(file.close());
        });
        other.join();
        Future<Void> closing = closed.get(10, TimeUnit.SECONDS);
        ByteBuf late = ALLOC.directBuffer(16);
        assertInstanceOf(ClosedFileException.class, file.read(late, 0).await().cause());
        late.release();
        synchronized (reads) {
            for (IntFuture f : reads) {
                Future<Integer> done = f.await();
                if (done.isSuccess()) {
                    assertEquals(4096, f.resultAsInt(), "an accepted read reads the whole block");
                } else {
                    // Only the other thread's reads can lose the race with the close, and then they are refused.
                    assertInstanceOf(ClosedFileException.class, done.cause());
                }
            }
            assertTrue(reads.stream().filter(Future::isSuccess).count() >= onLoop,
                    "every read the loop submitted before its own close() completed");
        }
        await(closing);
        assertFalse(Files.exists(fdLink) && Files.readSymbolicLink(fdLink).equals(opened),
                "the descriptor is closed once the last read completed");
        synchronized (reads) {
            for (ByteBuf b : bufs) {
                assertEquals(1, b.refCnt(), "every read released its buffer exactly once");
                b.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void openOptionsMapToFlags(Groups type) throws Exception {
        FileIo loop = loop(type);
        Path p = dir.resolve("o");
        IoUringFile created = await(loop.open(p, WRITE, StandardOpenOption.CREATE_NEW));
        await(created.close());
        Future<IoUringFile> again = loop.open(p, WRITE, StandardOpenOption.CREATE_NEW).await();
        assertEquals(Errno.EEXIST, assertInstanceOf(FileIoException.class, again.cause()).errno());
        Files.write(p, new byte[100]);
        IoUringFile trunc = await(loop.open(p, WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        assertEquals(0, Files.size(p));
        await(trunc.close());
        IoUringFile append = await(loop.open(p, StandardOpenOption.APPEND));
        ByteBuf x = ALLOC.directBuffer().writeBytes(new byte[] {9, 9});
        await(append.write(x, 0));
        x.release();
        await(append.close());
        assertEquals(2, Files.size(p));
        Future<IoUringFile> unsupported = loop.open(p, StandardOpenOption.DELETE_ON_CLOSE).await();
        assertInstanceOf(UnsupportedOperationException.class, unsupported.cause());
    }
}
