package io.i2o2.example.fileserver;

import io.i2o2.file.FileIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * 200 concurrent keep-alive connections, 100 requests each, of random files and random ranges, every body
 * checked by CRC32 against the bytes on disk; for both wirings. The server and the Netty client share one
 * pooled allocator, and the leak detector (PARANOID) watches every buffer of both.
 */
class FileServerLoadTest {
    static final int CONNECTIONS = Integer.getInteger("fileserver.load.connections", 200);
    static final int REQUESTS_PER_CONNECTION = Integer.getInteger("fileserver.load.requests", 100);
    /** Sizes at the edges of a page and of the 64 KiB chunk. */
    static final int[] EDGE_SIZES = {0, 1, 100, 4095, 4096, 65_535, 65_536, 65_537, 131_075};
    /** Log-uniform sizes up to this: mostly small files, like a real site. */
    static final int MAX_RANDOM_SIZE = 64 * 1024;
    static final int RANDOM_FILES = 29;
    /** A few MiB, each asked for in {@link #BIG_PERCENT} of the requests: big bodies without hours of CPU. */
    static final int[] BIG_SIZES = {1 << 20, (3 << 20) + 1};
    static final int BIG_PERCENT = 1;

    @TempDir
    static Path www;
    static final List<byte[]> contents = new ArrayList<>();
    static final ByteBufAllocator allocator = new PooledByteBufAllocator(true);

