package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFileIo;
import io.netty.channel.IoEventLoop;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.nio.file.Path;

/**
 * The smallest handler that reads a file through io_uring: for every message it receives, it sends back
 * {@code length} bytes of a file from {@code offset}. Add it with
 * {@code pipeline.addLast(ioUringFileGroup, new ReadingHandlerExample(path, offset, length))} so that it runs
 * on an io_uring loop: its open and read then go straight into that loop's ring, and their listeners run on
 * the same thread. The bytes the kernel wrote into the buffer are the bytes written to the socket.
 */
public final class ReadingHandlerExample extends ChannelInboundHandlerAdapter {
    private final Path path;
    private final long offset;
    private final int length;

    /**
     * @param path   the file to read
     * @param offset where the region starts
     * @param length how many bytes to read, {@code > 0}
     */
    public ReadingHandlerExample(Path path, long offset, int length) {
        this.path = path;
        this.offset = offset;
        this.length = length;
    }

    // tag::read[]
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        IoUringFileIo loop = IoUringFileIo.of((IoEventLoop) ctx.executor());   // added with addLast(fileGroup, ...)
        loop.open(path).addListener((Future<IoUringFile> opened) -> {
            if (!opened.isSuccess()) {
                ctx.fireExceptionCaught(opened.cause());
                return;
            }
            IoUringFile file = opened.getNow();
            ByteBuf buf = ctx.alloc().directBuffer(length);               // pooled, direct
            file.read(buf, offset).addListener(read -> {                 // fills buf, advances writerIndex
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
    // end::read[]
}
