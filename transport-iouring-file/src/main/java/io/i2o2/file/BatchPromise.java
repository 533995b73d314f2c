package io.i2o2.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The future of a submitted {@link BatchedOps}: succeeds once every op of the batch has ended, each with its own
 * result, and fails only when the batch was refused whole. Its ops tell it as they end ({@link #opEnded}: the
 * loop thread, or whoever fails them when the loop is gone), so it counts them down atomically.
 *
 * <p>Cancelling it keeps the ops that have not entered the ring out of it: each checks its batch as it enters
 * ({@link OpSlot#enterRing()}) and, found cancelled, completes without the kernel (its future cancelled, its
 * callback called with {@code -ECANCELED}); ops already in the ring run to their end, their buffers pinned until
 * then. The batch's future itself is cancelled at once, as any Netty future is.
 */
final class BatchPromise extends IoPromise<Void> {
    private static final VarHandle LEFT;

    static {
        try {
            LEFT = MethodHandles.lookup().findVarHandle(BatchPromise.class, "left", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Ops of the batch that have not ended yet. */
    @SuppressWarnings("unused")     // through LEFT
    private volatile int left;

    /** The future of a batch of {@code ops} ops. */
    BatchPromise(FileIoCore core, int ops) {
        super(core);
        this.left = ops;
    }

    /** One op of the batch ended (completed, failed or cancelled): the last one completes the batch. */
    void opEnded() {
        if ((int) LEFT.getAndAdd(this, -1) == 1) {
            trySuccess(null);
        }
    }

    /** True until the batch is done: ops not yet in the ring are then kept out. */
    @Override
    public boolean isCancellable() {
        return !isDone();
    }

    /**
     * Cancels the batch: its ops that have not entered the ring never will (they complete with
     * {@code ECANCELED}); those in it run to their end.
     *
     * @return true if this call cancelled the batch's future
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancelPromise(mayInterruptIfRunning);
    }
}
