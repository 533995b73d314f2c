package io.i2o2.file;

import io.i2o2.file.nvme.NvmeController;
import io.i2o2.file.nvme.NvmeNamespace;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.i2o2.uring.NvmeUringCmd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code uring_cmd} on the portable engine, on the host (no NVMe device here): the NVMe passthrough commands that
 * have an ioctl ({@code NVME_URING_CMD_IO}, {@code _IO_VEC}, {@code _ADMIN}) go to a worker and answer a regular
 * file as the ring does ({@code EOPNOTSUPP}); every other {@code cmd_op} is refused at once, naming itself, the
 * writer never called and nothing taken; and the NVMe API accepts a portable loop. The commands themselves run
 * against a device in the NVMe guest ({@code testsuite}'s {@code NvmeGuestIT}, portable variants).
 */
class PortablePassthroughHostTest {
    /** An arbitrary cmd_op: no driver's, no ioctl. */
    private static final int ARBITRARY = 0x1234;

    static PortableFileEventLoopGroup group;
    static FileIo loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        group = new PortableFileEventLoopGroup(1, IoUringConfig.builder().fixedBuffers(2, 4096).build());
        loop = group.nextFileIo();
    }

    @AfterAll
    static void stop() {
        Groups.shutdown(group);
    }

    private IoUringFile plainFile() throws Exception {
        Path p = dir.resolve("plain");
        Files.write(p, new byte[4096]);
        return loop.open(p).get(10, TimeUnit.SECONDS);
    }

    private static void assertRefusedAtOnce(Future<?> f, String names) {
        assertTrue(f.isDone(), "refused before the call returned");
        UnsupportedOperationException e = assertInstanceOf(UnsupportedOperationException.class, f.cause());
        assertTrue(e.getMessage().contains(names), e.getMessage());
        assertTrue(e.getMessage().contains("portable engine"), e.getMessage());
        assertTrue(e.getMessage().contains("NVME_URING_CMD_IO, NVME_URING_CMD_IO_VEC and NVME_URING_CMD_ADMIN"),
                "names what runs: " + e.getMessage());
        assertTrue(e.getMessage().contains("IoUringPassthroughEventLoopGroup"), "names what to use: " + e.getMessage());
    }

    @Test
    void aPortableLoopIsAPassthroughLoop() {
        assertEquals(IoEngine.PORTABLE, loop.engineFacts().engine());
        assertTrue(loop.isPassthrough(), "NVMe passthrough runs here, through the NVMe driver's ioctls");
    }

    @ParameterizedTest(name = "cmd_op 0x{0}")
    @ValueSource(strings = {"c0484e83", "1234", "0", "ffffffff"})
    void aCmdOpWithoutAnIoctlIsRefusedAtOnceTakingNothing(String hex) throws Exception {
        int cmdOp = Integer.parseUnsignedInt(hex, 16);
        IoUringFile file = plainFile();
        AtomicInteger written = new AtomicInteger();
        UringCmdWriter writer = (cmd, addr, len) -> written.incrementAndGet();
        String names = cmdOp == NvmeUringCmd.CMD_ADMIN_VEC ? "cmd_op 0xc0484e83 (NVME_URING_CMD_ADMIN_VEC)"
                : "cmd_op 0x" + Integer.toHexString(cmdOp);
        long before = loop.metrics().submitted();

        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(512);
        assertRefusedAtOnce(file.uringCmd(cmdOp, data, true, writer), names);
        assertRefusedAtOnce(file.uringCmd(cmdOp, null, false, writer), names);
        Promise<UringCmdResult> promise = loop.newPromise();
        assertSame(promise, file.uringCmd(cmdOp, data, false, writer, promise));
        assertRefusedAtOnce(promise, names);
        ByteBuf[] parts = {PooledByteBufAllocator.DEFAULT.directBuffer(512),
                PooledByteBufAllocator.DEFAULT.directBuffer(512).writeZero(512)};
        assertRefusedAtOnce(file.uringCmdVectored(cmdOp, parts, true, writer), names);
        Promise<UringCmdResult> vectored = loop.newPromise();
        assertRefusedAtOnce(file.uringCmdVectored(cmdOp, parts, false, writer, vectored), names);

        assertEquals(0, written.get(), "the writer never ran");
        assertEquals(1, data.refCnt(), "nothing retained");
        assertEquals(0, data.writerIndex());
        for (ByteBuf p : parts) {
            assertEquals(1, p.refCnt(), "nothing retained");
            p.release();
        }
        data.release();
        assertEquals(0, loop.metrics().inFlight());
        assertEquals(before, loop.metrics().submitted(), "nothing went to a worker");
        file.close().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFixedBufferIsRefusedAsAnyOtherAndStaysInThePool() throws Exception {
        IoUringFile file = plainFile();
        ByteBuf fixed = loop.fixedBuffers().tryAcquire();
        assertRefusedAtOnce(file.uringCmd(NvmeUringCmd.CMD_ADMIN_VEC, fixed, true, (c, a, l) -> { }),
                "NVME_URING_CMD_ADMIN_VEC");
        assertEquals(1, fixed.refCnt());
        fixed.release();
        assertEquals(2, loop.fixedBuffers().available(), "back in the pool");
        file.close().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"IO", "IO_VEC", "ADMIN"})
    void nvmeCommandsWithAnIoctlReachTheFileAndFailWithEopnotsuppAsOnTheRing(String which) throws Exception {
        int cmdOp = switch (which) {
            case "IO" -> NvmeUringCmd.CMD_IO;
            case "IO_VEC" -> NvmeUringCmd.CMD_IO_VEC;
            default -> NvmeUringCmd.CMD_ADMIN;
        };
        IoUringFile file = plainFile();
        AtomicInteger written = new AtomicInteger();
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(512);
        Future<UringCmdResult> f = cmdOp == NvmeUringCmd.CMD_IO_VEC
                ? file.uringCmdVectored(cmdOp, new ByteBuf[] {data}, true, (cmd, addr, len) -> written.incrementAndGet())
                : file.uringCmd(cmdOp, data, true, (cmd, addr, len) -> {
                    written.incrementAndGet();
                    cmd.set(JAVA_LONG, 0, addr);
                });
        f.await(10, TimeUnit.SECONDS);
        FileIoException e = assertInstanceOf(FileIoException.class, f.cause(), "" + f.cause());
        assertEquals(Errno.EOPNOTSUPP, e.errno(), "the ioctl's ENOTTY on a regular file reads as the ring's answer");
        assertEquals(1, written.get());
        assertEquals(1, data.refCnt(), "released when the worker's answer came");
        data.release();
        file.close().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theSameCmdOpsReachTheKernelOnARing() throws Exception {
        IoUringEventLoopGroup ring = Groups.PASSTHROUGH.createOwn(IoUringConfig.defaults());
        try {
            FileIo ringLoop = ring.nextFileIo();
            Assumptions.assumeTrue(ringLoop.engineFacts().engine() == IoEngine.RING_SQE128,
                    "io_uring unavailable here: the passthrough group runs the portable engine");
            Path p = dir.resolve("ring");
            Files.write(p, new byte[16]);
            IoUringFile file = ringLoop.open(p).get(10, TimeUnit.SECONDS);
            for (int cmdOp : new int[] {NvmeUringCmd.CMD_ADMIN_VEC, ARBITRARY, Linux.SOCKET_URING_OP_SIOCINQ}) {
                Future<UringCmdResult> f = file.uringCmd(cmdOp, null, false, (c, a, l) -> { }).await();
                FileIoException e = assertInstanceOf(FileIoException.class, f.cause(), "the kernel answered");
                assertEquals(Errno.EOPNOTSUPP, e.errno());
            }
            file.close().get(10, TimeUnit.SECONDS);
        } finally {
            Groups.shutdown(ring);
        }
    }

    /**
     * The NVMe API takes a portable loop: opening a controller is not refused, and its Identify goes to the
     * ioctl (a regular file standing in for {@code /dev/nvme0} answers EOPNOTSUPP, not "needs 128-byte SQEs").
     */
    @Test
    void theNvmeApiOpensOnAPortableLoop() throws Exception {
        Files.write(dir.resolve("nvme0"), new byte[16]);
        Files.write(dir.resolve("ng0n1"), new byte[16]);
        NvmeController ctrl = NvmeController.open(loop, dir.resolve("nvme0")).get(10, TimeUnit.SECONDS);
        Future<?> identify = ctrl.identify().await();
        FileIoException e = assertInstanceOf(FileIoException.class, identify.cause(), "" + identify.cause());
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        ctrl.close().get(10, TimeUnit.SECONDS);
        Future<NvmeNamespace> ns = NvmeNamespace.open(loop, dir.resolve("ng0n1")).await();
        assertFalse(ns.cause() instanceof UnsupportedOperationException, "not refused: " + ns.cause());
        assertEquals(Errno.EOPNOTSUPP, assertInstanceOf(FileIoException.class, ns.cause()).errno());
    }
}
