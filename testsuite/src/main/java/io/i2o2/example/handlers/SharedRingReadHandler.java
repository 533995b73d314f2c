package io.i2o2.example.handlers;

import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.nio.file.Path;

/**
 * For channels on Netty's io_uring transport: answers every message with {@code length} bytes of a file
 * from {@code offset}, read through the ring the channel's own loop already runs. The open, the read and
 * their listeners all happen on the channel's thread, so there is no hand-over at all, and the buffer the
 * kernel filled is the buffer written to the socket.
 */
public final class SharedRingReadHandler extends ChannelInboundHandlerAdapter {
    private final Path path;
    private final long offset;
    private final int length;

    /**
     * @param path   the file to read
     * @param offset where the region starts
     * @param length how many bytes to read, {@code > 0}
     */
    public SharedRingReadHandler(Path path, long offset, int length) {
        this.path = path;
        this.offset = offset;
        this.length = length;
    }

    // tag::shared[]
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        FileIo io = FileIo.of(ctx.channel().eventLoop());                 // the channel's own io_uring loop
        io.open(path).addListener((Future<IoUringFile> opened) -> {
            if (!opened.isSuccess()) {
                ctx.fireExceptionCaught(opened.cause());
                return;
            }
            IoUringFile file = opened.getNow();
            ByteBuf buf = ctx.alloc().directBuffer(length);               // pooled, direct
            file.read(buf, offset).addListener(read -> {                 // on the channel's thread: no hop
                file.close();
                if (read.isSuccess()) {
                    ctx.writeAndFlush(buf);                               // the same buffer: no copy
                } else {
                    buf.release();
                    ctx.fireExceptionCaught(read.cause());
                }
            });
        });
    }
    // end::shared[]
}
