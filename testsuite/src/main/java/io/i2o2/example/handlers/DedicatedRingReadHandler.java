package io.i2o2.example.handlers;

import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.nio.file.Path;
import java.util.Set;

/**
 * For channels on any transport (NIO, epoll, ...): answers every message with {@code length} bytes of a
 * file from {@code offset}, read on a loop of an {@link IoUringFileEventLoopGroup}. Each op completes a
 * promise of the channel's own executor, so every listener runs on the channel's thread: the handler never
 * touches its context from another thread.
 */
public final class DedicatedRingReadHandler extends ChannelInboundHandlerAdapter {
    private final IoUringFileEventLoopGroup files;
    private final Path path;
    private final long offset;
    private final int length;

    /**
     * @param files  the loops whose rings read the file
     * @param path   the file to read
     * @param offset where the region starts
     * @param length how many bytes to read, {@code > 0}
     */
    public DedicatedRingReadHandler(IoUringFileEventLoopGroup files, Path path, long offset, int length) {
        this.files = files;
        this.path = path;
        this.offset = offset;
        this.length = length;
    }

    // tag::dedicated[]
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        FileIo io = files.nextFileIo();                                    // a loop with a ring of its own
        Promise<IoUringFile> opened = ctx.executor().newPromise();         // listeners on the channel's thread
        io.open(path, Set.of(), 0, opened).addListener((Future<IoUringFile> f) -> {
            if (!f.isSuccess()) {
                ctx.fireExceptionCaught(f.cause());
                return;
            }
            IoUringFile file = f.getNow();
            ByteBuf buf = ctx.alloc().directBuffer(length);
            file.read(buf, offset, ctx.executor().newPromise()).addListener(read -> {
                file.close();
                if (read.isSuccess()) {
                    ctx.writeAndFlush(buf);
                } else {
                    buf.release();
                    ctx.fireExceptionCaught(read.cause());
                }
            });
        });
    }
    // end::dedicated[]
}
