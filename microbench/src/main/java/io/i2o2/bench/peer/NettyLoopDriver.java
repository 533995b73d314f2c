package io.i2o2.bench.peer;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;

/**
 * A workload that lives entirely on Netty's io_uring loop thread: it is registered as an
 * {@link IoUringIoHandle}, submits its first ops from a task on the loop, and each completion (delivered
 * to {@link #handle}) submits the next op, until the deadline; then the ops in flight drain and
 * {@link #done()} completes. No cross-thread traffic at all: the best case for Netty's loop. Slots travel in
 * the SQE's 16-bit {@code data}.
 */
abstract class NettyLoopDriver extends LoopWorkload implements IoUringIoHandle {
    /** The registration on the loop; set before {@link #start} runs. */
    protected IoRegistration registration;

    NettyLoopDriver(int slots) {
        super(slots);
    }

    /**
     * Runs on the loop thread: starts the clock and submits the first ops.
     *
     * @param reg          this handle's registration
     * @param durationNanos how long to keep submitting
     */
    final void begin(IoRegistration reg, long durationNanos) {
        this.registration = reg;
        begin(durationNanos);
    }

    @Override
    public final void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        completion((short) e.userData(), e.res());
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
