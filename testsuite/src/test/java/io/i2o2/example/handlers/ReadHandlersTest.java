package io.i2o2.example.handlers;

import io.i2o2.example.fileserver.ServerFixture;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.FileIo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The two handlers the README quotes, on real servers over loopback: each message is answered with the
 * file region, and the reads complete on the channel's own thread (on Netty's io_uring transport, through
 * the channel's own ring).
 */
class ReadHandlersTest {
    @TempDir
    Path dir;

    @Test
    void sharedRingHandlerReadsThroughTheChannelsOwnRing() throws Exception {
        assumeTrue(IoUring.isAvailable(), () -> "Netty's io_uring transport is unavailable here: "
                + IoUring.unavailabilityCause());
        byte[] data = ServerFixture.write(dir.resolve("data"), 100_000, 7);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        try {
            Channel server = serve(group, IoUringServerSocketChannel.class,
                    () -> new SharedRingReadHandler(dir.resolve("data"), 1234, 50_000));
            askThreeTimes(server, Arrays.copyOfRange(data, 1234, 51_234));

            // The same ring, the same thread: the file API of the channel's loop is Netty's ring, and a read's
            // listener runs on that loop.
            EventLoop loop = server.eventLoop();
            FileIo io = FileIo.of(loop);
            assertTrue(io.isNettyRing());
            assertEquals(loop, io.executor());
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            IoUringFile file = io.open(dir.resolve("data")).sync().getNow();
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
            file.read(buf, 0).addListener((Future<Integer> f) -> onLoop.complete(f.isSuccess() && loop.inEventLoop()));
            assertTrue(onLoop.get(10, TimeUnit.SECONDS));
            assertArrayEquals(Arrays.copyOf(data, 4096), ServerFixture.bytes(buf));
            buf.release();
            file.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void dedicatedRingHandlerCompletesOnTheChannelsExecutor() throws Exception {
        byte[] data = ServerFixture.write(dir.resolve("data"), 100_000, 9);
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = serve(group, NioServerSocketChannel.class,
                    () -> new DedicatedRingReadHandler(files, dir.resolve("data"), 99, 30_000));
            askThreeTimes(server, Arrays.copyOfRange(data, 99, 30_099));
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            files.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    private static Channel serve(MultiThreadIoEventLoopGroup group, Class<? extends ServerChannel> type,
                                 Supplier<ChannelHandler> handler) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(type)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(handler.get());
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private static void askThreeTimes(Channel server, byte[] expected) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write('x');
                assertArrayEquals(expected, in.readNBytes(expected.length));
            }
        }
    }
}
