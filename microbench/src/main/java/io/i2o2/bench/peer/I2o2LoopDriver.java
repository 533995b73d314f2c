package io.i2o2.bench.peer;

import io.i2o2.file.FileIo;
import io.i2o2.file.IoCallback;

/**
 * A {@link LoopWorkload} on the i2o2 loop's thread, through the library's allocation-free callback API: each
 * completion arrives in {@link #onComplete} with the op's slot as its tag. The same shape as the Netty peer's
 * {@code NettyLoopDriver}.
 */
abstract class I2o2LoopDriver extends LoopWorkload implements IoCallback {
    I2o2LoopDriver(int slots) {
        super(slots);
    }

    /** The loop whose thread this driver submits from and completes on. */
    abstract FileIo loop();

    @Override
    public final void onComplete(int result, long tag) {
        completion((int) tag, result);
    }
}
