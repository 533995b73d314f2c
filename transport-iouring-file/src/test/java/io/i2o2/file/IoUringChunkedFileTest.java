package io.i2o2.file;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link IoUringChunkedFile} behind Netty's {@link ChunkedWriteHandler}, to a real socket on 127.0.0.1. */
class IoUringChunkedFileTest {
    private static IoUringFileEventLoopGroup files;
    private static EventLoopGroup nio;
    @TempDir
    static Path dir;
    private static Path path;
    private static byte[] data;

    @BeforeAll
    static void setUp() throws Exception {
        files = new IoUringFileEventLoopGroup(1);
        nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        data = new byte[3 * 1024 * 1024 + 123];
        new Random(7).nextBytes(data);
        path = dir.resolve("data.bin");
        Files.write(path, data);
    }

    @AfterAll
    static void tearDown() {
        nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        Groups.shutdown(files);
    }

    /** Serves {@code [offset, offset+length)} of the file to one connection, then closes; returns what came. */
    private static byte[] transfer(long offset, long length, int chunkSize, int readAhead, AtomicInteger closes)
            throws Exception {
        IoUringFile file = files.nextFileIo().open(path).sync().getNow();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(nio).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChunkedWriteHandler(), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                IoUringChunkedFile in = IoUringChunkedFile.of(ctx.pipeline(), file, offset, length,
                                        chunkSize, readAhead, () -> {
                                            closes.incrementAndGet();
                                            file.close();
                                        });
                                ctx.writeAndFlush(in).addListener(f -> {
                                    outcome.complete(f.cause());
                                    ctx.close();
                                });
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            s.setSoTimeout(15_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            s.getInputStream().transferTo(got);
            Throwable cause = outcome.get(15, TimeUnit.SECONDS);
            if (cause != null) {
                throw new AssertionError("transfer failed after " + got.size() + " bytes", cause);
            }
            return got.toByteArray();
        } finally {
            server.close().sync();
        }
    }

    @ParameterizedTest
    @CsvSource({"0, -1, 65536, 2", "0, -1, 4096, 1", "0, -1, 1000, 8", "100, 200000, 65536, 4",
            "5, 1, 65536, 2", "0, 0, 65536, 2", "3145728, -1, 16384, 3"})
    void aRegionArrivesWholeAndInOrder(long offset, long length, int chunkSize, int readAhead) throws Exception {
        long len = length < 0 ? data.length - offset : length;
        AtomicInteger closes = new AtomicInteger();
        byte[] got = transfer(offset, len, chunkSize, readAhead, closes);
        assertEquals(len, got.length);
        assertArrayEquals(Arrays.copyOfRange(data, (int) offset, (int) (offset + len)), got);
        assertEquals(1, closes.get(), "closed once");
    }

    @Test
    void nullWhileReadingThenWakeUpThenTheChunk() throws Exception {
        DefaultEventLoop executor = new DefaultEventLoop();
        IoUringFile file = files.nextFileIo().open(path).sync().getNow();
        CountDownLatch woken = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        try {
            IoUringChunkedFile in = new IoUringChunkedFile(file, 10, 5000, 4096, 2, executor, woken::countDown,
                    closes::incrementAndGet);
            assertNull(executor.submit(() -> in.readChunk(PooledByteBufAllocator.DEFAULT)).get());
            assertTrue(woken.await(10, TimeUnit.SECONDS), "woken when the first chunk arrived");
            ByteBuf first = executor.submit(() -> in.readChunk(PooledByteBufAllocator.DEFAULT)).get();
            try {
                assertEquals(4096, first.readableBytes());
                byte[] b = new byte[4096];
                first.getBytes(first.readerIndex(), b);
                assertArrayEquals(Arrays.copyOfRange(data, 10, 10 + 4096), b);
            } finally {
                first.release();
            }
            assertEquals(4096, in.progress());
            assertEquals(5000, in.length());
            // Close with the second read possibly in flight: its buffer is released when it completes.
            executor.submit(in::close).get();
            executor.submit(in::close).get();
            assertEquals(1, closes.get());
        } finally {
            file.close().sync();
            executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aFileShorterThanTheRegionFailsTheTransfer() throws Exception {
        DefaultEventLoop executor = new DefaultEventLoop();
        IoUringFile file = files.nextFileIo().open(path).sync().getNow();
        try {
            CountDownLatch woken = new CountDownLatch(1);
            // Asks for 1000 bytes more than the file has.
            IoUringChunkedFile in = new IoUringChunkedFile(file, data.length - 100, 1100, 4096, 2, executor,
                    woken::countDown, () -> { });
            ByteBuf first = executor.submit(() -> in.readChunk(PooledByteBufAllocator.DEFAULT)).get();
            assertNull(first);
            assertTrue(woken.await(10, TimeUnit.SECONDS));
            // The short read is retried for the rest, which reads 0 bytes: the file ended.
            Exception e = assertThrows(Exception.class, () -> {
                try {
                    executor.submit(() -> in.readChunk(PooledByteBufAllocator.DEFAULT)).get();
                } catch (java.util.concurrent.ExecutionException x) {
                    throw (Exception) x.getCause();
                }
            });
            assertInstanceOf(EOFException.class, e);
            executor.submit(in::close).get();
        } finally {
            file.close().sync();
            executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        IoUringFile file = files.nextFileIo().open(path).sync().getNow();
        try {
            DefaultEventLoop ex = new DefaultEventLoop();
            assertThrows(IllegalArgumentException.class, () -> new IoUringChunkedFile(file, -1, 1, 1, 1, ex, () -> { },
                    () -> { }));
            assertThrows(IllegalArgumentException.class, () -> new IoUringChunkedFile(file, 0, 1, 0, 1, ex, () -> { },
                    () -> { }));
            assertThrows(IllegalArgumentException.class, () -> new IoUringChunkedFile(file, 0, 1, 1, 0, ex, () -> { },
                    () -> { }));
            ex.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        } finally {
            file.close().sync();
        }
    }
}
