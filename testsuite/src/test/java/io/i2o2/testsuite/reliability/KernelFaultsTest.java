package io.i2o2.testsuite.reliability;

import io.i2o2.file.FaultSeam;
import io.i2o2.file.Groups;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.FileIoException;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.LinkedOps;
import io.i2o2.testsuite.reliability.RegionLoad.Backpressure;
import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelFaults;
import io.i2o2.uring.Linux;
import io.i2o2.uring.RegisterOp;
import io.i2o2.uring.SetupFlag;
import io.i2o2.file.FileStat;
import io.i2o2.uring.UringException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel misbehaving, through {@link KernelFaults}: refused set-ups, interrupted and failing
 * {@code io_uring_enter}, failing registrations, and older kernels. Whatever happens, every future completes,
 * nothing hangs, and no buffer that never reached the kernel stays pinned.
 *
 * <p>On this library's two group types only, never Netty's own io_uring loop: {@code KernelFaults} is a seam in
 * our ring's system calls (setup, enter, register, the probe, the kernel release), and Netty's ring makes its
 * own; what a Netty loop can do is checked against Netty's behaviour in the file module and in
 * {@code LimitsTest} and {@code UserErrorsTest}.
 */
class KernelFaultsTest {
    @TempDir
    Path dir;

    static IoUringConfig faulty(KernelFaults faults) {
        return FaultSeam.faults(IoUringConfig.builder(), faults).build();
    }

