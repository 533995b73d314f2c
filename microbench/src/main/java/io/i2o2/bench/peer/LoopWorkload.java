package io.i2o2.bench.peer;

import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The bookkeeping of a workload that lives entirely on one ring's loop thread, shared by the i2o2 and Netty
 * peers so the two measure loop for loop: the clock, per-slot submission times, latencies and the op count.
 * It submits its first ops from a task on the loop ({@link #begin}), each completion submits the next until
 * the deadline, then the ops in flight drain and {@link #done()} completes.
 */
abstract class LoopWorkload {
    /** Per-op latencies, loop thread only. */
    protected final LatencyHistogram hist = new LatencyHistogram();
    /** Submission time per slot, loop thread only. */
    protected final long[] started;
    protected long ops;
    protected long deadline;
    private Meter meter;
    private final CompletableFuture<Measurement> done = new CompletableFuture<>();
    /** The last clock reading ({@link #clock}); loop thread only. */
    private long now;

    LoopWorkload(int slots) {
        this.started = new long[slots];
    }

    /**
     * Runs on the loop thread: starts the clock and submits the first ops.
     *
     * @param durationNanos how long to keep submitting
     */
    final void begin(long durationNanos) {
        meter = new Meter();
        now = System.nanoTime();
        deadline = now + durationNanos;
        try {
            start(now);
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
     * @param slot the op's slot
     * @param res  the result (a byte count; never negative here)
     * @param now  nanoTime when it was seen
     * @return true when the workload is over (nothing left in flight)
     * @throws IOException if the result is not what the op asked for (a short read)
     */
    abstract boolean complete(int slot, int res, long now) throws IOException;

    /**
     * The time a completion of {@code slot} is seen, read as the C peer reads it: once per reaped batch, not
     * per op (a read per op, ~20 ns here, was 16% of the loop-thread NOP path, and no part of any ring's
     * cost). The clock is read again only when the completing op started at the last reading: an op
     * submitted under a reading completes in a later reap, so that reading is at least one batch old;
     * otherwise the completion belongs to the batch the reading was taken in. Drivers start each op at the
     * time they are given, so one reading serves the completions and resubmissions of a batch alike.
     */
    private long clock(int slot) {
        if (slot < 0 || slot >= started.length || started[slot] == now) {     // a tag of its own (fdatasync): read
            now = System.nanoTime();
        }
        return now;
    }

    /** Records one finished op of a slot. */
    protected final void recordOp(int slot, long now) {
        hist.record(now - started[slot]);
        ops++;
    }

    /** Ends the workload with a failure (a completion the driver cannot go on from). */
    protected final void fail(Throwable cause) {
        done.completeExceptionally(cause);
    }

    /**
     * Hands one completion to {@link #complete}, ending the trial on a failed op or an exception: a completion
     * handler's exception would only be logged by the loop.
     *
     */
    protected final void completion(int slot, int res) {
        if (done.isDone()) {
            return;         // failed already: let the rest drain
        }
        try {
            if (res < 0) {
                // Built only on failure: a string per op would be measured as part of every backend's op.
                throw new IOException("op of slot " + slot + " failed: errno " + -res);
            }
            if (complete(slot, res, clock(slot))) {
                done.complete(meter.finish(ops, hist));
            }
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
