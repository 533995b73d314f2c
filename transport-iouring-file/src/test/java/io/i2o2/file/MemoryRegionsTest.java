package io.i2o2.file;

import io.i2o2.uring.Linux;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory an op hands the kernel: a composite buffer counts by the regions the op's bytes lie in (its
 * writable bytes for a read, its readable bytes for a write), not by all its components; and memory given as a
 * {@link MemorySegment} must be native, a heap segment's address meaning nothing to the kernel.
 */
class MemoryRegionsTest {
    private static final int COMPONENTS = 1500;
    private static final int COMPONENT = 512;

    @TempDir
    Path dir;
    private MultiThreadIoEventLoopGroup group;

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

    /** 1,500 components of 512 bytes each, all readable (writer index at the end) unless the caller moves it. */
    private static CompositeByteBuf composite(int components) {
        CompositeByteBuf c = ALLOC.compositeDirectBuffer(components);
        for (int i = 0; i < components; i++) {
            c.addComponent(true, ALLOC.directBuffer(COMPONENT).writeZero(COMPONENT));
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aReadIntoACompositeCountsOnlyTheComponentsItsWritableBytesCover(Groups type) throws Exception {
        FileIo io = io(type);
        byte[] data = FileOpsTest.random(5 * COMPONENT, 21);
        IoUringFile file = await(io.open(Files.write(dir.resolve("data"), data)));
        CompositeByteBuf into = composite(COMPONENTS);
        // Only the last 5 components have writable bytes: a read into it needs 5 iovecs, not 1,500.
        into.writerIndex((COMPONENTS - 5) * COMPONENT);
        assertEquals(5 * COMPONENT, await(file.read(into, 0)).intValue());
        assertArrayEquals(data, bytes(into.skipBytes((COMPONENTS - 5) * COMPONENT)));

        into.writerIndex((COMPONENTS - 5) * COMPONENT);
        assertEquals(5 * COMPONENT, await(file.readv(0, into)).intValue(), "readv counts alike");
        assertEquals(1, into.refCnt());
        into.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aWriteFromACompositeCountsOnlyTheComponentsItsReadableBytesCover(Groups type) throws Exception {
        FileIo io = io(type);
        Path path = dir.resolve("out");
        IoUringFile file = await(io.open(path, READ, WRITE, java.nio.file.StandardOpenOption.CREATE));
        CompositeByteBuf from = composite(COMPONENTS);
        byte[] data = FileOpsTest.random(5 * COMPONENT, 22);
        from.setBytes(0, data);
        // Only the first 5 components have readable bytes.
        from.writerIndex(5 * COMPONENT);
        assertEquals(5 * COMPONENT, await(file.write(from, 0)).intValue());
        assertArrayEquals(data, Files.readAllBytes(path));

        from.readerIndex(0);
        ByteBuf plain = ALLOC.directBuffer(16).writeZero(16);
        assertEquals(16 + 5 * COMPONENT, await(file.writev(0, plain, from)).intValue(), "writev counts alike");
        plain.release();
        assertEquals(1, from.refCnt());
        from.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void anOpThatReallyNeedsMoreThanUioMaxIovRegionsIsRefusedSayingSo(Groups type) throws Exception {
        FileIo io = io(type);
        IoUringFile file = await(io.open(dir.resolve("out"), READ, WRITE, java.nio.file.StandardOpenOption.CREATE));
        CompositeByteBuf from = composite(COMPONENTS);
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class,
                file.write(from, 0).await().cause());
        assertTrue(e.getMessage().contains("1500 memory regions") && e.getMessage().contains("UIO_MAXIOV"),
                e.getMessage());
        ByteBuf plain = ALLOC.directBuffer(16);
        from.writerIndex(0);
        assertInstanceOf(IllegalArgumentException.class, file.readv(0, plain, from).await().cause(),
                "1 + 1500 writable regions");
        assertEquals(1, from.refCnt(), "nothing retained");
        assertEquals(1, plain.refCnt(), "nothing retained");
        assertEquals(0, io.pendingOps(), "no slot taken");
        plain.release();
        from.release();
        await(file.close());
    }

    /**
     * A buffer whose own lookups throw once the op has retained it (a custom ByteBuf; a broken one) is refused
     * through the future like any bad buffer, and every reference the op took goes back.
     */
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aBufferWhoseLookupsThrowIsRefusedAndGivenBack(Groups type) throws Exception {
        FileIo io = io(type);
        IoUringFile file = await(io.open(Files.write(dir.resolve("data"), new byte[4096])));
        ByteBuf noAddress = new UnpooledDirectByteBuf(UnpooledByteBufAllocator.DEFAULT, 64, 64) {
            @Override
            public boolean hasMemoryAddress() {
                return true;
            }

            @Override
            public long memoryAddress() {
                throw new UnsupportedOperationException("no address");
            }
        };
        CompositeByteBuf noRegions = new CompositeByteBuf(ALLOC, true, 4) {
            @Override
            public java.nio.ByteBuffer[] nioBuffers(int index, int length) {
                throw new UnsupportedOperationException("no regions");
            }
        };
        noRegions.addComponent(ALLOC.directBuffer(64).writeZero(64));
        noRegions.addComponent(ALLOC.directBuffer(64).writeZero(64));
        ByteBuf plain = ALLOC.directBuffer(64);
        assertInstanceOf(UnsupportedOperationException.class, file.read(noAddress, 0).await().cause());
        assertInstanceOf(UnsupportedOperationException.class, file.readv(0, plain, noAddress).await().cause());
        assertInstanceOf(UnsupportedOperationException.class, file.read(noRegions, 0).await().cause());
        assertInstanceOf(UnsupportedOperationException.class, file.readv(0, plain, noRegions).await().cause());
        assertEquals(1, noAddress.refCnt(), "given back");
        assertEquals(1, noRegions.refCnt(), "given back");
        assertEquals(1, plain.refCnt(), "given back");
        assertEquals(0, io.pendingOps(), "no slot taken");
        noAddress.release();
        noRegions.release();
        plain.release();
        await(file.close());
    }

    /**
     * A vectored uring_cmd is handed the count of regions its bytes lie in. Passthrough only (uring_cmd needs
     * its 128-byte entries); a regular file then refuses the command itself, which is not what this is about.
     */
    @Test
    void aVectoredUringCmdCountsTheRegionsItsBytesCover() throws Exception {
        FileIo io = io(Groups.PASSTHROUGH);
        IoUringFile file = await(io.open(Files.write(dir.resolve("data"), new byte[4096])));
        CompositeByteBuf from = composite(COMPONENTS);
        from.writerIndex(5 * COMPONENT);
        AtomicInteger count = new AtomicInteger(-1);
        Future<UringCmdResult> cmd = file.uringCmdVectored(0, new ByteBuf[] {from}, false,
                (command, iovecs, n) -> count.set(n)).await();
        assertEquals(5, count.get(), "the writer saw 5 iovecs: " + cmd.cause());
        assertInstanceOf(FileIoException.class, cmd.cause(), "then the kernel answered for the file");
        assertEquals(1, from.refCnt());
        from.release();
        await(file.close());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void madviseRefusesAHeapSegmentAtOnce(Groups type) throws Exception {
        FileIo io = io(type);
        Future<Integer> heap = io.madvise(MemorySegment.ofArray(new byte[8192]), Linux.MADV_WILLNEED).await();
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, heap.cause(),
                "refused here, not answered ENOMEM by the kernel");
        assertTrue(e.getMessage().contains("native"), e.getMessage());
        assertEquals(0, io.pendingOps(), "no slot taken");
        Future<Integer> viaPromise = io.madvise(MemorySegment.ofArray(new long[1024]), Linux.MADV_WILLNEED,
                group.next().<Integer>newPromise()).await();
        assertInstanceOf(IllegalArgumentException.class, viaPromise.cause());
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return Arrays.copyOf(b, b.length);
    }
}