    /** The {@link UringException} somewhere in {@code t}'s cause chain. */
    static UringException uringCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UringException u) {
                return u;
            }
        }
        throw new AssertionError("no UringException in the cause chain", t);
    }

    // ---- io_uring_setup ----

    static Stream<Arguments> setupFailures() {
        List<Arguments> cases = new ArrayList<>();
        for (Groups type : List.of(Groups.FILE, Groups.PASSTHROUGH)) {
            cases.add(Arguments.of(type, Errno.EPERM, "/proc/sys/kernel/io_uring_disabled"));
            cases.add(Arguments.of(type, Errno.ENOMEM, "RLIMIT_MEMLOCK"));
            cases.add(Arguments.of(type, Errno.ENOSYS, "io_uring is not available"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: errno {1}")
    @MethodSource("setupFailures")
    void refusedSetupFailsGroupCreationWithTheErrnoAndItsExplanation(Groups type, int errno, String explanation)
            throws Exception {
        long ringsBefore = Kit.openRings();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> type.create(faulty(KernelFaults.plan().failSetup(errno, 1))));
        UringException cause = uringCause(e);
        assertEquals(errno, cause.errno());
        assertTrue(cause.getMessage().startsWith("io_uring_setup("), cause.getMessage());
        assertTrue(cause.getMessage().contains(Errno.name(errno)), cause.getMessage());
        assertTrue(cause.getMessage().contains(explanation), cause.getMessage());
        assertEquals(ringsBefore, Kit.openRings(), "a refused set-up leaves no ring open");
    }

    // ---- io_uring_enter ----

    static Stream<Arguments> transientEnterErrors() {
        return Stream.of(Errno.EINTR, Errno.EAGAIN, Errno.EBUSY).flatMap(errno ->
                Stream.of(Arguments.of(Groups.FILE, errno), Arguments.of(Groups.PASSTHROUGH, errno)));
    }

    @ParameterizedTest(name = "{0}: errno {1}")
    @MethodSource("transientEnterErrors")
    void transientEnterErrorsUnderLoadLoseNothing(Groups type, int errno) throws Exception {
        KernelFaults faults = KernelFaults.plan();
        IoUringEventLoopGroup group = type.createOwn(faulty(faults));
        Kit.shutdownAfter(group, () -> {
            RegionLoad load = new RegionLoad(group, dir, 16, 4, 512, 2);
            // A burst at once, then more while the load runs: both the busy loop and a parked one see them.
            faults.failEnter(errno, 2_000);
            AtomicBoolean done = new AtomicBoolean();
            Thread chaos = Thread.ofPlatform().daemon().start(() -> {
                while (!done.get()) {
                    faults.failEnter(errno, 20);
                    Thread.onSpinWait();
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            try {
                load.run(false, Backpressure.RETRY, 40, 10);
            } finally {
                done.set(true);
                chaos.join();
            }
            load.closeAndVerify(39);
            assertEquals(16L * 40 * 8, load.ops.sum());
        });
    }

    /**
     * io_uring_enter fails for good (EBADF) while 8 threads keep submitting: every future completes (failed once
     * the loop is dead), every submission after that is refused, the termination future fails naming the cause
     * and nothing hangs. Buffers of ops that had not reached the kernel are released; an op the kernel already
     * had (its completion never reaped, as enter fails) keeps its buffer pinned by design, since the kernel
     * might still write into it: at most one per thread here, and the test drops those pins itself once the
     * ring is closed, so that the leak detector stays meaningful for everything else.
     */
    // Not NETTY: the failing io_uring_enter is injected through KernelFaults, a seam only our rings have.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void fatalEnterErrorMidLoadFailsEverythingAndHangsNothing(Groups type) throws Exception {
        KernelFaults faults = KernelFaults.plan();
        IoUringEventLoopGroup group = type.createOwn(faulty(faults));
        FileIo loop = FileIo.of(group.next());
        Path data = Files.write(dir.resolve("fatal"), new byte[1 << 16]);
        IoUringFile file = Kit.await(loop.open(data, READ, WRITE));
        CountDownLatch running = new CountDownLatch(8);
        List<ByteBuf> bufs = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread killer = Thread.ofPlatform().start(() -> Kit.unchecked(() -> {
            running.await();
            Thread.sleep(50);
            faults.failEnter(Errno.EBADF, Integer.MAX_VALUE);
        }));
        java.util.concurrent.atomic.LongAdder succeeded = new java.util.concurrent.atomic.LongAdder();
        Kit.runThreads(8, false, "fatal", t -> Kit.unchecked(() -> {
            ByteBuf buf = Kit.ALLOC.directBuffer(512, 512);
            bufs.add(buf);
            running.countDown();
            for (long i = 0; ; i++) {
                Future<?> f = switch ((int) (i % 3)) {
                    case 0 -> file.write(buf.clear().writeZero(512), t * 512L);
                    case 1 -> file.read(buf.clear(), t * 512L);
                    default -> loop.nop();
                };
                Throwable failure = Kit.awaitOutcome(f);
                if (failure instanceof RejectedExecutionException) {
                    assertTrue(buf.refCnt() <= 2, "refused at once, nothing retained");
                    return;
                }
                if (failure == null) {
                    succeeded.increment();
                    assertEquals(1, buf.refCnt(), "released when it completed");
                } else {
                    assertNotNull(uringCauseOrNull(failure), "failed by the ring's death: " + failure);
                    if (buf.refCnt() == 2) {
                        buf = Kit.ALLOC.directBuffer(512, 512); // pinned by the dead loop: carry on with another
                        bufs.add(buf);
                    }
                }
            }
        }));
        killer.join();
        assertTrue(loop.executor().terminationFuture().await(Kit.HANG_SECONDS, TimeUnit.SECONDS), "the loop terminates");
        assertFalse(loop.executor().terminationFuture().isSuccess());
        assertEquals(Errno.EBADF, uringCause(loop.executor().terminationFuture().cause()).errno());
        assertTrue(succeeded.sum() > 0, "the fault came mid-load, after some ops had succeeded");
        int pinned = 0;
        for (ByteBuf b : bufs) {
            assertTrue(b.refCnt() == 1 || b.refCnt() == 2, "refCnt " + b.refCnt());
            if (b.refCnt() == 2) {
                pinned++;
                b.release(); // the library's pin: the ring is closed now
            }
        }
        assertTrue(pinned <= 8, pinned + " buffers pinned: more than the ops that could be in the kernel");
        System.out.printf("fatal EBADF mid-load (%s): %d ops succeeded first, %d buffers were in the kernel%n",
                type, succeeded.sum(), pinned);
        Kit.releaseAll(bufs);
        file.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /**
     * The same death with a deterministic backlog: 200 reads queued behind a busy loop with an 8-entry SQ, so
     * when io_uring_enter fails some sit in SQEs the kernel never took, one waits for SQ room, the rest in the
     * hand-over queue. None reached the kernel: all must fail and be released.
     */
    // Not NETTY: the failing io_uring_enter is injected through KernelFaults, a seam only our rings have.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void fatalEnterErrorWithABacklogReleasesEveryBufferThatNeverReachedTheKernel(Groups type) throws Exception {
        KernelFaults faults = KernelFaults.plan();
        IoUringEventLoopGroup group = type.createOwn(FaultSeam.faults(IoUringConfig.builder().ringEntries(8), faults).build());
        FileIo loop = FileIo.of(group.next());
        Path data = Files.write(dir.resolve("backlog"), new byte[1 << 16]);
        IoUringFile file = Kit.await(loop.open(data, READ));
        CountDownLatch hold = Kit.block(loop);
        List<ByteBuf> bufs = new ArrayList<>();
        List<IntFuture> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ByteBuf b = Kit.ALLOC.directBuffer(256, 256);
            bufs.add(b);
            reads.add(file.read(b, i * 256L));
        }
        faults.failEnter(Errno.EBADF, Integer.MAX_VALUE);
        hold.countDown();
        for (IntFuture f : reads) {
            assertEquals(Errno.EBADF, uringCause(Kit.awaitOutcome(f)).errno());
        }
        assertTrue(loop.executor().terminationFuture().await(Kit.HANG_SECONDS, TimeUnit.SECONDS));
        for (int i = 0; i < bufs.size(); i++) {
            assertEquals(1, bufs.get(i).refCnt(), "read " + i + " never reached the kernel but stays pinned");
        }
        Kit.releaseAll(bufs);
        assertTrue(file.close().await(Kit.HANG_SECONDS, TimeUnit.SECONDS), "a file of a dead loop still closes");
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static UringException uringCauseOrNull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UringException u) {
                return u;
            }
        }
        return null;
    }

    // ---- io_uring_register ----

    /** Registrations the loop thread makes at start: a failure kills the loop at once, with the errno. */
    static Stream<Arguments> registerFailuresAtStart() {
        return Stream.of(
                Arguments.of("BUFFERS", RegisterOp.BUFFERS, Errno.ENOMEM,
                        IoUringConfig.builder().fixedBuffers(4, 4096)),
                Arguments.of("ENABLE_RINGS", RegisterOp.ENABLE_RINGS, Errno.EBUSY, IoUringConfig.builder()),
                Arguments.of("FILES2", RegisterOp.FILES2, Errno.EMFILE, IoUringConfig.builder().fixedFileSlots(4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registerFailuresAtStart")
    void failedRegistrationAtStartKillsTheLoopClearlyAndNothingHangs(String what, int op, int errno,
                                                                     IoUringConfig.Builder config) throws Exception {
        KernelFaults faults = KernelFaults.plan().failRegister(op, errno, 1);
        IoUringEventLoopGroup group = Groups.FILE.createOwn(FaultSeam.faults(config, faults).build());
        FileIo loop = FileIo.of(group.next());
        // Submitted while the loop is dying: each must complete (failed), none may hang.
        List<IntFuture> early = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            early.add(loop.nop());
        }
        assertTrue(loop.executor().terminationFuture().await(Kit.HANG_SECONDS, TimeUnit.SECONDS), "the loop dies");
        UringException cause = uringCause(loop.executor().terminationFuture().cause());
        assertEquals(errno, cause.errno());
        assertTrue(cause.getMessage().contains(what), cause.getMessage());
        for (IntFuture f : early) {
            assertNotNull(Kit.awaitOutcome(f), "an op on a dead loop cannot succeed");
        }
        assertInstanceOf(RejectedExecutionException.class, Kit.awaitOutcome(loop.nop()));
        assertTrue(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(Kit.HANG_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void failedProbeFailsGroupCreation() throws Exception {
        long ringsBefore = Kit.openRings();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Groups.FILE.create(
                faulty(KernelFaults.plan().failRegister(RegisterOp.PROBE, Errno.EINVAL, 1))));
        assertEquals(Errno.EINVAL, uringCause(e).errno());
        assertTrue(uringCause(e).getMessage().contains("PROBE"));
        assertEquals(ringsBefore, Kit.openRings(), "the ring of the refused loop is closed");
    }

    /** Registrations the loop can do without: it falls back and serves as usual. */
    @Test
    void optionalRegistrationsFallBack() throws Exception {
        KernelFaults faults = KernelFaults.plan()
                .failRegister(RegisterOp.RING_FDS, Errno.EINVAL, 1)
                .failRegister(RegisterOp.SEND_MSG_RING, Errno.EINVAL, 1)
                .failRegister(RegisterOp.FILES2, Errno.EINVAL, 1);
        IoUringEventLoopGroup group = Groups.FILE.createOwn(FaultSeam.faults(IoUringConfig.builder().fixedFileSlots(2), faults)
                .build());
        Kit.shutdownAfter(group, () -> {
            FileIo loop = FileIo.of(group.next());
            assertEquals(0, Kit.await(loop.nop()));
            assertEquals("eventfd", loop.wakeMechanism(), "no MSG_RING: woken through an eventfd");
            IoUringFile f = Kit.await(loop.open(Files.write(dir.resolve("r"), new byte[8]), READ,
                    IoUringOpenOption.REGISTER));
            assertTrue(f.isRegistered(), "sparse FILES2 refused: a table of -1 through FILES instead");
            Kit.await(f.close());
            for (int i = 0; i < 200; i++) {
                assertEquals(0, Kit.await(loop.nop()), "woken " + i);
            }
        });
    }

    /** A registered-file slot update that fails fails that open only, and gives the slot back. */
    @Test
    void failedSlotUpdateFailsTheOpenAndLeaksNothing() throws Exception {
        KernelFaults faults = KernelFaults.plan();
        IoUringEventLoopGroup group = Groups.FILE.createOwn(FaultSeam.faults(IoUringConfig.builder().fixedFileSlots(1), faults)
                .build());
        Kit.shutdownAfter(group, () -> {
            FileIo loop = FileIo.of(group.next());
            Path p = Files.write(dir.resolve("u"), new byte[8]);
            long fdsBefore = openFds();
            faults.failRegister(RegisterOp.FILES_UPDATE, Errno.ENOMEM, 1);
            Throwable failed = Kit.awaitOutcome(loop.open(p, READ, IoUringOpenOption.REGISTER));
            assertEquals(Errno.ENOMEM, uringCause(failed).errno());
            assertEquals(fdsBefore, openFds(), "the opened descriptor was closed again");
            IoUringFile f = Kit.await(loop.open(p, READ, IoUringOpenOption.REGISTER));
            assertTrue(f.isRegistered(), "the only slot came back");
            Kit.await(f.close());
        });
    }

    static long openFds() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    // ---- older kernels ----

    static Stream<Arguments> simulatedKernels() {
        return Stream.of("5.15", "5.19", "6.0", "6.1").flatMap(k ->
                Stream.of(Arguments.of(k, Groups.FILE), Arguments.of(k, Groups.PASSTHROUGH)));
    }

    @ParameterizedTest(name = "Linux {0}, {1}")
    @MethodSource("simulatedKernels")
    void fileOperationsWorkOnOlderKernels(String release, Groups type) throws Exception {
        KernelFaults faults = KernelFaults.plan().simulateKernel(release);
        if (type == Groups.PASSTHROUGH && release.equals("5.15")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> type.create(faulty(faults)));
            String message = uringCause(e).getMessage();
            assertTrue(message.contains("SQE128") && message.contains("5.19"), message);
            return;
        }
        IoUringEventLoopGroup group = type.createOwn(FaultSeam.faults(IoUringConfig.builder().fixedBuffers(2, 4096)
                .fixedFileSlots(2), faults).build());
        Kit.shutdownAfter(group, () -> everyFileOperation(group.nextFileIo(), release));
    }

    /** Every file operation a 5.15 kernel has, with results checked; FTRUNCATE (6.9) refused by name. */
    private void everyFileOperation(FileIo loop, String release) throws Exception {
        Path sub = dir.resolve("k" + release.replace('.', '_'));
        assertEquals(0, Kit.await(loop.createDirectory(sub, 0755)));
        Path p = sub.resolve("f");
        IoUringFile file = Kit.await(loop.open(p, READ, WRITE, CREATE, IoUringOpenOption.REGISTER));
        assertTrue(file.isRegistered());
        assertEquals(0, Kit.await(file.fallocate(0, 0, 8192)));
        ByteBuf out = Kit.fill(Kit.ALLOC.directBuffer(4096), 1, 1, 4096);
        LinkedOps chain = loop.link();
        IntFuture written = chain.write(file, out, 0);
        IntFuture synced = chain.fdatasync(file);
        chain.submit();
        assertEquals(4096, Kit.await(written));
        assertEquals(0, Kit.await(synced));
        ByteBuf fixed = loop.fixedBuffers().tryAcquire();
        assertEquals(4096, Kit.await(file.readFixed(fixed, 0)));
        assertEquals(-1, Kit.mismatch(fixed, 1, 1, 4096));
        ByteBuf a = Kit.ALLOC.directBuffer(2048, 2048);
        ByteBuf b = Kit.ALLOC.directBuffer(2048, 2048);
        assertEquals(4096, Kit.await(file.readv(0, a, b)));
        assertEquals(0, Kit.await(file.fsync()));
        assertEquals(0, Kit.await(file.syncFileRange(0, 4096, Linux.SYNC_FILE_RANGE_WRITE)));
        assertEquals(0, Kit.await(file.fadvise(0, 4096, Linux.POSIX_FADV_WILLNEED)));
        FileStat st = Kit.await(file.stat());
        assertEquals(8192, st.size());
        Throwable truncate = Kit.awaitOutcome(file.truncate(0));
        assertInstanceOf(UnsupportedOperationException.class, truncate);
        assertTrue(truncate.getMessage().contains("FTRUNCATE") && truncate.getMessage().contains("6.9"),
                truncate.getMessage());
        assertNull(Kit.await(loop.timeout(1, TimeUnit.MILLISECONDS)), "a timer completes with nothing");
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, Kit.await(loop.madvise(arena.allocate(4096, 4096), Linux.MADV_WILLNEED)));
        }
        if (loop.isPassthrough()) {
            // A regular file has no uring_cmd handler: the kernel (not the library) says no.
            Throwable cmd = Kit.awaitOutcome(file.uringCmd(0, null, false, (c, addr, len) -> { }));
            assertInstanceOf(FileIoException.class, cmd);
        }
        Kit.await(file.close());
        assertEquals(0, Kit.await(loop.rename(p, sub.resolve("g"), 0)));
        assertEquals(0, Kit.await(loop.delete(sub.resolve("g"))));
        assertEquals(0, Kit.await(loop.deleteDirectory(sub)));
        assertFalse(Files.exists(sub));
        Kit.releaseAll(List.of(out, fixed, a, b));
        if (release.equals("6.1")) {
            assertTrue(loop.ringFlags().contains("DEFER_TASKRUN"), "6.1 has DEFER_TASKRUN");
        }
    }
}
