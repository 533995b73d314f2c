package io.i2o2.file.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.FaultSeam;
import io.i2o2.file.Groups;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.FileIo;
import io.i2o2.file.FileIoException;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Iovec;
import io.i2o2.uring.KernelFaults;
import io.i2o2.uring.NvmeUringCmd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NvmeNamespace}'s checks and command images without a device: a namespace over a regular file on a
 * passthrough loop, whose {@code uring_cmd}s the kernel answers with {@code EOPNOTSUPP}. That is enough to see
 * what each command would carry ({@link NvmeCommands#tap}), what is refused before submission, and that every
 * path gives back what it took (buffers at refCnt 1, no op in flight). The device side is in the testsuite's
 * guest tests ({@code NvmeVectoredGuestTest}, {@code NvmeMetadataGuestTest}).
 */
class NvmeNamespaceHostTest {
    private static final NvmeControllerInfo CONTROLLER = new NvmeControllerInfo(0x1b36, "s", "fake", "1", 0, 3,
            true, true, 0x1ff);
    private static final NvmeNamespaceInfo.CopyLimits NO_COPY = new NvmeNamespaceInfo.CopyLimits(0, 0, 0);
    private static final NvmeNamespaceInfo PLAIN = new NvmeNamespaceInfo(1, 1024, 1024, 512, 0, false, 0, NO_COPY);
    private static final NvmeNamespaceInfo EXTENDED_PI = new NvmeNamespaceInfo(3, 1024, 1024, 512, 8, true, 1,
            NO_COPY);

    static IoUringEventLoopGroup group;
    static FileIo loop;
    @TempDir
    Path dir;
    private final List<IoUringFile> opened = new ArrayList<>();
    private final List<Captured> commands = new ArrayList<>();

    record Captured(int cmdOp, byte[] image, long[] iovecs) {
        NvmeUringCmd cmd() {
            // Native memory: the command's int and long fields need their natural alignment.
            return NvmeUringCmd.over(java.lang.foreign.Arena.ofAuto().allocate(image.length, 8)
                    .copyFrom(MemorySegment.ofArray(image)));
        }
    }

    @BeforeAll
    static void start() {
        group = Groups.PASSTHROUGH.createOwn(IoUringConfig.builder().fixedBuffers(2, 4096).build());
        loop = group.nextFileIo();
    }

    @AfterAll
    static void stop() {
        Groups.shutdown(group);
    }

    @AfterEach
    void closeFiles() throws Exception {
        NvmeCommands.tap = null;
        for (IoUringFile f : opened) {
            f.close().get(10, TimeUnit.SECONDS);
        }
    }

    private NvmeNamespace namespace(FileIo on, NvmeNamespaceInfo info) throws Exception {
        Path file = dir.resolve("ns" + opened.size());
        Files.write(file, new byte[4096]);
        IoUringFile f = on.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE).get(10, TimeUnit.SECONDS);
        opened.add(f);
        return new NvmeNamespace(f, null, CONTROLLER, info);
    }

    /** Records each command image (and, for the vectored ones, the iovec array it points at). */
    private void tap() {
        NvmeCommands.tap = (cmdOp, cmd) -> {
            NvmeUringCmd c = NvmeUringCmd.over(cmd);
            long[] iovecs = null;
            if (cmdOp == NvmeUringCmd.CMD_IO_VEC) {
                MemorySegment array = MemorySegment.ofAddress(c.dataAddress())
                        .reinterpret((long) c.dataLength() * Iovec.BYTES);
                iovecs = array.toArray(JAVA_LONG);
            }
            commands.add(new Captured(cmdOp, cmd.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), iovecs));
        };
    }

    private static ByteBuf direct(int bytes) {
        return AlignedBuffers.allocate(bytes, 4096);
    }

    /** Sent and answered by the kernel: a regular file has no uring_cmd. */
    private static void assertEopnotsupp(Future<?> f) throws Exception {
        f.await(10, TimeUnit.SECONDS);
        assertInstanceOf(FileIoException.class, f.cause(), "" + f.cause());
        assertEquals(Errno.EOPNOTSUPP, ((FileIoException) f.cause()).errno(), "" + f.cause());
    }

    private static void assertNothingHeld(ByteBuf... bufs) {
        for (ByteBuf b : bufs) {
            assertEquals(1, b.refCnt(), "the buffer is back: " + b);
        }
        assertEquals(0, loop.metrics().inFlight(), "no op left in flight");
    }

    @Test
    void severalBuffersGoAsOneVectoredCommandOverTheirRegions() throws Exception {
        NvmeNamespace ns = namespace(loop, PLAIN);
        tap();
        ByteBuf a = direct(512).writeZero(512);
        ByteBuf b = direct(1024).writeZero(1024);
        assertEopnotsupp(ns.write(4, a, b));
        Captured c = commands.getFirst();
        assertEquals(NvmeUringCmd.CMD_IO_VEC, c.cmdOp());
        assertEquals(NvmeUringCmd.OPC_WRITE, c.cmd().opcodeValue());
        assertEquals(2, c.cmd().dataLength(), "data_len of a vectored command is the iovec count");
        assertEquals(4, c.cmd().cdwValue(10));
        assertEquals(2, c.cmd().cdwValue(12), "3 blocks, 0-based");
        assertEquals(a.memoryAddress(), c.iovecs()[0]);
        assertEquals(512, c.iovecs()[1]);
        assertEquals(b.memoryAddress(), c.iovecs()[2]);
        assertEquals(1024, c.iovecs()[3]);
        assertEquals(512, a.readableBytes(), "a failed command moves no index");
        assertNothingHeld(a, b);
        a.release();
        b.release();
    }

    @Test
    void aCompositeBufferReadsOnlyTheBlocksAskedForThroughIovecsBeyondTheScratch() throws Exception {
        NvmeNamespace ns = namespace(loop, PLAIN);
        tap();
        // 16 components: more iovecs than fit beside the command in the op's scratch, so they live in memory.
        CompositeByteBuf composite = Unpooled.compositeBuffer(32);
        List<ByteBuf> parts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ByteBuf part = direct(512).writerIndex(512);    // a component spans its part's readable bytes
            parts.add(part);
            composite.addComponent(false, part);
        }
        assertEquals(16, composite.nioBufferCount());
        assertEopnotsupp(ns.read(0, 15, composite));
        Captured c = commands.getFirst();
        assertEquals(NvmeUringCmd.CMD_IO_VEC, c.cmdOp());
        assertEquals(NvmeUringCmd.OPC_READ, c.cmd().opcodeValue());
        assertEquals(15, c.cmd().dataLength(), "only the 15 blocks' regions, not all 16 writable");
        for (int i = 0; i < 15; i++) {
            assertEquals(parts.get(i).memoryAddress(), c.iovecs()[2 * i]);
            assertEquals(512, c.iovecs()[2 * i + 1]);
        }
        assertEquals(0, composite.writerIndex());
        assertEquals(1, composite.refCnt());
        assertNothingHeld();
        composite.release();
    }

    @Test
    void oneRegionStaysAPlainCommand() throws Exception {
        NvmeNamespace ns = namespace(loop, PLAIN);
        tap();
        ByteBuf one = direct(1024);
        assertEopnotsupp(ns.read(0, one));
        assertEquals(NvmeUringCmd.CMD_IO, commands.getFirst().cmdOp());
        assertEquals(1024, commands.getFirst().cmd().dataLength());
        assertEquals(one.memoryAddress(), commands.getFirst().cmd().dataAddress());
        assertNothingHeld(one);
        one.release();
    }

    @Test
    void vectoredRefusalsGiveEverythingBack() throws Exception {
        NvmeNamespace ns = namespace(loop, PLAIN);
        tap();
        ByteBuf a = direct(512).writeZero(512);
        ByteBuf partial = direct(512).writeZero(100);
        IllegalArgumentException notBlocks = assertInstanceOf(IllegalArgumentException.class,
                ns.write(0, a, partial).await().cause());
        assertTrue(notBlocks.getMessage().contains("whole number of 512-byte blocks, not 612"), notBlocks.getMessage());
        ByteBuf[] tooFar = {direct(512).writeZero(512), direct(512).writeZero(512)};
        assertInstanceOf(IllegalArgumentException.class, ns.write(1023, tooFar).await().cause(), "past the end");
        ByteBuf released = direct(512).writeZero(512);
        released.release();
        assertInstanceOf(io.netty.util.IllegalReferenceCountException.class, ns.write(0, a, released).await().cause());
        assertInstanceOf(IllegalArgumentException.class, ns.write(0, new ByteBuf[0]).await().cause());
        ByteBuf misaligned = direct(1024).writeZero(1024).skipBytes(2);
        ByteBuf rest = direct(512).writeZero(510);
        assertInstanceOf(IllegalArgumentException.class, ns.write(0, misaligned, rest).await().cause(),
                "4-byte alignment of each region");
        ByteBuf into = direct(600);
        assertInstanceOf(IllegalArgumentException.class, ns.read(0, into).await().cause(), "600 writable bytes");
        List<ByteBuf> many = new ArrayList<>();
        for (int i = 0; i < 1025; i++) {
            many.add(direct(512).writeZero(512));
        }
        Throwable tooMany = ns.write(0, many.toArray(ByteBuf[]::new)).await().cause();
        assertInstanceOf(IllegalArgumentException.class, tooMany, "1025 blocks, and 1025 regions");
        assertTrue(commands.isEmpty(), "nothing was sent");
        assertNothingHeld(a, partial, tooFar[0], tooFar[1], misaligned, rest, into);
        assertNothingHeld(many.toArray(ByteBuf[]::new));
        for (ByteBuf b : List.of(a, partial, tooFar[0], tooFar[1], misaligned, rest, into)) {
            b.release();
        }
        many.forEach(ByteBuf::release);
    }

    @Test
    void theFileRefusesMoreThan1024RegionsBeforeSubmission() throws Exception {
        IoUringFile file = namespace(loop, PLAIN).device();
        List<ByteBuf> many = new ArrayList<>();
        for (int i = 0; i < 1025; i++) {
            many.add(direct(64).writeZero(64));
        }
        Future<?> f = file.uringCmdVectored(NvmeUringCmd.CMD_IO_VEC, many.toArray(ByteBuf[]::new), false,
                (cmd, addr, len) -> { }).await();
        assertTrue(f.cause().getMessage().contains("1024"), f.cause().getMessage());
        Future<?> thrown = file.uringCmdVectored(NvmeUringCmd.CMD_IO_VEC, new ByteBuf[] {many.getFirst()}, false,
                (cmd, addr, len) -> {
                    throw new IllegalStateException("writer failed");
                }).await();
        assertInstanceOf(IllegalStateException.class, thrown.cause());
        assertNothingHeld(many.toArray(ByteBuf[]::new));
        many.forEach(ByteBuf::release);
    }

    @Test
    void aTimeoutIsWrittenIntoEveryCommandOfTheView() throws Exception {
        NvmeNamespace ns = namespace(loop, PLAIN);
        NvmeNamespace timed = ns.withTimeout(Duration.ofSeconds(5));
        tap();
        ByteBuf buf = direct(1024).writeZero(1024);
        assertEopnotsupp(timed.write(0, buf));
        assertEopnotsupp(timed.write(0, buf.slice(0, 512), buf.slice(512, 512)));
        assertEopnotsupp(timed.flush());
        assertEopnotsupp(timed.trim(0, 1));
        assertEopnotsupp(ns.write(0, buf));
        assertEquals(5, commands.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(5000, commands.get(i).cmd().timeoutMs(), "command " + i);
        }
        assertEquals(0, commands.get(4).cmd().timeoutMs(), "the original has no timeout");
        assertEquals(Optional.of(Duration.ofSeconds(5)), timed.timeout());
        assertEquals(Optional.empty(), ns.timeout());
        assertEquals(Optional.empty(), timed.withoutTimeout().timeout());
        assertTrue(timed.device() == ns.device(), "a view of the same device");
        assertEquals(1, buf.refCnt());
        buf.release();
    }

    @Test
    void timeoutsAreValidated() throws Exception {
        NvmeNamespace ns = namespace(loop, PLAIN);
        assertThrows(IllegalArgumentException.class, () -> ns.withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ns.withTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> ns.withTimeout(Duration.ofMillis(0x1_0000_0000L)));
        assertThrows(IllegalArgumentException.class, () -> ns.withTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
        assertThrows(NullPointerException.class, () -> ns.withTimeout(null));
        assertEquals(Optional.of(Duration.ofMillis(1)), ns.withTimeout(Duration.ofNanos(1)).timeout(), "rounded up");
        assertEquals(Optional.of(Duration.ofMillis(3)), ns.withTimeout(Duration.ofNanos(2_000_001)).timeout());
        assertEquals(Optional.of(Duration.ofMillis(0xFFFF_FFFFL)),
                ns.withTimeout(Duration.ofMillis(0xFFFF_FFFFL)).timeout(), "the largest, unsigned 32 bits");
        tap();
        assertEopnotsupp(ns.withTimeout(Duration.ofMillis(0xFFFF_FFFFL)).flush());
        assertEquals(-1, commands.getFirst().cmd().timeoutMs(), "2^32-1 as the int bit pattern");
    }

    @Test
    void aFormatWithMetadataRefusesEveryDataCommandAndGivesTheBuffersBack() throws Exception {
        NvmeNamespace ns = namespace(loop, EXTENDED_PI);
        tap();
        ByteBuf buf = direct(1024).writeZero(1024);
        ByteBuf into = direct(1024);
        CompositeByteBuf composite = Unpooled.compositeBuffer().addComponents(true, direct(512).writeZero(512),
                direct(512).writeZero(512));
        List<Supplier<Future<?>>> dataCommands = List.of(
                () -> ns.read(0, 2, into), () -> ns.read(0, into), () -> ns.write(0, buf), () -> ns.write(0, buf, true),
                () -> ns.write(0, buf, buf), () -> ns.write(0, composite), () -> ns.compare(0, buf),
                () -> ns.zoneAppend(0, buf), () -> ns.withTimeout(Duration.ofSeconds(1)).read(0, 1, into));
        for (Supplier<Future<?>> command : dataCommands) {
            Future<?> f = command.get().await();
            UnsupportedOperationException e = assertInstanceOf(UnsupportedOperationException.class, f.cause());
            assertTrue(e.getMessage().contains("namespace 3 is formatted 512 + 8 B per block (extended LBA, PI type 1)"),
                    e.getMessage());
        }
        assertTrue(commands.isEmpty(), "no data command was sent");
        assertNothingHeld(buf, into, composite);
        assertEquals(1024, buf.readableBytes());
        assertEquals(0, into.writerIndex());
        assertEopnotsupp(ns.flush());
        assertEopnotsupp(ns.writeZeroes(0, 1));
        assertEquals(2, commands.size(), "commands that move no data still go");
        buf.release();
        into.release();
        composite.release();
    }

    @Test
    void aFixedBufferGoesAsARegisteredBufferAndAnOldKernelSaysWhyItRefusesIt() throws Exception {
        IoUringEventLoopGroup old = Groups.PASSTHROUGH.createOwn(FaultSeam.faults(IoUringConfig.builder()
                .fixedBuffers(1, 4096), KernelFaults.plan().simulateKernel("6.0")).build());
        try {
            FileIo oldLoop = old.nextFileIo();
            NvmeNamespace ns = namespace(oldLoop, PLAIN);
            ByteBuf fixed = oldLoop.fixedBuffers().tryAcquire();
            fixed.writeZero(1024);
            Future<Integer> f = ns.write(0, fixed).await();
            FileIoException e = assertInstanceOf(FileIoException.class, f.cause());
            assertEquals(Errno.EINVAL, e.errno(), "6.0 refuses uring_cmd_flags");
            assertTrue(e.getMessage().contains("IORING_URING_CMD_FIXED") && e.getMessage().contains("6.1"),
                    e.getMessage());
            assertEquals(1, fixed.refCnt());
            ByteBuf plain = direct(512).writeZero(512);
            assertEopnotsupp(ns.write(0, plain));
            assertEquals(1, plain.refCnt(), "a buffer that is not registered goes without the flag");
            plain.release();
            fixed.release();
            opened.remove(ns.device());
            ns.device().close().get(10, TimeUnit.SECONDS);
        } finally {
            Groups.shutdown(old);
        }
        // On this kernel (6.1+) the flag is taken: a regular file answers EOPNOTSUPP, as without it.
        NvmeNamespace ns = namespace(loop, PLAIN);
        ByteBuf fixed = loop.fixedBuffers().tryAcquire();
        fixed.writeZero(512);
        assertEopnotsupp(ns.write(0, fixed));
        assertEquals(1, fixed.refCnt());
        fixed.release();
    }

    @Test
    void identifyNamespaceReportsMetadataExtendedLbaAndProtectionType() {
        ByteBuf data = Unpooled.buffer(4096).writeZero(4096);
        data.setLongLE(0, 1000).setLongLE(8, 1000);
        data.setByte(26, 0x10 | 1);                 // FLBAS: format 1, metadata at the end of each block
        data.setByte(29, 0x1);                      // DPS: PI type 1
        data.setIntLE(128, 9 << 16);                // LBAF0: 512 B, no metadata
        data.setIntLE(132, 9 << 16 | 8);            // LBAF1: 512 B + 8 B metadata
        NvmeNamespaceInfo ext = NvmeNamespaceInfo.parse(3, data);
        assertEquals(512, ext.lbaSize());
        assertEquals(8, ext.metadataSize());
        assertTrue(ext.extendedLba());
        assertEquals(1, ext.protectionType());
        assertTrue(ext.hasMetadata());
        assertEquals("512 + 8 B per block (extended LBA, PI type 1)", ext.formatDescription());
        data.setByte(26, 1).setByte(29, 0);
        NvmeNamespaceInfo separate = NvmeNamespaceInfo.parse(3, data);
        assertEquals("512 + 8 B per block (separate metadata, no PI)", separate.formatDescription());
        data.setByte(26, 0x10);                     // FLBAS bit 4 on a format without metadata means nothing
        NvmeNamespaceInfo plain = NvmeNamespaceInfo.parse(3, data);
        assertEquals(0, plain.metadataSize());
        assertEquals(false, plain.extendedLba());
        assertEquals("512 B per block, no metadata", plain.formatDescription());
        data.release();
    }
}
