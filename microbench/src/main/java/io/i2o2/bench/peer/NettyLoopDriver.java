package io.i2o2.bench.peer;

import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A workload that lives entirely on Netty's io_uring loop thread: it is registered as an
 * {@link IoUringIoHandle}, submits its first ops from a task on the loop, and each completion (delivered
 * to {@link #handle}) submits the next op, until the deadline; then the ops in flight drain and
 * {@link #done()} completes. No cross-thread traffic at all: the best case for Netty's loop.
 */
abstract class NettyLoopDriver implements IoUringIoHandle {
    /** The registration on the loop; set before {@link #start} runs. */
    protected IoRegistration registration;
    /** Per-op latencies, loop thread only. */
    protected final LatencyHistogram hist = new LatencyHistogram();
    /** Submission time per slot ({@code data}), loop thread only. */
    protected final long[] started;
    protected long ops;
    protected long deadline;
    private Meter meter;
    private final CompletableFuture<Measurement> done = new CompletableFuture<>();

    NettyLoopDriver(int slots) {
        this.started = new long[slots];
    }

    /**
     * Runs on the loop thread: starts the clock and submits the first ops.
     *
     * @param reg          this handle's registration
     * @param durationNanos how long to keep submitting
     */
    final void begin(IoRegistration reg, long durationNanos) {
        this.registration = reg;
        this.meter = new Meter();
        this.deadline = System.nanoTime() + durationNanos;
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
     * @param slot the op's {@code data}
     * @param res  the CQE's result (negative errno on failure)
     * @param now  nanoTime when it was seen
     * @return true when the workload is over (nothing left in flight)
     */
    abstract boolean complete(short slot, int res, long now);

    /** Records one finished op of a slot. */
    protected final void recordOp(short slot, long now) {
        hist.record(now - started[slot]);
        ops++;
    }

    @Override
    public final void handle(IoRegistration reg, IoEvent event) {
        if (done.isDone()) {
            return;
        }
        IoUringIoEvent e = (IoUringIoEvent) event;
        try {
            if (e.res() < 0) {
                throw new IOException("op " + e.opcode() + " failed: errno " + -e.res());
            }
            if (complete((short) e.userData(), e.res(), System.nanoTime())) {
                done.complete(meter.finish(ops, hist));
            }
        } catch (IOException | RuntimeException ex) {
            done.completeExceptionally(ex);
        }
    }

    /**
     * Submits an op, failing loudly if Netty refused it (registration no longer valid).
     *
     * @param op the SQE
     */
    protected final void submit(io.netty.channel.uring.IoUringIoOps op) {
        if (registration.submit(op) == 0) {
            throw new IllegalStateException("Netty refused the op: registration cancelled");
        }
    }

    @Override
    public void close() {
        // Nothing to close: the fd and memory belong to the backend, which frees them after the loop shuts down.
    }
}
