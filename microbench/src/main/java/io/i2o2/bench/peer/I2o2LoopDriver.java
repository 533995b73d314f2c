package io.i2o2.bench.peer;

import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import io.i2o2.file.IoCallback;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A workload that lives entirely on the i2o2 loop's thread, through the library's allocation-free callback
 * API: it submits its first ops from a task on the loop, and each completion ({@link #onComplete}, tag =
 * the op's slot) submits the next op, until the deadline; then the ops in flight drain and {@link #done()}
 * completes. The same shape as the Netty peer's {@code NettyLoopDriver}, so the two compare loop for loop.
 */
abstract class I2o2LoopDriver implements IoCallback {
    /** Per-op latencies, loop thread only. */
    protected final LatencyHistogram hist = new LatencyHistogram();
    /** Submission time per slot, loop thread only. */
    protected final long[] started;
    protected long ops;
    protected long deadline;
    private Meter meter;
    private final CompletableFuture<Measurement> done = new CompletableFuture<>();

    I2o2LoopDriver(int slots) {
        this.started = new long[slots];
    }

    /**
     * Runs on the loop thread: starts the clock and submits the first ops.
     *
     * @param durationNanos how long to keep submitting
     */
    final void begin(long durationNanos) {
        meter = new Meter();
        deadline = System.nanoTime() + durationNanos;
        try {
            start(System.nanoTime());
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /** The measurement, once the last op has completed. */
    final CompletableFuture<Measurement> done() {
        return done;
    }

    /** Submits the first ops. */
    abstract void start(long now);

    /**
     * One completion.
     *
     * @param slot the op's slot (its tag)
     * @param res  the result (a byte count; never negative here)
     * @param now  nanoTime when it was seen
     * @return true when the workload is over (nothing left in flight)
     * @throws IOException if the result is not what the op asked for (a short read)
     */
    abstract boolean complete(int slot, int res, long now) throws IOException;

    /** Records one finished op of a slot. */
    protected final void recordOp(int slot, long now) {
        hist.record(now - started[slot]);
        ops++;
    }

    /** Ends the workload with a failure (a completion the driver cannot go on from). */
    protected final void fail(Throwable cause) {
        done.completeExceptionally(cause);
    }

    @Override
    public final void onComplete(int result, long tag) {
        if (done.isDone()) {
            return;         // failed already: let the rest drain
        }
        try {
            if (result < 0) {
                throw new IOException("op of slot " + tag + " failed: errno " + -result);
            }
            if (complete((int) tag, result, System.nanoTime())) {
                done.complete(meter.finish(ops, hist));
            }
        } catch (IOException | RuntimeException e) {
            // A callback's exception is only logged by the loop: end the trial here instead.
            done.completeExceptionally(e);
        }
    }
}
