package io.i2o2.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link IoUringLoopMetrics}. The loop's own (submitted, completed, failed, cancelled)
 * have one writer, the loop thread, and are written with opaque stores so that readers on other threads see
 * whole values without a fence on the hot path. The rare ones that any thread touches are adders.
 */
final class LoopCounters {
    private static final VarHandle SUBMITTED;
    private static final VarHandle COMPLETED;
    private static final VarHandle FAILED;
    private static final VarHandle CANCELLED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SUBMITTED = l.findVarHandle(LoopCounters.class, "submitted", long.class);
            COMPLETED = l.findVarHandle(LoopCounters.class, "completed", long.class);
            FAILED = l.findVarHandle(LoopCounters.class, "failed", long.class);
            CANCELLED = l.findVarHandle(LoopCounters.class, "cancelled", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private long submitted;
    @SuppressWarnings("unused")
    private long completed;
    @SuppressWarnings("unused")
    private long failed;
    @SuppressWarnings("unused")
    private long cancelled;
    final LongAdder refusedOverload = new LongAdder();
    final LongAdder refusedShutdown = new LongAdder();
    final LongAdder wakeupsSent = new LongAdder();

    /** Loop thread: an op went into the ring. */
    void submitted() {
        SUBMITTED.setOpaque(this, (long) SUBMITTED.getOpaque(this) + 1);
    }

    /** Loop thread (or, once the loop is gone, whoever fails what is left): an op ended. */
    void ended(boolean ok, boolean cancelledResult) {
        VarHandle counter = ok ? COMPLETED : cancelledResult ? CANCELLED : FAILED;
        counter.setOpaque(this, (long) counter.getOpaque(this) + 1);
    }

    IoUringLoopMetrics snapshot(int inFlight, int queued, long cqOverflows, IoEngine engine, int workerThreads) {
        return new IoUringLoopMetrics((long) SUBMITTED.getOpaque(this), (long) COMPLETED.getOpaque(this),
                (long) FAILED.getOpaque(this), (long) CANCELLED.getOpaque(this), refusedOverload.sum(),
                refusedShutdown.sum(), inFlight, queued, cqOverflows, wakeupsSent.sum(), engine, workerThreads);
    }
}
