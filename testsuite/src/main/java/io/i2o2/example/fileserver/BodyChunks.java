package io.i2o2.example.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedInput;

/**
 * An HTTP body from a {@code ChunkedInput<ByteBuf>}, as Netty's {@code HttpChunkedInput} makes it, but with
 * each chunk marked so {@link Accounting} can count the bytes the server holds for it until the socket
 * took them.
 */
final class BodyChunks implements ChunkedInput<HttpContent> {
    private final ChunkedInput<ByteBuf> input;
    private boolean sentLast;

    BodyChunks(ChunkedInput<ByteBuf> input) {
        this.input = input;
    }

    @Override
    public boolean isEndOfInput() throws Exception {
        return input.isEndOfInput() && sentLast;
    }

    @Override
    public void close() throws Exception {
        input.close();
    }

    @Override
    @Deprecated
    public HttpContent readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public HttpContent readChunk(ByteBufAllocator allocator) throws Exception {
        if (input.isEndOfInput()) {
            if (sentLast) {
                return null;
            }
            sentLast = true;
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        ByteBuf buf = input.readChunk(allocator);
        return buf == null ? null : new Counted(buf);
    }

    @Override
    public long length() {
        return input.length();
    }

    @Override
    public long progress() {
        return input.progress();
    }

    /** A chunk of a streamed body. */
    static final class Counted extends DefaultHttpContent {
        final int bytes;

        Counted(ByteBuf content) {
            super(content);
            this.bytes = content.readableBytes();
        }
    }

    /**
     * Between the codec and {@code ChunkedWriteHandler}: counts each chunk from when it is written until the
     * write completes (the socket took it, or the channel failed).
     */
    static final class Accounting extends ChannelDuplexHandler {
        private final FileServerStats stats;

        Accounting(FileServerStats stats) {
            this.stats = stats;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof Counted c) {
                int n = c.bytes;
                stats.chunkAllocated(n);
                ChannelPromise p = promise.unvoid();
                p.addListener(f -> stats.chunkGone(n));
                ctx.write(msg, p);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
