package io.i2o2.bench.jmh;

import io.i2o2.file.IntFuture;
import io.i2o2.file.IoCallback;

/**
 * {@code IORING_OP_NOP} through an i2o2 loop ({@code loop.nop()} / {@code loop.nop(callback, tag)}): the cost
 * of the submission path itself. See {@link LoopOpBenchmark} for the three shapes.
 */
public class I2o2NopBenchmark extends LoopOpBenchmark {

    /** For JMH. */
    public I2o2NopBenchmark() {
    }

    @Override
    protected void prepare(int slots) {
    }

    @Override
    protected void release() {
    }

    @Override
    protected IntFuture submit(int slot) {
        return loop.nop();
    }

    @Override
    protected void submit(int slot, IoCallback callback) {
        loop.nop(callback, slot);
    }

    @Override
    protected int expected() {
        return 0;
    }
}
