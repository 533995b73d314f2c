package io.i2o2.testsuite.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.nvme.NvmeNamespace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NVMe data commands over several memory regions ({@code NVME_URING_CMD_IO_VEC}), from registered buffers
 * ({@code IORING_URING_CMD_FIXED}) and with a per-command timeout ({@code timeout_ms}), on namespace 1 of QEMU's
 * controller, every transfer checked byte for byte against a different shape of buffer (vectored written,
 * read back in one piece, and the other way round); on each engine in turn ({@link GuestEngine}: the ring, then
 * the portable engine, whose ioctls take the same vectored command, registered buffers as plain memory, and the
 * same {@code timeout_ms}).
 *
 * <p>Runs only inside the guest that {@code testsuite/guest/run-in-guest.sh} boots ({@code I2O2_GUEST=1});
 * {@link NvmeGuestIT} launches it there.
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest: run NvmeGuestIT, which boots it and runs this class inside")
@ParameterizedClass(name = "{0}")
@EnumSource(GuestEngine.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NvmeVectoredGuestTest {
    /** Under TCG a command takes well under a millisecond; allow for 6.12's occasional ~62 s controller stall. */
    private static final long WAIT_SECONDS = 90;
    /** Away from the LBAs the other guest tests use. */
    private static final long BASE = 200_000;

    /** The engine every test of this class runs on, in turn ({@link GuestEngine}). */
    @Parameter
    GuestEngine engine;
    private IoUringEventLoopGroup group;
    private NvmeNamespace ns;
    private FileIo io;

    @BeforeParameterizedClassInvocation
    void open() throws Exception {
        // On the portable engine the registered buffers are plain memory: IORING_URING_CMD_FIXED changes nothing
        // for the ioctl, which pins them as any other, so the same tests hold there.
        group = engine.group(IoUringConfig.builder().fixedBuffers(4, 64 * 1024).build());
        io = group.nextFileIo();
        engine.check(io);
        ns = NvmeNamespace.open(io, GuestNamespaces.generic(1)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(1, ns.info().nsid());
        assertTrue(BASE + 1024 < ns.lbaCount(), "room at LBA " + BASE + ": " + ns);
    }

    @AfterParameterizedClassInvocation
    void close() throws Exception {
        if (ns != null) {
            ns.close().get(WAIT_SECONDS, TimeUnit.SECONDS);
            ns = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
            group = null;
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static byte[] random(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** Direct buffers of these sizes (each 4-byte aligned: separate allocations), empty. */
    private static List<ByteBuf> parts(int... sizes) {
        List<ByteBuf> parts = new ArrayList<>();
        for (int size : sizes) {
            parts.add(AlignedBuffers.allocate(size, 4096));
        }
        return parts;
    }

    /** The parts filled with consecutive slices of {@code data}. */
    private static ByteBuf[] filled(List<ByteBuf> parts, byte[] data) {
        int at = 0;
        for (ByteBuf p : parts) {
            p.writeBytes(data, at, p.writableBytes());
            at += p.readableBytes();
        }
        assertEquals(data.length, at);
        return parts.toArray(ByteBuf[]::new);
    }

    private static byte[] readable(ByteBuf... bufs) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b : bufs) {
            all.writeBytes(b, b.readerIndex(), b.readableBytes());
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        return bytes;
    }

    private static void releaseAll(ByteBuf... bufs) {
        for (ByteBuf b : bufs) {
            assertEquals(1, b.refCnt(), "the command gave the buffer back: " + b);
            b.release();
        }
    }

    @Test
    void severalBuffersWrittenInOneCommandReadBackInOne() throws Exception {
        int bytes = 8 * ns.lbaSize();
        byte[] data = random(bytes, 1);
        // Sizes that are no whole blocks each, only together: the command is one transfer over all of them.
        ByteBuf[] srcs = filled(parts(1000, 24, bytes - 1024), data);
        assertEquals(bytes, await(ns.write(BASE, srcs)));
        for (ByteBuf s : srcs) {
            assertEquals(0, s.readableBytes(), "each source's reader index moved past what it gave");
        }
        ByteBuf whole = AlignedBuffers.allocate(bytes, 4096);
        assertEquals(bytes, await(ns.read(BASE, 8, whole)));
        assertArrayEquals(data, readable(whole));
        releaseAll(srcs);
        releaseAll(whole);
    }

    @Test
    void oneBufferWrittenReadBackIntoSeveral() throws Exception {
        int bytes = 6 * ns.lbaSize();
        byte[] data = random(bytes, 2);
        ByteBuf src = AlignedBuffers.allocate(bytes, 4096).writeBytes(data);
        assertEquals(bytes, await(ns.write(BASE + 16, src)));
        ByteBuf[] dsts = parts(ns.lbaSize() / 2, ns.lbaSize() * 5, ns.lbaSize() / 2).toArray(ByteBuf[]::new);
        assertEquals(bytes, await(ns.read(BASE + 16, dsts)));
        assertArrayEquals(data, readable(dsts));
        releaseAll(src);
        releaseAll(dsts);
    }

    @Test
    void aCompositeBufferOfSixteenComponentsBothWays() throws Exception {
        // 16 regions: more iovecs than fit beside the command in an op's scratch memory.
        int bytes = 16 * ns.lbaSize();
        byte[] data = random(bytes, 3);
        CompositeByteBuf src = Unpooled.compositeBuffer(16);
        for (ByteBuf part : filled(parts(repeat(16, ns.lbaSize())), data)) {
            src.addComponent(true, part);
        }
        assertEquals(16, src.nioBufferCount());
        assertEquals(bytes, await(ns.write(BASE + 32, src)));
        assertEquals(0, src.readableBytes());
        CompositeByteBuf dst = Unpooled.compositeBuffer(16);
        for (ByteBuf part : parts(repeat(16, ns.lbaSize()))) {
            dst.addComponent(false, part.writerIndex(part.capacity()));
        }
        dst.writerIndex(0);
        assertEquals(bytes, await(ns.read(BASE + 32, 16, dst)));
        assertEquals(bytes, dst.readableBytes());
        assertArrayEquals(data, readable(dst));
        ByteBuf single = AlignedBuffers.allocate(bytes, 4096);
        assertEquals(bytes, await(ns.read(BASE + 32, 16, single)));
        assertArrayEquals(data, readable(single), "what the vectored write put there, read in one piece");
        releaseAll(src, dst, single);
    }

    @Test
    void aTotalThatIsNoWholeNumberOfBlocksIsRefusedGivingEverythingBack() throws Exception {
        ByteBuf a = AlignedBuffers.allocate(ns.lbaSize(), 4096).writeZero(ns.lbaSize());
        ByteBuf b = AlignedBuffers.allocate(ns.lbaSize(), 4096).writeZero(100);
        Future<Integer> f = ns.write(BASE, a, b).await();
        assertInstanceOf(IllegalArgumentException.class, f.cause());
        assertTrue(f.cause().getMessage().contains("whole number"), f.cause().getMessage());
        assertEquals(0, io.metrics().inFlight());
        assertEquals(ns.lbaSize(), a.readableBytes());
        releaseAll(a, b);
    }

    @Test
    void registeredBuffersCarryTheDataBothWays() throws Exception {
        int bytes = 16 * ns.lbaSize();
        byte[] data = random(bytes, 4);
        ByteBuf fixedSrc = io.fixedBuffers().tryAcquire();
        ByteBuf fixedDst = io.fixedBuffers().tryAcquire();
        fixedSrc.writeBytes(data);
        assertEquals(bytes, await(ns.write(BASE + 64, fixedSrc)));
        assertEquals(bytes, await(ns.read(BASE + 64, 16, fixedDst)));
        assertArrayEquals(data, readable(fixedDst));
        ByteBuf plain = AlignedBuffers.allocate(bytes, 4096);
        assertEquals(bytes, await(ns.read(BASE + 64, 16, plain)));
        assertArrayEquals(data, readable(plain), "the registered write, read without registration");
        // A slice of a registered buffer is registered memory too.
        byte[] more = random(bytes, 5);
        fixedSrc.clear().writeBytes(more);
        assertEquals(bytes / 2, await(ns.write(BASE + 64, fixedSrc.slice(bytes / 2, bytes / 2))));
        fixedDst.clear();
        assertEquals(bytes, await(ns.read(BASE + 64, 16, fixedDst)));
        byte[] expected = more.clone();
        System.arraycopy(more, bytes / 2, expected, 0, bytes / 2);
        System.arraycopy(data, bytes / 2, expected, bytes / 2, bytes / 2);
        assertArrayEquals(expected, readable(fixedDst));
        releaseAll(fixedSrc, fixedDst, plain);
        assertEquals(4, io.fixedBuffers().available(), "every registered buffer back in the pool");
    }

    @Test
    void commandsWithATimeoutCompleteNormally() throws Exception {
        NvmeNamespace timed = ns.withTimeout(Duration.ofSeconds(30));
        assertEquals(Optional.of(Duration.ofSeconds(30)), timed.timeout());
        int bytes = 4 * ns.lbaSize();
        byte[] data = random(bytes, 6);
        ByteBuf src = AlignedBuffers.allocate(bytes, 4096).writeBytes(data);
        assertEquals(bytes, await(timed.write(BASE + 128, src, true)));
        await(timed.flush());
        ByteBuf[] dsts = parts(ns.lbaSize(), 3 * ns.lbaSize()).toArray(ByteBuf[]::new);
        assertEquals(bytes, await(timed.read(BASE + 128, dsts)));
        assertArrayEquals(data, readable(dsts));
        ByteBuf fixed = io.fixedBuffers().tryAcquire();
        assertEquals(bytes, await(timed.read(BASE + 128, 4, fixed)));
        assertArrayEquals(data, readable(fixed));
        assertTrue(await(timed.compare(BASE + 128, src.resetReaderIndex())), "compare with a timeout");
        releaseAll(src, fixed);
        releaseAll(dsts);
    }

    private static int[] repeat(int n, int size) {
        int[] sizes = new int[n];
        java.util.Arrays.fill(sizes, size);
        return sizes;
    }
}
