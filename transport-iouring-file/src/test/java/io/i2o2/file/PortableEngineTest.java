package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.FileDescriptors;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.WithoutIoUring;
import io.netty.buffer.ByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the portable engine has to say: its settings, its probe, its workers, what cancel can and cannot
 * stop there, and how its chains break. Runs everywhere: it needs no io_uring.
 */
@WithoutIoUring
class PortableEngineTest {
    @TempDir
    Path dir;
    private MultiThreadIoEventLoopGroup group;
    private final java.util.Map<IoUringFile, Path> fifoPaths = new java.util.HashMap<>();

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    private FileIo portable(IoUringConfig config) {
        group = new PortableFileEventLoopGroup(1, config);
        return FileIo.of(group.next());
    }

    private IoUringFile fifo(FileIo io, String name) throws Exception {
        Path path = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        IoUringFile f = await(io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
        fifoPaths.put(f, path);
        return f;
    }

    /** Writes a byte into {@code fifo} with plain Java: the loop's workers may all be inside reads. */
    private void feed(IoUringFile fifo) throws Exception {
        Files.write(fifoPaths.get(fifo), new byte[] {1});
    }

    /** A read of {@code pipe} into {@code held} that the loop's one worker is inside of when this returns. */
    private static IntFuture holdTheOneWorker(FileIo io, IoUringFile pipe, ByteBuf held) throws InterruptedException {
        IntFuture running = pipe.read(held, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (io.metrics().workerThreads() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(50);                               // the one worker is inside read()
        return running;
    }

    @Test
    void ringOnlySettingsAreIgnoredOrRefusedWhenRequired() throws Exception {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new PortableFileEventLoopGroup(1, IoUringConfig.builder().sqPoll(10, -1).ioPoll(true)
                        .requireAllFlags(true).build()));
        assertTrue(e.getMessage().contains("sqPoll") && e.getMessage().contains("ioPoll")
                && e.getMessage().contains("requireAllFlags"), e.getMessage());
        FileIo io = portable(IoUringConfig.builder().sqPoll(10, -1).ioPoll(true).build());
        assertEquals(IoEngine.PORTABLE, io.engine(), "without requireAllFlags they are ignored");
        assertEquals(0, await(io.nop()));
        assertTrue(io.ringFlags().isEmpty(), "no ring, no flags: " + io.ringFlags());
    }

    @Test
    void itsProbeSaysWhatItRuns() {
        FileIo io = portable(IoUringConfig.defaults());
        for (int op : new int[] {Opcode.NOP, Opcode.READ, Opcode.WRITEV, Opcode.FSYNC, Opcode.TIMEOUT,
                Opcode.LINK_TIMEOUT, Opcode.OPENAT2, Opcode.STATX, Opcode.FTRUNCATE, Opcode.URING_CMD}) {
            assertTrue(io.supportsOpcode(op), Opcode.name(op));
        }
        for (int op : new int[] {Opcode.MSG_RING, Opcode.ASYNC_CANCEL, 13 /* ACCEPT */, 6 /* POLL_ADD */}) {
            assertFalse(io.supportsOpcode(op), Opcode.name(op) + " has no system call here");
        }
    }

    /** Blocking calls hold workers: at most the configured number run at once, named after the engine. */
    @Test
    void workersAreBoundedNamedAndCounted() throws Exception {
        FileIo io = portable(IoUringConfig.builder().portableWorkers(2).build());
        List<IoUringFile> fifos = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        List<ByteBuf> bufs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fifos.add(fifo(io, "f" + i));       // first: an open needs a worker too, and two reads hold both
        }
        for (IoUringFile f : fifos) {
            ByteBuf b = ALLOC.directBuffer(8);
            bufs.add(b);
            reads.add(f.read(b, 0));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (io.metrics().workerThreads() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
        assertEquals(2, io.metrics().workerThreads(), "two workers, no more: " + io.metrics());
        assertTrue(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .anyMatch(n -> n.startsWith("i2o2-portable-") && n.contains("-worker-")), "named after the engine");
        // Each read waits for its data; with both workers inside read(), the others wait for a worker.
        for (IoUringFile f : fifos) {
            feed(f);
        }
        for (int i = 0; i < reads.size(); i++) {
            assertEquals(1, await(reads.get(i)), "read " + i);
            assertEquals(1, bufs.get(i).refCnt(), "released once its call returned");
            bufs.get(i).release();
        }
        for (IoUringFile f : fifos) {
            await(f.close());
        }
    }

    /**
     * The queue to the workers is not the kernel yet: cancel() stays true until a worker takes the op, which then
     * skips it (its buffer comes back when that worker passes it); an op a worker runs cannot be stopped.
     */
    @Test
    void cancelIsTrueUntilAWorkerTakesTheOpAndCannotStopOneItRuns() throws Exception {
        FileIo io = portable(IoUringConfig.builder().portableWorkers(1).build());
        IoUringFile pipe = fifo(io, "p");
        Path data = Files.write(dir.resolve("data"), new byte[4096]);
        IoUringFile file = await(io.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE));
        ByteBuf held = ALLOC.directBuffer(8);
        IntFuture running = holdTheOneWorker(io, pipe, held);
        // A write (a buffered read of cached data would be done by the loop at once, without a worker).
        ByteBuf waiting = ALLOC.directBuffer(4096).writeBytes(new byte[4096]).setByte(0, 7);
        IntFuture queued = file.write(waiting, 0);
        Thread.sleep(20);                               // in the workers' queue by now, no worker free
        assertTrue(queued.cancel(false), "no worker took it: it will never run");
        assertTrue(queued.isCancelled());
        assertFalse(running.cancel(false), "a worker runs it: cancel() cannot promise anything");
        Thread.sleep(50);
        assertFalse(running.isDone(), "a worker's read() cannot be stopped");
        assertEquals(2, held.refCnt(), "so its buffer stays pinned");
        feed(pipe);
        assertEquals(1, await(running));
        assertEquals(1, held.refCnt());
        PinningTest.awaitRefCnt(waiting, 1);            // the worker skipped the cancelled write and gave it back
        assertEquals(0, Files.readAllBytes(data)[0], "nothing was written");
        assertEquals(0, io.pendingOps());
        waiting.release();
        held.release();
        await(file.close());
        await(pipe.close());
    }

    /**
     * A batch cancelled while its ops wait for a worker: none of them runs (each future cancelled, nothing
     * written), the batch's future is cancelled at once, and every buffer comes back when the worker passes them.
     */
    @Test
    void aBatchCancelledBeforeAWorkerTakesItsOpsRunsNoneOfThem() throws Exception {
        FileIo io = portable(IoUringConfig.builder().portableWorkers(1).build());
        IoUringFile pipe = fifo(io, "batch");
        Path data = Files.write(dir.resolve("batched"), new byte[4 * 4096]);
        IoUringFile file = await(io.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE));
        ByteBuf held = ALLOC.directBuffer(8);
        IntFuture running = holdTheOneWorker(io, pipe, held);
        BatchedOps batch = io.batch();
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> writes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ByteBuf src = ALLOC.directBuffer(4096).writeBytes(new byte[4096]).setByte(0, 9);
            bufs.add(src);
            writes.add(batch.write(file, src, i * 4096L));
        }
        io.netty.util.concurrent.Future<Void> all = batch.submit();
        Thread.sleep(20);                               // in the workers' queue by now, no worker free
        assertTrue(all.cancel(false));
        assertTrue(all.isCancelled(), "the batch's future is cancelled at once");
        feed(pipe);
        assertEquals(1, await(running));
        for (int i = 0; i < 4; i++) {
            assertTrue(writes.get(i).await(10, TimeUnit.SECONDS));
            assertTrue(writes.get(i).isCancelled(), "write " + i + " never ran");
            PinningTest.awaitRefCnt(bufs.get(i), 1);
            bufs.get(i).release();
        }
        byte[] after = Files.readAllBytes(data);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, after[i * 4096], "nothing was written");
        }
        assertEquals(0, io.pendingOps());
        held.release();
        await(file.close());
        await(pipe.close());
    }

    /**
     * A buffered read of a regular file is tried on the loop without waiting (the page cache's answer) and goes
     * to a worker only when it would wait; a pipe's read never is (a first try would consume what a second read
     * then lacks), so a short pipe read gives exactly what the pipe held.
     */
    @Test
    void readsTriedOnTheLoopLoseNothing() throws Exception {
        FileIo io = portable(IoUringConfig.defaults());
        byte[] data = new byte[64 * 1024];
        new java.util.Random(5).nextBytes(data);
        IoUringFile file = await(io.open(Files.write(dir.resolve("cached"), data)));
        ByteBuf buf = ALLOC.directBuffer(4096);
        for (int off = 0; off < data.length; off += 4096) {
            buf.clear();
            assertEquals(4096, await(file.read(buf, off)));
            assertEquals(data[off + 17], buf.getByte(17), "offset " + off);
        }
        buf.clear();
        assertEquals(0, await(file.read(buf, data.length)), "end of file");
        buf.clear();
        assertEquals(100, await(file.read(buf, data.length - 100)), "short at the end of the file");
        IoUringFile pipe = fifo(io, "short");
        Files.write(fifoPaths.get(pipe), new byte[] {1, 2, 3});
        buf.clear();
        assertEquals(3, await(pipe.read(buf, 0)), "what the pipe held, all of it");
        assertEquals(3, buf.getByte(2));
        buf.release();
        await(file.close());
        await(pipe.close());
    }

    /**
     * An open beneath a directory is tried on the loop first, from the dentry cache and without waiting
     * (O_NONBLOCK), as io_uring tries it inline: the descriptor it gives is what was asked, O_NONBLOCK only where
     * asked; an open that creates goes to a worker, and a missing path fails as on the ring.
     */
    @Test
    void opensTriedOnTheLoopGiveWhatWasAsked() throws Exception {
        FileIo io = portable(IoUringConfig.defaults());
        IoUringFile root = await(io.open(dir, Set.of(StandardOpenOption.READ), 0));
        IoUringFile pipe = fifo(io, "fifo");
        Files.write(dir.resolve("plain"), new byte[] {1, 2, 3});
        Set<Resolve> beneath = Set.of(Resolve.BENEATH);
        IoUringFile plain = await(io.open(root, "plain", Set.of(StandardOpenOption.READ), 0, beneath));
        assertEquals(0, FileDescriptors.statusFlags(plain.fd()) & Linux.O_NONBLOCK,
                "O_NONBLOCK was not asked for");
        IoUringFile fifoAgain = await(io.open(root, "fifo", Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE),
                0, beneath));
        assertEquals(0, FileDescriptors.statusFlags(fifoAgain.fd()) & Linux.O_NONBLOCK,
                "a FIFO opened without O_NONBLOCK blocks its reads as asked");
        IoUringFile nonBlocking = await(io.open(root, "fifo", Set.of(StandardOpenOption.READ,
                IoUringOpenOption.NONBLOCK), 0, beneath));
        assertTrue((FileDescriptors.statusFlags(nonBlocking.fd()) & Linux.O_NONBLOCK) != 0,
                "O_NONBLOCK where asked");
        IoUringFile created = await(io.open(root, "new", Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE),
                0640, beneath));
        assertTrue(Files.exists(dir.resolve("new")));
        assertEquals(Errno.ENOENT, assertInstanceOf(FileIoException.class,
                io.open(root, "missing", Set.of(StandardOpenOption.READ), 0, beneath).await().cause()).errno());
        ByteBuf buf = ALLOC.directBuffer(8);
        assertEquals(3, await(plain.read(buf, 0)));
        assertEquals(3, await(plain.stat()).size(), "a stat of an open file, done on the loop");
        buf.release();
        for (IoUringFile f : List.of(plain, fifoAgain, nonBlocking, created, pipe, root)) {
            await(f.close());
        }
    }

    /** A failed link cancels the rest of its chain with ECANCELED, as the kernel does; a short read breaks it too. */
    @Test
    void chainsBreakAsTheKernelBreaksThem() throws Exception {
        FileIo io = portable(IoUringConfig.defaults());
        Path path = Files.write(dir.resolve("short"), new byte[100]);
        IoUringFile file = await(io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
        ByteBuf big = ALLOC.directBuffer(4096);
        ByteBuf data = ALLOC.directBuffer(16).writeZero(16);
        LinkedOps chain = io.link();
        IntFuture read = chain.read(file, big, 0);          // 100 of 4096 bytes: short
        IntFuture write = chain.write(file, data, 0);
        chain.submit();
        assertEquals(100, await(read), "the short read itself succeeds");
        assertEquals(Errno.ECANCELED, assertInstanceOf(FileIoException.class, write.await().cause()).errno(),
                "the link after it is cancelled");
        assertEquals(16, data.readableBytes(), "nothing was written");
        ByteBuf whole = ALLOC.directBuffer(100);
        LinkedOps ok = io.link();
        IntFuture first = ok.read(file, whole, 0);
        IntFuture sync = ok.fdatasync(file);
        ok.submit();
        assertEquals(100, await(first));
        assertEquals(0, await(sync), "a chain whose links succeed runs to its end");
        big.release();
        data.release();
        whole.release();
        await(file.close());
    }

    /** A link timeout cannot stop a blocking call: it says whether its link overran. */
    @Test
    void aLinkTimeoutReportsWhetherItsLinkOverran() throws Exception {
        FileIo io = portable(IoUringConfig.defaults());
        IoUringFile file = await(io.open(Files.write(dir.resolve("d"), new byte[4096])));
        ByteBuf buf = ALLOC.directBuffer(4096);
        LinkedOps chain = io.link();
        IntFuture read = chain.read(file, buf, 0);
        var bound = chain.timeoutPrevious(10, TimeUnit.SECONDS);
        chain.submit();
        assertEquals(4096, await(read));
        assertTrue(bound.await(10, TimeUnit.SECONDS));
        assertTrue(bound.isSuccess(), "the read finished first: " + bound.cause());
        buf.release();
        await(file.close());
    }

    @Test
    void registeredFilesAndBuffersAreEmulated() throws Exception {
        FileIo io = portable(IoUringConfig.builder().fixedFileSlots(4).fixedBuffers(2, 4096).build());
        Path path = Files.write(dir.resolve("reg"), new byte[8192]);
        // Registered files and buffers are emulated: code written for them runs unchanged.
        IoUringFile file = await(io.open(path, Set.of(StandardOpenOption.READ, IoUringOpenOption.REGISTER), 0));
        ByteBuf fixed = io.fixedBuffers().tryAcquire();
        try {
            assertEquals(4096, await(file.readFixed(fixed, 0)));
            assertEquals(4096, fixed.readableBytes());
        } finally {
            fixed.release();
            await(file.close());
        }
    }
}
