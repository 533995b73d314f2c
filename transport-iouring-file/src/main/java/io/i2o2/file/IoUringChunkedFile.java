package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.EOFException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A region of a file as a {@link ChunkedInput} of {@link ByteBuf}s read through io_uring: what Netty's
 * {@code ChunkedNioFile} does, without blocking the event loop. Use it with {@link ChunkedWriteHandler}
 * (wrap it in {@code HttpChunkedInput} for HTTP):
 *
 * <pre>{@code
 * ctx.write(response);
 * ctx.writeAndFlush(new HttpChunkedInput(IoUringChunkedFile.of(ctx.pipeline(), file, 0, size)));
 * }</pre>
 *
 * <p>Up to {@code readAhead} reads of {@code chunkSize} bytes are in flight at once, each into a fresh
 * direct buffer of the allocator {@link ChunkedWriteHandler} passes; completed chunks are handed out in file
 * order, each buffer exactly as io_uring filled it (no copy). {@link #readChunk(ByteBufAllocator)} returns
 * null while the next chunk is still being read; when it arrives, {@code wakeUp} runs (by default
 * {@link ChunkedWriteHandler#resumeTransfer()}), so the transfer goes on. Reads are issued only from
 * {@code readChunk}, which {@code ChunkedWriteHandler} calls only while the channel is writable: memory held
 * is bounded by {@code readAhead * chunkSize} per transfer.
 *
 * <p>A read the loop refuses for being full ({@link IoUringOverloadedException}) is retried a millisecond
 * later, for up to about ten seconds; any other failure, or a file that ends early, fails the transfer on
 * the next {@code readChunk}.
 *
 * <p>Not thread-safe: every method must run on {@code executor}, which also runs the read completions
 * (the executor of the {@code ChunkedWriteHandler}). {@link #close()} releases the buffers already read,
 * lets reads in flight release theirs when they complete, and runs {@code onClose} (by default: closes the
 * file).
 */
// netty-handler is optional (requires static, not transitive): whoever uses this class requires it too.
@SuppressWarnings("exports")
public final class IoUringChunkedFile implements ChunkedInput<ByteBuf> {
    /**
     * The default chunk size: 256 KiB. Measured streaming a 64 MiB file to 4 connections (16, 64, 256 KiB x
     * read-ahead 1, 2, 4; testsuite/bench/README.md): 256 KiB chunks moved the most bytes per CPU second.
     */
    public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;
    /** The default read-ahead: two reads in flight (four measured no better, and hold twice the memory). */
    public static final int DEFAULT_READ_AHEAD = 2;
    /** Reads refused for a full loop are retried every millisecond, this many times (about ten seconds). */
    private static final int MAX_REFUSALS = 10_000;

    private final IoUringFile file;
    private final long start;
    private final long end;
    private final int chunkSize;
    private final int readAhead;
    private final EventExecutor executor;
    private final Runnable wakeUp;
    private final Runnable onClose;
    /** Reads in file order: the head is the next chunk to hand out. */
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    /** The next byte to issue a read for. */
    private long issued;
    /** Bytes handed out so far. */
    private long handedOut;
    private ByteBufAllocator allocator;
    private Throwable failure;
    private boolean closed;
    /** readChunk returned null: wake the consumer when the head completes. */
    private boolean waiting;

    private final class Slot {
        final long offset;
        final int length;
        final ByteBuf buf;
        boolean done;
        int refusals;

        Slot(long offset, int length, ByteBuf buf) {
            this.offset = offset;
            this.length = length;
            this.buf = buf;
        }
    }

    /**
     * An input of {@code length} bytes of {@code file} from {@code offset}, read {@code chunkSize} bytes at a
     * time with up to {@code readAhead} reads in flight.
     *
     * @param file      the file to read; must stay open until {@code onClose} runs
     * @param offset    the first byte
     * @param length    how many bytes, {@code >= 0}
     * @param chunkSize the most bytes per read and per chunk, {@code >= 1}
     * @param readAhead the most reads in flight, {@code >= 1}
     * @param executor  where the consumer calls this input; read completions run there too
     * @param wakeUp    run on {@code executor} when a chunk arrives that a null {@code readChunk} made wait
     * @param onClose   run once, by {@link #close()}
     */
    public IoUringChunkedFile(IoUringFile file, long offset, long length, int chunkSize, int readAhead,
                              EventExecutor executor, Runnable wakeUp, Runnable onClose) {
        this.file = Objects.requireNonNull(file, "file");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.wakeUp = Objects.requireNonNull(wakeUp, "wakeUp");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        if (offset < 0 || length < 0 || offset + length < 0) {
            throw new IllegalArgumentException("bad region: offset " + offset + ", length " + length);
        }
        if (chunkSize < 1 || readAhead < 1) {
            throw new IllegalArgumentException("chunkSize and readAhead must be >= 1: " + chunkSize + ", " + readAhead);
        }
        this.start = offset;
        this.end = offset + length;
        this.issued = offset;
        this.chunkSize = chunkSize;
        this.readAhead = readAhead;
    }

    /**
     * The region for the {@link ChunkedWriteHandler} in {@code pipeline}, with the default chunk size and
     * read-ahead; closing the input closes {@code file}.
     *
     * @param pipeline  a pipeline with a {@code ChunkedWriteHandler}, whose executor and
     *                  {@link ChunkedWriteHandler#resumeTransfer()} the input uses
     * @param file      the file to read; closed when the input is
     * @param offset    the first byte
     * @param length    how many bytes, {@code >= 0}
     * @return the input, to write to the pipeline
     * @throws IllegalArgumentException if the pipeline has no {@code ChunkedWriteHandler}, or the region is
     *         negative
     */
    public static IoUringChunkedFile of(ChannelPipeline pipeline, IoUringFile file, long offset, long length) {
        return of(pipeline, file, offset, length, DEFAULT_CHUNK_SIZE, DEFAULT_READ_AHEAD, file::close);
    }

    /**
     * The region for the {@link ChunkedWriteHandler} in {@code pipeline}; {@code onClose} runs on close.
     *
     * @param pipeline  a pipeline with a {@code ChunkedWriteHandler}, whose executor and
     *                  {@link ChunkedWriteHandler#resumeTransfer()} the input uses
     * @param file      the file to read; must stay open until {@code onClose} runs
     * @param offset    the first byte
     * @param length    how many bytes, {@code >= 0}
     * @param chunkSize the most bytes per read and per chunk, {@code >= 1}
     * @param readAhead the most reads in flight, {@code >= 1}
     * @param onClose   run once, by {@link #close()} (for example {@code file::close})
     * @return the input, to write to the pipeline
     * @throws IllegalArgumentException if the pipeline has no {@code ChunkedWriteHandler}, the region is
     *         negative, or {@code chunkSize} or {@code readAhead} is below 1
     */
    public static IoUringChunkedFile of(ChannelPipeline pipeline, IoUringFile file, long offset, long length,
                                        int chunkSize, int readAhead, Runnable onClose) {
        ChannelHandlerContext ctx = pipeline.context(ChunkedWriteHandler.class);
        if (ctx == null) {
            throw new IllegalArgumentException("no ChunkedWriteHandler in " + pipeline);
        }
        ChunkedWriteHandler handler = (ChunkedWriteHandler) ctx.handler();
        return new IoUringChunkedFile(file, offset, length, chunkSize, readAhead, ctx.executor(),
                handler::resumeTransfer, onClose);
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (closed) {
            return null;
        }
        this.allocator = allocator;
        if (failure != null) {
            throw failure instanceof Exception e ? e : new Exception(failure);
        }
        Slot head = slots.peekFirst();
        if (head != null && head.done) {
            slots.pollFirst();
            handedOut += head.length;
            fill();
            return head.buf;
        }
        fill();
        if (isEndOfInput()) {
            return null;
        }
        waiting = true;
        return null;
    }

    /** Issues reads until {@code readAhead} are pending or the region is all asked for. */
    private void fill() {
        while (failure == null && !closed && slots.size() < readAhead && issued < end) {
            int n = (int) Math.min(chunkSize, end - issued);
            ByteBuf buf = allocator.directBuffer(n, n);
            Slot slot = new Slot(issued, n, buf);
            issued += n;
            slots.addLast(slot);
            submit(slot, slot.offset);
        }
    }

    private void submit(Slot slot, long at) {
        Promise<Integer> p = executor.newPromise();
        p.addListener((Future<Integer> f) -> completed(slot, f));
        file.read(slot.buf, at, p);
    }

    private void completed(Slot slot, Future<Integer> f) {
        if (closed) {
            slot.buf.release();
            return;
        }
        if (!f.isSuccess() && f.cause() instanceof IoUringOverloadedException && ++slot.refusals <= MAX_REFUSALS) {
            // The loop holds its maximum of operations and took nothing: ask again shortly.
            long at = slot.offset + slot.buf.readableBytes();
            executor.schedule(() -> {
                if (closed) {
                    slot.buf.release();
                } else {
                    submit(slot, at);
                }
            }, 1, TimeUnit.MILLISECONDS);
            return;
        }
        if (!f.isSuccess() || f.getNow() <= 0) {
            if (failure == null) {
                failure = f.isSuccess() ? new EOFException(file + " ended at " + (slot.offset
                        + slot.buf.readableBytes()) + ", before the " + (end - start) + " bytes from " + start
                        + ": it shrank") : f.cause();
            }
            // No read in flight for it any more: close() releases its buffer. The consumer sees the
            // failure on its next readChunk (and closes us then).
            slot.done = true;
            wake();
            return;
        }
        if (slot.buf.readableBytes() < slot.length) {
            // A short read: read the rest into the same buffer.
            submit(slot, slot.offset + slot.buf.readableBytes());
            return;
        }
        slot.done = true;
        if (slots.peekFirst() == slot) {
            wake();
        }
    }

    private void wake() {
        if (waiting) {
            waiting = false;
            wakeUp.run();
        }
    }

    @Override
    public boolean isEndOfInput() {
        return handedOut == end - start;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Buffers of reads still in flight are released by completed(); those done are released here.
        for (Slot s : slots) {
            if (s.done) {
                s.buf.release();
            }
        }
        slots.clear();
        onClose.run();
    }

    @Override
    public long length() {
        return end - start;
    }

    @Override
    public long progress() {
        return handedOut;
    }

    /**
     * Reads in flight or completed and not yet handed out.
     *
     * @return the count of chunks issued and not yet returned by {@code readChunk}, at most {@code readAhead}
     */
    public int pendingChunks() {
        return slots.size();
    }
}