    @BeforeAll
    static void files() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < EDGE_SIZES.length + RANDOM_FILES + BIG_SIZES.length; i++) {
            int size = i < EDGE_SIZES.length ? EDGE_SIZES[i]
                    : i < EDGE_SIZES.length + RANDOM_FILES ? (int) Math.pow(MAX_RANDOM_SIZE, random.nextDouble())
                    : BIG_SIZES[i - EDGE_SIZES.length - RANDOM_FILES];
            contents.add(ServerFixture.write(www.resolve("f" + i), size, i));
        }
    }

    @AfterAll
    static void forget() {
        contents.clear();
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void concurrentConnectionsGetExactBytes(Wiring wiring) throws Exception {
        FileServer server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring)
                .withAllocator(allocator));
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Tally tally = new Tally(new ConcurrentLinkedQueue<>(), new AtomicLong(), new AtomicLong(),
                new CountDownLatch(CONNECTIONS));
        Queue<String> failures = tally.failures();
        AtomicLong responses = tally.responses();
        AtomicLong bodyBytes = tally.bodyBytes();
        CountDownLatch finished = tally.finished();
        AtomicLong seeds = new AtomicLong(wiring.ordinal() * 1000L);
        try {
            Bootstrap b = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, allocator)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(),
                                    new Client(new SplittableRandom(seeds.incrementAndGet()), tally));
                        }
                    });
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                channels.add(b.connect(server.address()).sync().channel());
            }
            ServerFixture.eventually(() -> CONNECTIONS + " connections open at once: " + server.stats(),
                    () -> server.stats().openConnections() == CONNECTIONS);
            long start = System.nanoTime();
            for (Channel ch : channels) {
                ch.eventLoop().execute(() -> ch.pipeline().get(Client.class).next(ch));
            }
            if (!finished.await(Integer.getInteger("fileserver.load.seconds", 170), TimeUnit.SECONDS)) {
                StringBuilder loops = new StringBuilder();
                server.fileGroup().forEach(l -> loops.append((FileIo.of((io.netty.channel.IoEventLoop) l).pendingOps())).append(' '));
                fail("clients did not finish: " + finished.getCount() + " left, " + responses + " responses, "
                        + server.stats() + ", io_uring ops pending per loop: " + loops + ", failures " + failures);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("%s wiring: %d responses, %d MiB of bodies in %d ms (%.0f req/s, %.0f MiB/s); %s%n",
                    wiring, responses.get(), bodyBytes.get() >> 20, millis, responses.get() * 1000.0 / millis,
                    (bodyBytes.get() >> 20) * 1000.0 / millis, server.stats());
            assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.peek());
            assertEquals((long) CONNECTIONS * REQUESTS_PER_CONNECTION, responses.get());
            assertTrue(server.stats().peakOpenConnections() >= CONNECTIONS, server.stats().toString());
            assertEquals(CONNECTIONS, server.stats().acceptedConnections(), "keep-alive: one connection each");
        } finally {
            clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            try {
                ServerFixture.assertQuiet(server);
            } finally {
                server.close();
            }
        }
    }

    /** What all clients report into. */
    private record Tally(Queue<String> failures, AtomicLong responses, AtomicLong bodyBytes,
                         CountDownLatch finished) {
    }

    /** What one request expects back. */
    private record Expected(int file, long first, long length, int status, String contentRange) {
    }

    /** One connection: sends a request, checks the streamed response, sends the next, closes after the last. */
    private static final class Client extends SimpleChannelInboundHandler<HttpObject> {
        private final SplittableRandom random;
        private final Tally tally;
        private final CRC32 crc = new CRC32();
        private int sent;
        private Expected expected;
        private long received;

        Client(SplittableRandom random, Tally tally) {
            this.random = random;
            this.tally = tally;
        }

        void next(Channel ch) {
            if (sent == REQUESTS_PER_CONNECTION) {
                tally.finished().countDown();
                ch.close();
                return;
            }
            sent++;
            int big = random.nextInt(100);
            int small = contents.size() - BIG_SIZES.length;
            int file = big < BIG_PERCENT * BIG_SIZES.length ? small + big / BIG_PERCENT : random.nextInt(small);
            long size = contents.get(file).length;
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/f" + file);
            req.headers().set(HttpHeaderNames.HOST, "test");
            expected = pick(file, size, req);
            crc.reset();
            received = 0;
            ch.writeAndFlush(req);
        }

        /** A random request form: whole file, bytes=a-b, a-, -n, or one past the end; sets the header. */
        private Expected pick(int file, long size, FullHttpRequest req) {
            int form = random.nextInt(100);
            if (form < 40 || size == 0) {
                return new Expected(file, 0, size, 200, null);
            }
            long a = random.nextLong(size);
            String range;
            long first;
            long last;
            if (form < 70) {
                first = a;
                last = a + random.nextLong(size - a);
                range = first + "-" + last;
            } else if (form < 85) {
                first = a;
                last = size - 1;
                range = first + "-";
            } else if (form < 98) {
                long n = 1 + random.nextLong(size);
                first = size - n;
                last = size - 1;
                range = "-" + n;
            } else {
                req.headers().set(HttpHeaderNames.RANGE, "bytes=" + size + "-");
                return new Expected(file, 0, 0, 416, "bytes */" + size);
            }
            req.headers().set(HttpHeaderNames.RANGE, "bytes=" + range);
            return new Expected(file, first, last - first + 1, 206, "bytes " + first + "-" + last + "/" + size);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse res) {
                check(res.status().code() == expected.status(), "status " + res.status());
                check(expected.contentRange() == null
                        || expected.contentRange().equals(res.headers().get(HttpHeaderNames.CONTENT_RANGE)),
                        "content-range " + res.headers().get(HttpHeaderNames.CONTENT_RANGE));
                if (expected.status() != 416) {
                    check(String.valueOf(expected.length()).equals(res.headers().get(
                            HttpHeaderNames.CONTENT_LENGTH)), "content-length");
                }
            }
            if (msg instanceof HttpContent content && expected.status() != 416) {
                received += content.content().readableBytes();
                crc.update(content.content().nioBuffer());
            }
            if (msg instanceof LastHttpContent) {
                if (expected.status() != 416) {
                    CRC32 want = new CRC32();
                    want.update(contents.get(expected.file()), (int) expected.first(), (int) expected.length());
                    check(received == expected.length(), "received " + received + " bytes");
                    check(crc.getValue() == want.getValue(), "CRC mismatch");
                    tally.bodyBytes().addAndGet(received);
                }
                tally.responses().incrementAndGet();
                next(ctx.channel());
            }
        }

        private void check(boolean ok, String what) {
            if (!ok) {
                tally.failures().add(what + " for " + expected);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (sent < REQUESTS_PER_CONNECTION || expected != null && received < expected.length()) {
                tally.failures().add("connection closed early after " + sent + " requests");
                tally.finished().countDown();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            tally.failures().add("client error: " + cause);
            ctx.close();
        }
    }
}
