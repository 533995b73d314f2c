package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringOverloadedException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.EOFException;
import java.util.concurrent.TimeUnit;

/**
 * Streams one region of an open file into a channel as HTTP content, chunk by chunk, holding little memory:
 * at most one read is in flight, and the next chunk is read only while the channel is writable (its
 * outbound buffer below the high water mark). {@link #resume()} on {@code channelWritabilityChanged} goes
 * on where it stopped.
 *
 * <p>Each chunk is read by io_uring into a buffer of the channel's allocator, and that same buffer is
 * written to the channel: no copy. The file is closed when the transfer ends, one way or another.
 *
 * <p>Not thread-safe: every method runs on the handler's executor, and so do the read completions (each
 * read completes a promise of that executor).
 */
final class ChunkedFileSender {
    /** How long to wait before retrying a read the io_uring loop refused for being full. */
    private static final long OVERLOAD_RETRY_MILLIS = 1;
    /** Give up after this many refusals in a row (about ten seconds of a saturated loop). */
    private static final int MAX_OVERLOAD_RETRIES = 10_000;

    private final ChannelHandlerContext ctx;
    private final IoUringFile file;
    private final int chunkSize;
    private final FileServerStats stats;
    private final ChannelPromise finished;
    private long position;
    private long remaining;
    private boolean reading;
    private boolean over;
    private int refusals;

    /**
     * @param ctx       the handler's context: its executor runs this sender, its allocator gives the buffers
     * @param file      the file to send from; closed by this sender
     * @param position  the first byte to send
     * @param length    how many bytes to send, {@code > 0}
     * @param chunkSize the most bytes per read
     * @param stats     counts the chunk bytes held
     * @param finished  completed with the write of the last content, or failed when the transfer stops early
     */
    ChunkedFileSender(ChannelHandlerContext ctx, IoUringFile file, long position, long length, int chunkSize,
                      FileServerStats stats, ChannelPromise finished) {
        this.ctx = ctx;
        this.file = file;
        this.position = position;
        this.remaining = length;
        this.chunkSize = chunkSize;
        this.stats = stats;
        this.finished = finished;
    }

    /** Starts sending. */
    void start() {
        pump();
    }

    /** The channel's writability changed: read on if it is writable again. */
    void resume() {
        pump();
    }

    /** Stops the transfer (the channel closed, or the response must be cut short); idempotent. */
    void abort(Throwable cause) {
        if (over) {
            return;
        }
        over = true;
        // Safe with a read in flight: the descriptor closes once it completes, and its buffer is released
        // by onRead, which sees that the transfer is over.
        file.close();
        finished.tryFailure(cause);
    }

    private void pump() {
        if (over || reading || remaining == 0 || !ctx.channel().isWritable()) {
            return;
        }
        int n = (int) Math.min(chunkSize, remaining);
        ByteBuf buf = ctx.alloc().directBuffer(n);
        stats.chunkAllocated(n);
        reading = true;
        Promise<Integer> read = ctx.executor().newPromise();
        read.addListener(f -> onRead(buf, n, f));
        file.read(buf, position, read);
    }

    private void onRead(ByteBuf buf, int allocated, Future<?> read) {
        reading = false;
        if (over || !read.isSuccess() || (Integer) read.getNow() <= 0) {
            buf.release();
            stats.chunkGone(allocated);
            if (!over) {
                readFailed(read.isSuccess() ? new EOFException(file + " ended at " + position + ", "
                        + remaining + " bytes before the promised length: it shrank") : read.cause());
            }
            return;
        }
        refusals = 0;
        int count = (Integer) read.getNow();
        position += count;
        remaining -= count;
        ChannelFuture written = ctx.writeAndFlush(new DefaultHttpContent(buf));
        written.addListener(w -> {
            stats.chunkGone(allocated);
            if (!w.isSuccess()) {
                abort(w.cause());
            }
        });
        if (remaining == 0) {
            over = true;
            file.close();
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, finished);
        } else {
            pump();
        }
    }

    private void readFailed(Throwable cause) {
        if (cause instanceof IoUringOverloadedException && ++refusals <= MAX_OVERLOAD_RETRIES) {
            // The loop holds its maximum of operations: nothing was submitted, so try again shortly.
            ctx.executor().schedule(this::pump, OVERLOAD_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            abort(cause);
        }
    }
}
