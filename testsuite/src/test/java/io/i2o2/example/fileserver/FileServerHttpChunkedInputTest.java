package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringChunkedFile;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link IoUringChunkedFile} as Netty users would wire it, with Netty's own {@link HttpChunkedInput} and
 * {@link ChunkedWriteHandler}, to a real socket: chunked transfer encoding, read by a raw client.
 */
class FileServerHttpChunkedInputTest {
    @TempDir
    Path dir;

    @Test
    void httpChunkedInputOverIoUringReads() throws Exception {
        byte[] data = ServerFixture.write(dir.resolve("f.bin"), 1_234_567, 3);
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            FileIo loop = FileIo.of(files.next());
            Channel server = new ServerBootstrap().group(nio).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new ChunkedWriteHandler(),
                                    new SimpleChannelInboundHandler<HttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req)
                                                throws Exception {
                                            IoUringFile file = loop.open(dir.resolve("f.bin")).sync().getNow();
                                            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.OK);
                                            res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
                                            ctx.write(res);
                                            ctx.writeAndFlush(new HttpChunkedInput(IoUringChunkedFile.of(
                                                    ctx.pipeline(), file, 0, data.length)));
                                        }
                                    });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            try (RawHttp c = new RawHttp((InetSocketAddress) server.localAddress())) {
                c.send("GET", "/f.bin");
                RawHttp.Response head = c.read(true);
                assertEquals(200, head.status());
                assertEquals("chunked", head.header("transfer-encoding"));
                assertArrayEquals(data, dechunk(c));
            } finally {
                server.close().sync();
            }
        } finally {
            nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            files.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /** Reads a chunked body up to its last chunk. */
    private static byte[] dechunk(RawHttp c) throws Exception {
        java.io.InputStream in = c.input();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (;;) {
            StringBuilder line = new StringBuilder();
            for (int ch; (ch = in.read()) != '\n'; ) {
                if (ch < 0) {
                    throw new java.io.EOFException();
                }
                if (ch != '\r') {
                    line.append((char) ch);
                }
            }
            int size = Integer.parseInt(line.toString().trim(), 16);
            if (size == 0) {
                in.read();
                in.read();
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            in.read();
            in.read();
        }
    }
}
