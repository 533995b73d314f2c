package io.i2o2.example.fileserver;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up each accepted connection, or closes it at once beyond {@link ServerConfig#maxConnections()}:
 * the timeouts ({@link ConnectionGuard}), the HTTP/1.1 codec, chunk accounting and
 * {@link ChunkedWriteHandler} on the channel's loop, then an {@link HttpFileHandler}, on an io_uring loop
 * or on the channel's loop as the {@link Wiring} says.
 */
public final class FileServerInitializer extends ChannelInitializer<SocketChannel> {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(FileServerInitializer.class);
    private final ServerContext server;
    private final int chunkSize;
    private final ChannelGroup channels;
    private final AtomicInteger livePipelines = new AtomicInteger();
    private final AtomicInteger liveConnections = new AtomicInteger();

    /**
     * @param server    what the connections share
     * @param chunkSize the most bytes per read of a streamed body
     * @param channels  every accepted channel is added, so the server can close them all
     */
    FileServerInitializer(ServerContext server, int chunkSize, ChannelGroup channels) {
        this.server = server;
        this.chunkSize = chunkSize;
        this.channels = channels;
    }

    @Override
    // Netty 4.2 deprecates the pipeline methods that take an EventExecutorGroup (netty PR 14538; its main
    // branch removed them): the URING wiring depends on them, the CHANNEL wiring does not.
    @SuppressWarnings("deprecation")
    protected void initChannel(SocketChannel ch) {
        FileServerStats stats = server.stats();
        stats.connectionOpened();
        ch.closeFuture().addListener(f -> stats.connectionClosed());
        if (liveConnections.incrementAndGet() > server.config().maxConnections()) {
            liveConnections.decrementAndGet();
            logger.debug("{}: over {} connections: closed", ch, server.config().maxConnections());
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> liveConnections.decrementAndGet());
        channels.add(ch);
        ServerConfig config = server.config();
        ChannelPipeline p = ch.pipeline();
        ConnectionGuard guard = new ConnectionGuard(config);
        p.addLast("guard", guard);
        p.addLast("http", new HttpServerCodec(config.maxInitialLineLength(), config.maxHeaderSize(), 8192));
        p.addLast("headers", guard.headersHandler());
        p.addLast("accounting", new BodyChunks.Accounting(stats));
        p.addLast("chunked", new ChunkedWriteHandler());
        HttpFileHandler handler = new HttpFileHandler(server, chunkSize);
        livePipelines.incrementAndGet();
        if (server.wiring().handlerOnFileLoop()) {
            // Runs the handler on one of the group's io_uring loops: its operations go straight into that
            // ring. The end marker goes on the same loop (one loop per group per pipeline).
            p.addLast(server.files(), "files", handler);
            p.addLast(server.files(), "end", new PipelineEnd());
        } else {
            p.addLast("files", handler);
            p.addLast("end", new PipelineEnd());
        }
    }

    /**
     * Channels whose last event has not yet passed the file handler. A server shutting down waits for none
     * to be left before it stops the io_uring loops, which may be where that event is about to run.
     */
    int livePipelines() {
        return livePipelines.get();
    }

    /** Counts a channel's pipeline as done once {@code channelUnregistered}, its last event, reaches it. */
    private final class PipelineEnd extends ChannelInboundHandlerAdapter {
        @Override
        public void channelUnregistered(ChannelHandlerContext ctx) {
            livePipelines.decrementAndGet();
            ctx.fireChannelUnregistered();
        }
    }
}
