package io.i2o2.bench.peer;

import io.i2o2.file.BatchedOps;
import io.i2o2.file.IoCallback;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One thread's random reads handed to the loop as {@link BatchedOps} batches, through the callback form: a
 * number of batch slots of {@code size} reads each, a buffer of its own per read, random block-aligned offsets
 * drawn on the thread itself (one instance per thread, as the batch it reuses must be built on one thread at a
 * time). Every read reports to this object, its index among the thread's reads as the tag, and its result is
 * kept; the thread waits for the batch's future, which succeeds only after every read's callback has run, and
 * then checks the results. Nothing is allocated per read; per batch, its future.
 */
final class BatchReads implements IoCallback {
    private final BatchedOps batch;
    private final IoUringFile file;
    private final ByteBuf[] buffers;
    private final int size;
    private final int bs;
    private final long blocks;
    /** Each read's result: written on the loop thread, read once the batch's future is done (which publishes it). */
    private final int[] results;
    private final SplittableRandom random = new SplittableRandom(0x2024);

    /**
     * @param batch   this thread's batch, from the file's loop ({@code FileIo.batch()})
     * @param file    the data file
     * @param buffers a buffer of {@code bs} bytes per read, {@code size} per slot (so the slots are
     *                {@code buffers.size() / size})
     * @param size    reads per batch
     * @param bs      the read size
     * @param blocks  the number of {@code bs} blocks in the file
     */
    BatchReads(BatchedOps batch, IoUringFile file, List<ByteBuf> buffers, int size, int bs, long blocks) {
        this.batch = batch;
        this.file = file;
        this.buffers = buffers.toArray(ByteBuf[]::new);
        this.size = size;
        this.bs = bs;
        this.blocks = blocks;
        this.results = new int[this.buffers.length];
    }

    /** How many batches this thread can have in flight at once: one per slot. */
    int slots() {
        return buffers.length / size;
    }

    /**
     * Adds the slot's reads to the batch, at fresh random offsets, and hands them to the loop as one.
     *
     * @param slot the batch slot
     * @return done when every read of the batch has ended
     */
    Future<Void> submit(int slot) {
        for (int i = slot * size, end = i + size; i < end; i++) {
            batch.read(file, buffers[i].clear(), random.nextLong(blocks) * bs, this, i);
        }
        return batch.submit();
    }

    /**
     * Checks a batch that has ended: every read must have read a whole block.
     *
     * @param slot the batch slot
     * @param done its future, done
     * @throws IllegalStateException if the batch or one of its reads failed
     */
    void check(int slot, Future<?> done) {
        if (!done.isSuccess()) {
            throw new IllegalStateException("batch failed: " + done.cause(), done.cause());
        }
        for (int i = slot * size, end = i + size; i < end; i++) {
            if (results[i] != bs) {
                throw new IllegalStateException("read returned " + results[i] + ", expected " + bs);
            }
        }
    }

    @Override
    public void onComplete(int result, long tag) {
        results[(int) tag] = result;
    }
}
