package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up each accepted connection: the HTTP/1.1 codec on the channel's loop, then an
 * {@link HttpFileHandler}, on an io_uring loop or on the channel's loop as the {@link Wiring} says.
 */
public final class FileServerInitializer extends ChannelInitializer<SocketChannel> {
    private final SafePaths paths;
    private final IoUringFileEventLoopGroup files;
    private final Wiring wiring;
    private final int chunkSize;
    private final FileServerStats stats;
    private final ChannelGroup channels;
    private final AtomicInteger livePipelines = new AtomicInteger();

    /**
     * @param paths     resolves request targets under the served root
     * @param files     the io_uring loops that read the files
     * @param wiring    where the file handler runs
     * @param chunkSize the most bytes per read of a body
     * @param stats     counts connections and buffered chunk bytes
     * @param channels  every accepted channel is added, so the server can close them all
     */
    public FileServerInitializer(SafePaths paths, IoUringFileEventLoopGroup files, Wiring wiring, int chunkSize,
                                 FileServerStats stats, ChannelGroup channels) {
        this.paths = paths;
        this.files = files;
        this.wiring = wiring;
        this.chunkSize = chunkSize;
        this.stats = stats;
        this.channels = channels;
    }

    @Override
    // Netty 4.2 deprecates the pipeline methods that take an EventExecutorGroup (netty PR 14538; its main
    // branch removed them): the URING wiring depends on them, the CHANNEL wiring does not.
    @SuppressWarnings("deprecation")
    protected void initChannel(SocketChannel ch) {
        stats.connectionOpened();
        ch.closeFuture().addListener(f -> stats.connectionClosed());
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec());
        HttpFileHandler handler = new HttpFileHandler(paths, files, chunkSize, stats);
        livePipelines.incrementAndGet();
        if (wiring == Wiring.URING) {
            // Runs the handler on one of the group's io_uring loops: its reads go straight into that ring.
            // The end marker goes on the same loop (one loop per group per pipeline).
            p.addLast(files, "files", handler);
            p.addLast(files, "end", new PipelineEnd());
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
