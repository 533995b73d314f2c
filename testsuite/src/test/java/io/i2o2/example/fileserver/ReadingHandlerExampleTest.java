package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handler the README quotes does what it says: each message is answered with the file region. */
class ReadingHandlerExampleTest {
    @TempDir
    Path dir;

    @Test
    void eachMessageIsAnsweredWithTheFileRegion() throws Exception {
        byte[] data = ServerFixture.write(dir.resolve("data"), 100_000, 7);
        IoUringFileEventLoopGroup fileGroup = new IoUringFileEventLoopGroup(1);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        CountDownLatch unregistered = new CountDownLatch(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        @SuppressWarnings("deprecation") // addLast(group, ...): see FileServerInitializer
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(fileGroup, new ReadingHandlerExample(dir.resolve("data"), 1234,
                                    50_000));
                            // Back on the channel's loop: the last event of the channel's life has passed the
                            // io_uring loop when it gets here, so both groups may shut down.
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelUnregistered(ChannelHandlerContext ctx) {
                                    unregistered.countDown();
                                }
                            });
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 5_000);
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                for (int i = 0; i < 3; i++) {
                    s.getOutputStream().write('x');
                    assertArrayEquals(Arrays.copyOfRange(data, 1234, 51_234), in.readNBytes(50_000));
                }
            }
            assertTrue(unregistered.await(10, TimeUnit.SECONDS));
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            fileGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
