package io.i2o2.bench.peer;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoUringFile;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.util.SplittableRandom;

/**
 * The latency workload as a blocking caller sees it: one plain thread submits a 4 KiB read at a random
 * offset through the Future API ({@code file.read(buf, offset)}), waits for its future (spin, then park:
 * {@link Producers#await}), and repeats. Latency is from just before the submission to when the thread saw
 * the completion, as for every other row; it includes the hand-over to the loop and the wake-ups both ways,
 * which the loop-thread QD1 row (the C and Netty definition) does not.
 */
final class I2o2FutureReads implements Producers.SlotOps {
    private final IoUringFile file;
    private final ByteBuf buffer;
    private final int bs;
    private final long blocks;
    private final SplittableRandom random = new SplittableRandom(0x2022);

    private I2o2FutureReads(IoUringFile file, ByteBuf buffer, int bs, long blocks) {
        this.file = file;
        this.buffer = buffer;
        this.bs = bs;
        this.blocks = blocks;
    }

    /**
     * Runs the trial from one platform thread at QD1.
     *
     * @param file   the data file
     * @param buffer a buffer of exactly {@code bs} bytes
     * @param bs     the read size
     * @param env    the duration and file size
     * @return the measurement
     * @throws Exception if a read failed
     */
    static Measurement run(IoUringFile file, ByteBuf buffer, int bs, BenchEnv env) throws Exception {
        I2o2FutureReads reads = new I2o2FutureReads(file, buffer, bs, env.blocks(bs));
        return Producers.run(1, ThreadKind.PLATFORM, 1, env.durationNanos(), (p, window) -> reads);
    }

    @Override
    public IntFuture submit(int slot) {
        return file.read(buffer.clear(), random.nextLong(blocks) * bs);
    }

    @Override
    public void completed(Future<?> future) {
        Producers.SlotOps.super.completed(future);
        int n = ((IntFuture) future).resultAsInt();
        if (n != bs) {
            throw new IllegalStateException("short read: " + n);
        }
    }
}
