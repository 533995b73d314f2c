package io.i2o2.file;

import io.i2o2.file.nvme.NvmeErrorLogEntry;
import io.i2o2.file.nvme.NvmeLbaRange;
import io.i2o2.file.nvme.NvmeNamespace;
import io.i2o2.file.nvme.NvmeSmartLog;
import io.i2o2.file.nvme.NvmeStatusException;
import io.i2o2.file.nvme.NvmeZone;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's examples, compiled and run: each {@code // README:} block below appears verbatim in
 * README.md, and {@link #everyReadmeSnippetIsOneOfTheseExamples} fails if the README shows code that is not
 * here. What they check holds on io_uring and on the portable engine alike: the testsuite's
 * {@code SeccompReadmeExamplesTest} runs them where a seccomp filter refuses io_uring.
 */
class ReadmeExamplesTest {
    @TempDir
    Path dir;

    @Test
    void readAFile() throws Exception {
        Path path = Files.writeString(dir.resolve("hello.txt"), "hello, io_uring");
        CompletableFuture<String> seen = new CompletableFuture<>();
        // README: read-a-file
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        FileIo io = FileIo.of(files.next());
        IoUringFile file = io.open(path).sync().getNow();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        file.read(buf, 0).addListener((Future<Integer> f) -> {
            if (f.isSuccess()) {
                seen.complete(buf.toString(StandardCharsets.UTF_8));   // f.getNow() bytes were read
            } else {
                seen.completeExceptionally(f.cause());                  // a FileIoException with the errno
            }
            buf.release();
            file.close();
        });
        // README: end
        assertEquals("hello, io_uring", seen.get(10, TimeUnit.SECONDS));
        Groups.shutdown(files);
    }

    @Test
    void writeThenSyncAsOneChain() throws Exception {
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        FileIo io = FileIo.of(files.next());
        Path journal = dir.resolve("journal");
        ByteBuf record = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(new byte[512]);
        long offset = 0;
        // README: linked
        IoUringFile log = io.open(journal, StandardOpenOption.WRITE, StandardOpenOption.CREATE).sync().getNow();
        LinkedOps chain = io.link();
        IntFuture written = chain.write(log, record, offset);
        IntFuture synced = chain.fdatasync(log);   // starts only if the write succeeded
        chain.submit();
        synced.sync();                              // the record is on stable storage
        // README: end
        assertEquals(512, written.resultAsInt());
        assertEquals(512, Files.size(journal));
        record.release();
        log.close().sync();
        Groups.shutdown(files);
    }

    @Test
    void callbacksAllocateNothing() throws Exception {
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        FileIo io = FileIo.of(files.next());
        Files.write(dir.resolve("data"), new byte[8192]);
        IoUringFile file = io.open(dir.resolve("data")).sync().getNow();
        ByteBuf[] buffers = {PooledByteBufAllocator.DEFAULT.directBuffer(4096),
                             PooledByteBufAllocator.DEFAULT.directBuffer(4096)};
        CompletableFuture<Integer> total = new CompletableFuture<>();
        // README: callback
        IoCallback done = new IoCallback() {
            int bytes;
            int pending = 2;

            @Override
            public void onComplete(int result, long tag) {   // on the loop thread; result < 0 is -errno
                bytes += Math.max(result, 0);
                buffers[(int) tag].release();
                if (--pending == 0) {
                    total.complete(bytes);
                }
            }
        };
        file.read(buffers[0], 0, done, 0);
        file.read(buffers[1], 4096, done, 1);
        // README: end
        assertEquals(8192, total.get(10, TimeUnit.SECONDS));
        file.close().sync();
        Groups.shutdown(files);
    }

    @Test
    void aBatchOfReadsFromAnyThread() throws Exception {
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        FileIo io = FileIo.of(files.next());
        Files.write(dir.resolve("index"), new byte[1 << 20]);
        IoUringFile file = io.open(dir.resolve("index")).sync().getNow();
        long[] offsets = new java.util.Random(1).longs(500, 0, 256).map(block -> block * 4096).toArray();
        ByteBuf[] buffers = new ByteBuf[offsets.length];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        }
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        IoCallback done = (result, tag) -> {
            if (result < 0) {
                failed.incrementAndGet();
            }
        };
        // README: batch
        BatchedOps batch = io.batch();                     // reuse it: it is empty again after submit()
        for (int i = 0; i < offsets.length; i++) {
            batch.read(file, buffers[i], offsets[i], done, i);   // done.onComplete(result, i) on the loop
        }
        batch.submit().sync();                             // one hand-over; done when all 500 are
        // README: end
        assertEquals(0, failed.get());
        for (ByteBuf buf : buffers) {
            assertEquals(4096, buf.readableBytes());
            buf.release();
        }
        file.close().sync();
        Groups.shutdown(files);
    }

    @Test
    void spreadOverLoops() throws Exception {
        Path path = Files.write(dir.resolve("blocks"), new byte[8 * 4096]);
        // README: spread
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(2);   // two loops: up to two cores
        GroupFile data = GroupFile.open(files, path).sync().getNow();         // opened on each loop
        List<IntFuture> reads = new ArrayList<>();
        for (int block = 0; block < 8; block++) {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
            IntFuture read = data.read(buf, block * 4096L);    // from this thread: on the loops in turn
            read.addListener(f -> buf.release());              // on the thread of the loop that ran it
            reads.add(read);
        }
        // README: end
        Set<Thread> ranOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(reads.size());
        for (IntFuture read : reads) {
            assertEquals(4096, read.sync().getNow());
            read.addListener(f -> {             // notified on the loop that ran the read
                ranOn.add(Thread.currentThread());
                seen.countDown();
            });
        }
        assertTrue(seen.await(10, TimeUnit.SECONDS));
        assertEquals(2, data.loops());
        assertEquals(2, ranOn.size(), "the reads ran on both loops: " + ranOn);
        data.close().sync();
        Groups.shutdown(files);
    }

    @Test
    void configuredGroup() throws Exception {
        // README: config
        IoUringConfig config = IoUringConfig.builder()
                .ringEntries(512)
                .maxInFlight(8192)              // beyond: FileIoOverloadedException, at once
                .fixedBuffers(64, 64 * 1024)    // io.fixedBuffers(): READ_FIXED / WRITE_FIXED
                .fixedFileSlots(16)             // IoUringOpenOption.REGISTER
                .build();
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(2, config);
        // README: end
        assertEquals(64, files.nextFileIo().fixedBuffers().count());
        // A ring runs with setup flags; where io_uring is blocked (a container's seccomp profile) the same
        // group runs the portable engine, which has no ring and so none: the example holds on both.
        EngineFacts facts = files.nextFileIo().engineFacts();
        assertTrue(facts.engine() == IoEngine.RING_SQE64 || facts.engine() == IoEngine.PORTABLE, facts::toString);
        assertEquals(facts.engine() == IoEngine.RING_SQE64, !facts.setupFlags().isEmpty(), facts::toString);
        Groups.shutdown(files);
    }

    /** Not a test on its own: the host has no NVMe device; see the test below. */
    private void nvmeNamespace() throws Exception {
        Path device = Path.of("/dev/ng0n1");
        // README: nvme
        IoUringPassthroughEventLoopGroup passthrough = new IoUringPassthroughEventLoopGroup(1,
                IoUringConfig.builder().fixedBuffers(16, 64 * 1024).build());    // registered buffers for uring_cmd too
        FileIo io = passthrough.nextFileIo();
        NvmeNamespace ns = NvmeNamespace.open(io, device).get();                 // identify: LBA size, count, format
        if (ns.info().hasMetadata()) {                                           // its data commands would be refused
            throw new IllegalStateException("formatted " + ns.info().formatDescription());
        }
        ByteBuf blocks = AlignedBuffers.allocate(8 * ns.lbaSize(), 4096);
        ns.read(0, 8, blocks).get();                                             // 8 blocks from LBA 0
        ByteBuf header = AlignedBuffers.allocate(ns.lbaSize(), 4096).writeZero(ns.lbaSize());
        ns.write(8, header, blocks).get();                                       // 9 blocks, one NVME_URING_CMD_IO_VEC
        ByteBuf fixed = io.fixedBuffers().tryAcquire();                          // IORING_URING_CMD_FIXED (6.1+)
        NvmeNamespace timed = ns.withTimeout(Duration.ofSeconds(5));             // timeout_ms on each of its commands
        timed.read(0, 8, fixed).get();
        fixed.release();
        header.release();
        blocks.release();
        ns.close().get();                                                        // the devices' descriptors
        // README: end
        passthrough.shutdownGracefully();
    }

    /** Not a test on its own either: the rest of the NVMe API, on the same missing device. */
    private void nvmeStorageEngine() throws Exception {
        Path device = Path.of("/dev/ng0n1");
        Path zonedDevice = Path.of("/dev/ng0n2");
        // README: nvme-more
        IoUringPassthroughEventLoopGroup polled = new IoUringPassthroughEventLoopGroup(1,
                IoUringConfig.builder().ioPoll(true).build());    // IOPOLL (poll_queues): I/O polled, the rest on a companion ring
        FileIo io = polled.nextFileIo();
        NvmeNamespace ns = NvmeNamespace.open(io, device).get();  // controller and nsid found through sysfs
        int lba = ns.lbaSize();
        ByteBuf data = AlignedBuffers.allocate(2 * lba, 4096).writeZero(2 * lba);
        ns.write(16, data.duplicate(), true).get();                // FUA: durable on completion
        if (ns.controllerInfo().compare()) {                       // what Identify Controller says it has
            boolean same = ns.compare(16, data.duplicate()).get();
        }
        if (ns.controllerInfo().verify()) {
            ns.verify(16, 2).get();
        }
        if (ns.controllerInfo().copy()) {
            ns.copy(List.of(new NvmeLbaRange(16, 2)), 64).get();   // Simple Copy, on the device
        }
        ns.trim(List.of(new NvmeLbaRange(16, 2), new NvmeLbaRange(64, 2))).get();   // one Dataset Management
        NvmeSmartLog health = ns.controller().smartLog().get();   // log pages and features, typed
        List<NvmeErrorLogEntry> errors = ns.controller().errorLog(16).get();
        boolean writeCache = ns.controller().volatileWriteCache().get();
        try {
            ns.read(ns.lbaCount(), 1, data.clear()).get();          // one block past the end
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NvmeStatusException status) {       // 0x4080: LBA Out of Range, DNR
                boolean retry = !status.doNotRetry();
            }
        }
        NvmeNamespace zoned = NvmeNamespace.open(io, zonedDevice).get();
        NvmeZone zone = zoned.reportZones(0, 1).get().getFirst();
        zoned.manageZone(zone.startLba(), NvmeNamespace.ZoneAction.RESET).get();
        long written = zoned.zoneAppend(zone.startLba(), data.duplicate()).get();   // the LBA the device chose
        data.release();
        zoned.close().get();
        ns.close().get();
        // README: end
        polled.shutdownGracefully();
    }

    /** Runs {@link #nvmeStorageEngine} where no device exists: it must fail on the missing device, cleanly. */
    @Test
    void theSecondNvmeExampleFailsCleanlyWithoutADevice() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/ng0n2")),
                "a real NVMe device here: the example would write to it; the guest tests cover each of its calls");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                this::nvmeStorageEngine);
        assertInstanceOf(FileIoException.class, e.getCause());
    }

    /** Runs {@link #nvmeNamespace} where no device exists: it must fail on the missing device, cleanly. */
    @Test
    void theNvmeExampleFailsCleanlyWithoutADevice() throws Exception {
        if (Files.exists(Path.of("/dev/ng0n1"))) {
            nvmeNamespace();
            return;
        }
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                this::nvmeNamespace);
        assertInstanceOf(FileIoException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("ENOENT"), e.getCause().getMessage());
    }

    @Test
    void everyReadmeSnippetIsOneOfTheseExamples() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("README.md"))) {
            root = root.getParent();
        }
        assertTrue(root != null, "README.md not found above " + Path.of("").toAbsolutePath());
        String readme = Files.readString(root.resolve("README.md"));
        String here = squash(Files.readString(root.resolve(
                "transport-iouring-file/src/test/java/io/i2o2/file/ReadmeExamplesTest.java")));
        String server = squash(String.join("\n", sources(root.resolve("testsuite/src/main/java"))));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        int blocks = 0;
        while (m.find()) {
            String block = squash(m.group(1));
            assertTrue(here.contains(block) || server.contains(block),
                    "README snippet not found in a compiled example:\n" + m.group(1));
            blocks++;
        }
        assertTrue(blocks >= 5, "the README shows its examples (" + blocks + " found)");
    }

    private static List<String> sources(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                    out.add(Files.readString(p));
                }
            }
        }
        return out;
    }

    /** Whitespace-insensitive form, so indentation in the README does not matter. */
    private static String squash(String code) {
        return code.replaceAll("\\s+", " ").trim();
    }
}
