package io.i2o2.file;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The promise an operation method returns: a Netty {@link DefaultPromise} that knows its operation.
 *
 * <p>{@link #cancel} succeeds only while the op has not entered the ring: the loop then drops it without
 * the kernel ever seeing it. Once the loop writes the op into an SQE it makes the promise uncancellable
 * first ({@link #setUncancellable()}), so a cancel that comes later returns false and asks the kernel to
 * stop the op instead ({@code IORING_OP_ASYNC_CANCEL}); if the kernel does, the future fails with
 * {@code ECANCELED}. Either way the op's buffers stay pinned until the kernel is done with them.
 */
non-sealed class IoPromise<V> extends DefaultPromise<V> implements Target {
    private final FileIoCore core;
    private int slot = -1;
    private int generation;

    IoPromise(FileIoCore core) {
        super(core.executor());
        this.core = core;
    }

    /**
     * The loop while it runs tasks; afterwards the global executor. A promise notifies listeners added from
     * another thread through a task on its executor, and a shut-down loop refuses tasks: Netty then logs
     * "Failed to submit a listener notification task" and drops the listener. Futures failed because the
     * loop is gone (refused submissions, ops drained at shutdown) would never call theirs, and a listener
     * that releases a buffer would leak it.
     */
    @Override
    protected EventExecutor executor() {
        EventExecutor loop = super.executor();
        return loop.isShutdown() ? GlobalEventExecutor.INSTANCE : loop;
    }

    /** Records which table slot runs this promise's operation, for cancellation. */
    @Override
    public final void bound(OpSlot op) {
        this.slot = op.index;
        this.generation = op.generation;
    }

    @Override
    public final boolean enterRing() {
        return setUncancellable();
    }

    /** Completes the promise with a successful result: {@code value} for object results, else {@code res}. */
    @SuppressWarnings("unchecked")
    boolean succeed(int res, Object value) {
        return trySuccess((V) value);
    }

    @Override
    public void refuse(Throwable cause) {
        tryFailure(cause);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (super.cancel(mayInterruptIfRunning)) {
            return true;
        }
        if (!isDone() && slot >= 0) {
            core.cancel(slot, generation);
        }
        return false;
    }
}
