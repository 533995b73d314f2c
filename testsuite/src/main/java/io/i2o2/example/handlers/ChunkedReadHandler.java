package io.i2o2.example.handlers;

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
 * {@link DedicatedRingReadHandler} in chunks: answers every message with {@code length} bytes of a file from
 * {@code offset}, read {@code chunkSize} bytes at a time on a loop of an {@link IoUringFileEventLoopGroup},
 * each chunk read once the one before it is written.
 *
 * <p>Its point is the order inside {@link #readChunk}: a listener added to a future that is already complete
 * runs at once, inside {@code addListener}, on the calling thread (Netty's {@code DefaultPromise}; a promise
 * of {@code ctx.executor()} too, when the file's loop completed it before {@code addListener} was reached).
 * So the offset the listener goes on from is advanced before the listener is added, and nothing follows
 * {@code addListener}. Advanced after it, the listener could read the same chunk again.
 */
public final class ChunkedReadHandler extends ChannelInboundHandlerAdapter {
    private final IoUringFileEventLoopGroup files;
    private final Path path;
    private final long offset;
    private final long length;
    private final int chunkSize;

    /** One answer under way: its file, the next chunk's offset, and where it ends. */
    private static final class Transfer {
        final IoUringFile file;
        long position;
        final long end;

        Transfer(IoUringFile file, long position, long end) {
            this.file = file;
            this.position = position;
            this.end = end;
        }
    }

    /**
     * @param files     the loops whose rings read the file
     * @param path      the file to read
     * @param offset    where the region starts
     * @param length    how many bytes to send, {@code > 0}
     * @param chunkSize the most bytes per read, {@code > 0}
     */
    public ChunkedReadHandler(IoUringFileEventLoopGroup files, Path path, long offset, long length, int chunkSize) {
        if (length < 1 || chunkSize < 1) {
            throw new IllegalArgumentException("length and chunkSize must be > 0: " + length + ", " + chunkSize);
        }
        this.files = files;
        this.path = path;
        this.offset = offset;
        this.length = length;
        this.chunkSize = chunkSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        Promise<IoUringFile> opened = ctx.executor().newPromise();
        files.nextFileIo().open(path, Set.of(), 0, opened).addListener((Future<IoUringFile> f) -> {
            if (!f.isSuccess()) {
                ctx.fireExceptionCaught(f.cause());
                return;
            }
            readChunk(ctx, new Transfer(f.getNow(), offset, offset + length));
        });
    }

    // tag::chunked[]
    private void readChunk(ChannelHandlerContext ctx, Transfer t) {
        int n = (int) Math.min(chunkSize, t.end - t.position);
        ByteBuf buf = ctx.alloc().directBuffer(n);
        long at = t.position;
        t.position += n;                       // first: the listener below may run inside addListener
        t.file.read(buf, at, ctx.executor().newPromise()).addListener(read -> {
            if (!read.isSuccess()) {
                buf.release();
                t.file.close();
                ctx.fireExceptionCaught(read.cause());
            } else if (t.position < t.end) {
                ctx.writeAndFlush(buf).addListener(written -> {
                    if (written.isSuccess()) {
                        readChunk(ctx, t);             // the next chunk, never this one again
                    } else {
                        t.file.close();
                    }
                });
            } else {
                t.file.close();
                ctx.writeAndFlush(buf);
            }
        });                                    // last: nothing after addListener
    }
    // end::chunked[]
}
