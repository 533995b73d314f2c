package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

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
    protected void initChannel(SocketChannel ch) {
        stats.connectionOpened();
        ch.closeFuture().addListener(f -> stats.connectionClosed());
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec());
        HttpFileHandler handler = new HttpFileHandler(paths, files, chunkSize, stats);
        if (wiring == Wiring.URING) {
            // Runs the handler on one of the group's io_uring loops: its reads go straight into that ring.
            p.addLast(files, "files", handler);
        } else {
            p.addLast("files", handler);
        }
    }
}
