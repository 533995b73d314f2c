package io.i2o2.testsuite.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.UringCmdResult;
import io.i2o2.file.nvme.NvmeController;
import io.i2o2.file.nvme.NvmeControllerInfo;
import io.i2o2.file.nvme.NvmeErrorLogEntry;
import io.i2o2.file.nvme.NvmeLbaRange;
import io.i2o2.file.nvme.NvmeNamespace;
import io.i2o2.file.nvme.NvmeSmartLog;
import io.i2o2.file.nvme.NvmeStatusException;
import io.i2o2.file.nvme.NvmeSysfs;
import io.i2o2.uring.NvmeUringCmd;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's NVMe API ({@code io.i2o2.file.nvme}) against QEMU's emulated controller, on each engine in turn
 * ({@link GuestEngine}: the passthrough ring, then the portable engine's ioctls): identify, write and read back at several queue depths, flush, write-zeroes, trim, checks that
 * refuse bad input before submission, a decoded NVMe error status, and a shutdown with commands in flight.
 *
 * <p>Runs only inside the guest that {@code testsuite/guest/run-in-guest.sh} boots ({@code I2O2_GUEST=1});
 * {@link NvmeGuestIT} launches it there.
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest: run NvmeGuestIT, which boots it and runs this class inside")
@ParameterizedClass(name = "{0}")
@EnumSource(GuestEngine.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NvmeNamespaceGuestTest {
    private static final Path DEVICE = GuestNamespaces.generic(1);
    /** Under TCG a command takes well under a millisecond; allow for 6.12's occasional ~62 s controller stall. */
    private static final long WAIT_SECONDS = 90;

    /** The engine every test of this class runs on, in turn ({@link GuestEngine}). */
    @Parameter
    GuestEngine engine;
    private IoUringEventLoopGroup group;
    private NvmeNamespace ns;

    @BeforeParameterizedClassInvocation
    void open() throws Exception {
        group = engine.group();
        FileIo io = group.nextFileIo();
        engine.check(io);
        ns = NvmeNamespace.open(io, DEVICE).get(WAIT_SECONDS, TimeUnit.SECONDS);
        System.out.println("guest (" + engine + "): " + ns + ", controller " + ns.controllerInfo());
    }

    @AfterParameterizedClassInvocation
    void close() throws Exception {
        if (ns != null) {
            ns.close().get(WAIT_SECONDS, TimeUnit.SECONDS);
            ns = null;
        }
        if (group != null && !group.isShutdown()) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        group = null;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private ByteBuf blocks(int n) {
        return AlignedBuffers.allocate(n * ns.lbaSize(), 4096);
    }

    @Test
    @Order(1)
    void identifyGivesTheGeometry() {
        NvmeControllerInfo ctrl = ns.controllerInfo();
        assertEquals("QEMU NVMe Ctrl", ctrl.model());
        assertTrue(ns.lbaSize() == 512 || ns.lbaSize() == 4096, "LBA size from FLBAS: " + ns.lbaSize());
        assertTrue(ns.lbaCount() > 1024, "namespace size from NSZE: " + ns.lbaCount());
        assertEquals(1, ns.info().nsid());
    }

    @ParameterizedTest(name = "QD {0}")
    @ValueSource(ints = {1, 8, 32})
    @Order(2)
    void writeThenReadBackManyBlocks(int qd) throws Exception {
        SplittableRandom random = new SplittableRandom(qd);
        int commands = 64;
        int perCommand = 8;
        long base = 1024L * qd;
        for (int start = 0; start < commands; start += qd) {
            List<Future<Integer>> writes = new ArrayList<>();
            List<ByteBuf> sent = new ArrayList<>();
            for (int i = start; i < Math.min(commands, start + qd); i++) {
                ByteBuf src = blocks(perCommand);
                byte[] data = new byte[perCommand * ns.lbaSize()];
                random.nextBytes(data);
                src.writeBytes(data);
                sent.add(src);
                writes.add(ns.write(base + (long) i * perCommand, src));
            }
            for (Future<Integer> w : writes) {
                assertEquals(perCommand * ns.lbaSize(), await(w));
            }
            List<Future<Integer>> reads = new ArrayList<>();
            List<ByteBuf> received = new ArrayList<>();
            for (int i = start; i < Math.min(commands, start + qd); i++) {
                ByteBuf dst = blocks(perCommand);
                received.add(dst);
                reads.add(ns.read(base + (long) i * perCommand, perCommand, dst));
            }
            for (int i = 0; i < reads.size(); i++) {
                assertEquals(perCommand * ns.lbaSize(), await(reads.get(i)));
                assertEquals(sent.get(i).resetReaderIndex(), received.get(i), "command " + (start + i));
                assertEquals(1, received.get(i).refCnt(), "released after the command");
            }
        }
    }

    @Test
    @Order(3)
    void flushWriteZeroesAndTrim() throws Exception {
        ByteBuf pattern = blocks(4);
        while (pattern.isWritable()) {
            pattern.writeByte(0x5a);
        }
        long lba = 2048;
        await(ns.write(lba, pattern));
        assertTrue(await(ns.flush()) == null);
        if (ns.controllerInfo().writeZeroes()) {
            await(ns.writeZeroes(lba, 4));
            ByteBuf back = blocks(4);
            await(ns.read(lba, 4, back));
            while (back.isReadable()) {
                assertEquals(0, back.readByte(), "zeroed");
            }
        }
        if (ns.controllerInfo().datasetManagement()) {
            assertTrue(await(ns.trim(lba, 4)) == null);
        }
    }

    @Test
    @Order(3)
    void fuaWriteMultiRangeTrimAndTheControllerFromSysfs() throws Exception {
        assertEquals(Optional.of(new NvmeSysfs(Path.of("/dev/nvme0"), 1)), NvmeSysfs.locate(DEVICE),
                "sysfs names the controller and the namespace id");
        ByteBuf pattern = blocks(2);
        for (int i = 0; pattern.isWritable(); i++) {
            pattern.writeByte(i * 7);
        }
        long lba = 4096;
        assertEquals(2 * ns.lbaSize(), await(ns.write(lba, pattern, true)), "FUA write");
        ByteBuf back = blocks(2);
        await(ns.read(lba, 2, back));
        assertEquals(pattern.readerIndex(0), back, "read back after a FUA write");
        pattern.release();
        back.release();
        if (ns.controllerInfo().datasetManagement()) {
            assertNull(await(ns.trim(List.of(new NvmeLbaRange(lba, 2), new NvmeLbaRange(lba + 64, 8),
                    new NvmeLbaRange(lba + 1024, 1)))), "three ranges in one Dataset Management");
        }
        Future<Void> tooMany = ns.trim(java.util.Collections.nCopies(257, new NvmeLbaRange(lba, 1)));
        assertInstanceOf(IllegalArgumentException.class, tooMany.cause(), "at most 256 ranges, before submission");
    }

    @Test
    @Order(3)
    void compareVerifyAndCopyWhereTheControllerHasThem() throws Exception {
        NvmeControllerInfo c = ns.controllerInfo();
        System.out.printf("guest: ONCS 0x%x: compare %b, verify %b, copy %b%n", c.optionalCommands(), c.compare(),
                c.verify(), c.copy());
        long lba = 8192;
        ByteBuf pattern = blocks(2);
        for (int i = 0; pattern.isWritable(); i++) {
            pattern.writeByte(i * 13 + 1);
        }
        await(ns.write(lba, pattern));
        if (c.compare()) {
            assertTrue(await(ns.compare(lba, pattern.readerIndex(0))), "the same bytes compare equal");
            ByteBuf other = blocks(2);
            other.writeZero(other.writableBytes());
            assertEquals(Boolean.FALSE, await(ns.compare(lba, other)), "Compare Failure is false, not an error");
            other.release();
        } else {
            assertInstanceOf(UnsupportedOperationException.class, ns.compare(lba, pattern.readerIndex(0)).cause());
        }
        if (c.verify()) {
            assertNull(await(ns.verify(lba, 2)));
        }
        System.out.println("guest: copy limits " + ns.info().copyLimits());
        if (c.copy() && ns.info().copyLimits().maxRanges() < 2) {
            Future<Void> refused = ns.copy(List.of(new NvmeLbaRange(lba + 1, 1), new NvmeLbaRange(lba, 1)), lba + 256);
            assertTrue(refused.isDone() && refused.cause() instanceof RuntimeException, "refused before submission: "
                    + refused.cause());
        } else if (c.copy()) {
            long dst = lba + 256;
            assertNull(await(ns.copy(List.of(new NvmeLbaRange(lba + 1, 1), new NvmeLbaRange(lba, 1)), dst)));
            ByteBuf back = blocks(2);
            await(ns.read(dst, 2, back));
            int b = ns.lbaSize();
            assertEquals(pattern.slice(b, b), back.slice(0, b), "first source range first");
            assertEquals(pattern.slice(0, b), back.slice(b, b), "then the second");
            back.release();
        }
        pattern.release();
    }

    @Test
    @Order(4)
    void badInputFailsBeforeSubmission() throws Exception {
        ByteBuf one = blocks(1);
        Future<Integer> outside = ns.read(ns.lbaCount(), 1, one).await();
        assertInstanceOf(IllegalArgumentException.class, outside.cause());
        assertTrue(outside.cause().getMessage().contains("outside the namespace"), outside.cause().getMessage());
        Future<Integer> small = ns.read(0, 2, one).await();
        assertInstanceOf(IllegalArgumentException.class, small.cause());
        ByteBuf odd = AlignedBuffers.allocate(ns.lbaSize() + 1, 4096);
        odd.writeByte(0).readByte();
        Future<Integer> misaligned = ns.read(0, 1, odd).await();
        assertInstanceOf(IllegalArgumentException.class, misaligned.cause());
        assertTrue(misaligned.cause().getMessage().contains("aligned"), misaligned.cause().getMessage());
    }

    @Test
    @Order(5)
    void aDeviceErrorIsDecoded() throws Exception {
        NvmeController ctrl = NvmeController.open(group.nextFileIo(), Path.of("/dev/nvme0")).get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        try {
            Future<?> bad = ctrl.admin(0x7f, 0, null, false).await();
            NvmeStatusException e = assertInstanceOf(NvmeStatusException.class, bad.cause());
            assertEquals(1, e.statusCode(), "Invalid Command Opcode: " + e.getMessage());
            assertTrue(e.getMessage().contains("Invalid Command Opcode"), e.getMessage());
        } finally {
            await(ctrl.close());
        }
    }

    /** Log pages and features as typed results, on the namespace's own controller, after the I/O above. */
    @Test
    @Order(5)
    void logPagesAndFeatures() throws Exception {
        NvmeController ctrl = ns.controller();
        NvmeSmartLog smart = await(ctrl.smartLog());
        System.out.println("guest: " + smart);
        assertTrue(smart.hostWriteCommands() > 0 && smart.hostReadCommands() > 0, "the tests above did I/O: " + smart);
        assertTrue(smart.temperatureKelvin() > 200 && smart.temperatureKelvin() < 400, "temperature " + smart);
        assertTrue(smart.availableSparePct() <= 100, smart.toString());
        List<NvmeErrorLogEntry> errors = await(ctrl.errorLog(4));
        System.out.println("guest: error log " + errors);
        errors.forEach(e -> assertTrue(e.errorCount() > 0, e.toString()));
        int[] queues = await(ctrl.queueCount());
        System.out.println("guest: I/O queues " + queues[0] + " submission, " + queues[1] + " completion");
        assertTrue(queues[0] >= 1 && queues[1] >= 1);
        Future<Boolean> vwc = ctrl.volatileWriteCache().await();
        if (vwc.isSuccess()) {
            boolean was = vwc.getNow();
            await(ctrl.setVolatileWriteCache(!was));
            assertEquals(!was, await(ctrl.volatileWriteCache()), "set features took");
            await(ctrl.setVolatileWriteCache(was));
            assertEquals(was, await(ctrl.volatileWriteCache()));
            System.out.println("guest: volatile write cache " + was + ", toggled and restored");
        } else {
            NvmeStatusException e = assertInstanceOf(NvmeStatusException.class, vwc.cause());
            System.out.println("guest: no volatile write cache feature: " + e.getMessage());
        }
        Future<ByteBuf> badLog = ctrl.logPage(0x7e, 0xffffffff, 512).await();
        System.out.println("guest: log page 0x7e: " + badLog.cause());
        assertInstanceOf(NvmeStatusException.class, badLog.cause());
    }

    /**
     * {@code NVME_URING_CMD_ADMIN_VEC} has no ioctl: on the ring the kernel runs it (Identify Controller into one
     * iovec), on the portable engine it is refused before submission, the writer never run, nothing taken.
     */
    @Test
    @Order(6)
    void adminVecRunsOnTheRingAndIsRefusedAtOnceOnThePortableEngine() throws Exception {
        IoUringFile ctrl = ns.controller().device();
        ByteBuf data = AlignedBuffers.allocate(NvmeUringCmd.IDENTIFY_SIZE, 4096);
        AtomicInteger written = new AtomicInteger();
        Future<UringCmdResult> f = ctrl.uringCmdVectored(NvmeUringCmd.CMD_ADMIN_VEC, new ByteBuf[] {data}, true,
                (cmd, iovecs, count) -> {
                    written.incrementAndGet();
                    NvmeUringCmd.over(cmd).opcode(NvmeUringCmd.OPC_IDENTIFY).data(iovecs, count)
                            .cdw(10, NvmeUringCmd.CNS_CONTROLLER);
                });
        if (engine == GuestEngine.PORTABLE) {
            assertTrue(f.isDone(), "refused before the call returned");
            UnsupportedOperationException e = assertInstanceOf(UnsupportedOperationException.class, f.cause());
            System.out.println("guest (" + engine + "): ADMIN_VEC: " + e.getMessage());
            assertTrue(e.getMessage().contains("NVME_URING_CMD_ADMIN_VEC"), e.getMessage());
            assertEquals(0, written.get(), "the writer never ran");
        } else {
            assertEquals(0, await(f).res(), "Identify through one iovec");
            assertEquals("QEMU NVMe Ctrl", data.toString(24, 40, StandardCharsets.US_ASCII).trim(), "model (MN)");
            assertEquals(1, written.get());
        }
        assertEquals(1, data.refCnt(), "given back");
        data.release();
    }

    @Test
    @Order(7)
    void shutdownWithCommandsInFlightReleasesEveryBuffer() throws Exception {
        List<ByteBuf> bufs = new ArrayList<>();
        List<Future<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ByteBuf b = blocks(8);
            bufs.add(b);
            reads.add(ns.read((long) i * 8, 8, b));
        }
        assertTrue(group.shutdownGracefully(0, 30, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
        for (int i = 0; i < reads.size(); i++) {
            assertTrue(reads.get(i).isDone(), "command " + i + " completed");
            assertEquals(1, bufs.get(i).refCnt(), "buffer " + i + " released exactly once");
        }
        // The namespace's descriptors still close once its loop is gone (the leak detector checks).
        await(ns.close());
        ns = null;
    }
}
