package io.i2o2.file;

import io.i2o2.file.nvme.NvmeNamespace;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code uring_cmd} on the host, where no NVMe device exists: socket commands through the passthrough group,
 * checked against the answers of the equivalent ioctl and getsockopt calls; clean failures elsewhere.
 */
class PassthroughHostTest {
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final MethodHandle IOCTL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETSOCKOPT = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("getsockopt"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    static IoUringEventLoopGroup passthrough;
    static FileIo loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        passthrough = Groups.PASSTHROUGH.createOwn(IoUringConfig.defaults());
        loop = passthrough.nextFileIo();
    }

    @AfterAll
    static void stop() {
        Groups.shutdown(passthrough);
    }

    static int fdOf(Object channel) throws ReflectiveOperationException {
        var m = channel.getClass().getMethod("getFDVal");
        m.setAccessible(true);
        return (int) m.invoke(channel);
    }

    static int ioctl(int fd, int request) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            int ret = (int) IOCTL.invokeExact(fd, (long) request, value);
            assertEquals(0, ret, "ioctl " + request);
            return value.get(JAVA_INT, 0);
        }
    }

    static int getsockopt(int fd, int level, int name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, Integer.BYTES);
            assertEquals(0, (int) GETSOCKOPT.invokeExact(fd, level, name, value, len), "getsockopt");
            return value.get(JAVA_INT, 0);
        }
    }

    /** A connected pair over loopback: [client, accepted]. */
    static SocketChannel[] connectedPair() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            return new SocketChannel[] {client, server.accept()};
        }
    }

    static int socketCmd(IoUringFile socket, int op) throws Exception {
        return socket.uringCmd(op, null, false, (cmd, addr, len) -> { }).get(10, TimeUnit.SECONDS).res();
    }

    @Test
    void siocinqMatchesTheIoctl() throws Throwable {
        Assumptions.assumeTrue(KernelFeatures.socketUringCmd(), KernelFeatures::noSocketUringCmd);
        SocketChannel[] pair = connectedPair();
        try {
            pair[0].write(ByteBuffer.wrap(new byte[12345]));
            Thread.sleep(50);
            int fd = fdOf(pair[1]);
            IoUringFile socket = IoUringFile.wrap(loop, fd, false);
            int inq = socketCmd(socket, Linux.SOCKET_URING_OP_SIOCINQ);
            assertEquals(12345, inq);
            assertEquals(ioctl(fd, Linux.SIOCINQ), inq);
            socket.close().get(10, TimeUnit.SECONDS);
            assertTrue(pair[1].isOpen(), "a wrapped descriptor we do not own stays open");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void siocoutqMatchesTheIoctlWhileThePeerDoesNotRead() throws Throwable {
        Assumptions.assumeTrue(KernelFeatures.socketUringCmd(), KernelFeatures::noSocketUringCmd);
        SocketChannel[] pair = connectedPair();
        try {
            pair[1].setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            pair[0].configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(65536);
            long sent = 0;
            for (int i = 0; i < 200; i++) {
                chunk.clear();
                sent += pair[0].write(chunk);
            }
            Thread.sleep(100);
            int fd = fdOf(pair[0]);
            IoUringFile socket = IoUringFile.wrap(loop, fd, false);
            int outq = socketCmd(socket, Linux.SOCKET_URING_OP_SIOCOUTQ);
            assertTrue(outq > 0 && outq <= sent, "unsent bytes queued: " + outq + " of " + sent);
            assertEquals(ioctl(fd, Linux.SIOCOUTQ), outq, "the peer reads nothing, so the queue stands still");
            socket.close().get(10, TimeUnit.SECONDS);
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void getsockoptThroughARawSqeMatchesGetsockopt() throws Throwable {
        Assumptions.assumeTrue(KernelFeatures.socketUringCmd(), KernelFeatures::noSocketUringCmd);
        SocketChannel[] pair = connectedPair();
        try (Arena arena = Arena.ofShared()) {
            int fd = fdOf(pair[0]);
            MemorySegment optval = arena.allocate(JAVA_INT);
            // level and optname share the addr field; optlen sits where file_index does, optval at addr3.
            Future<Integer> f = loop.submitRaw(sqe -> sqe.prepUringCmd(Linux.SOCKET_URING_OP_GETSOCKOPT, fd)
                    .addr((long) SO_RCVBUF << 32 | SOL_SOCKET).fileIndex(Integer.BYTES).addr3(optval.address()), null);
            assertEquals(Integer.BYTES, f.get(10, TimeUnit.SECONDS), "getsockopt returns optlen");
            assertEquals(getsockopt(fd, SOL_SOCKET, SO_RCVBUF), optval.get(JAVA_INT, 0));
            assertTrue(optval.get(JAVA_INT, 0) > 0);
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void uringCmdOnARegularFileFailsWithEopnotsupp() throws Exception {
        Files.write(dir.resolve("plain"), new byte[16]);
        IoUringFile file = loop.open(dir.resolve("plain")).get(10, TimeUnit.SECONDS);
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        Future<?> f = file.uringCmd(0x1234, data, true, (cmd, addr, len) -> cmd.set(JAVA_LONG, 0, addr)).await();
        FileIoException e = assertInstanceOf(FileIoException.class, f.cause());
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertEquals(1, data.refCnt(), "the data buffer was released when the CQE came");
        data.release();
        file.close().get(10, TimeUnit.SECONDS);
    }

    @Test
    void passthroughOnTheFileGroupFailsAtOnceSayingWhichGroupToUse() throws Exception {
        IoUringEventLoopGroup files = Groups.FILE.createOwn(IoUringConfig.defaults());
        try {
            FileIo fileLoop = FileIo.of(files.next());
            Files.write(dir.resolve("x"), new byte[1]);
            IoUringFile file = fileLoop.open(dir.resolve("x")).get(10, TimeUnit.SECONDS);
            ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            Future<?> f = file.uringCmd(Linux.SOCKET_URING_OP_SIOCINQ, data, true, (c, a, l) -> { });
            assertTrue(f.isDone(), "fails before submission");
            UnsupportedOperationException e = assertInstanceOf(UnsupportedOperationException.class, f.cause());
            assertTrue(e.getMessage().contains("IoUringPassthroughEventLoopGroup"), e.getMessage());
            assertEquals(1, data.refCnt());
            data.release();
            Future<NvmeNamespace> ns = NvmeNamespace.open(fileLoop, Path.of("/dev/ng0n1")).await();
            assertInstanceOf(UnsupportedOperationException.class, ns.cause());
            file.close().get(10, TimeUnit.SECONDS);
        } finally {
            Groups.shutdown(files);
        }
    }

    @Test
    void theKernelHasUringCmd() {
        assertTrue(loop.supportsOpcode("URING_CMD"));
    }
}
