package io.i2o2.example.handlers;

import io.i2o2.example.fileserver.ServerFixture;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's chunked reader and the Netty behaviour it is written around: a listener added to a promise
 * that is already complete runs inside {@code addListener}, on the loop's thread.
 */
class ChunkedReadHandlerTest {
    @TempDir
    Path dir;

    /** What the README says beside the second handler, on a real NIO loop. */
    @Test
    void aListenerAddedToACompletedPromiseOfTheLoopRunsInsideAddListener() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            EventLoop loop = group.next();
            boolean ranInside = loop.submit(() -> {
                Promise<Integer> p = loop.newPromise();
                p.setSuccess(1);
                AtomicBoolean ran = new AtomicBoolean();
                p.addListener(f -> ran.set(loop.inEventLoop()));
                return ran.get();   // read right after addListener returned
            }).get(10, TimeUnit.SECONDS);
            assertTrue(ranInside, "the listener had not run when addListener returned");
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * A region of 60 chunks and a short last one, three times on one connection, over NIO with the reads on a
     * file loop: every byte once, in order.
     */
    @Test
    void everyChunkIsSentOnceInOrder() throws Exception {
        byte[] data = ServerFixture.write(dir.resolve("data"), 300_000, 11);
        int offset = 123;
        int length = 60 * 4096 + 1000;
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChunkedReadHandler(files, dir.resolve("data"), offset, length,
                                    4096));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            byte[] expected = Arrays.copyOfRange(data, offset, offset + length);
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 5_000);
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                for (int i = 0; i < 3; i++) {
                    s.getOutputStream().write('x');
                    assertArrayEquals(expected, in.readNBytes(expected.length), "answer " + i);
                }
                Thread.sleep(100);
                assertEquals(0, in.available(), "bytes beyond the region");
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            files.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
