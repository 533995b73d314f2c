package io.i2o2.file;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The promise an operation method returns: a Netty {@link DefaultPromise} that knows its operation, so that
 * {@link #cancel} also asks the kernel to stop it ({@code IORING_OP_ASYNC_CANCEL}).
 *
 * <p>Cancelling completes the promise at once; the operation's buffers stay pinned until its CQE arrives,
 * because only then is the kernel done with them.
 */
class IoPromise<V> extends DefaultPromise<V> {
    private final IoUringEventLoop loop;
    private int slot = -1;
    private int generation;

    IoPromise(IoUringEventLoop loop) {
        super(loop);
        this.loop = loop;
    }

    /**
     * The loop while it runs tasks; afterwards the global executor. A promise notifies listeners added from
     * another thread through a task on its executor, and a shut-down loop refuses tasks: Netty then logs
     * "Failed to submit a listener notification task" and drops the listener. Futures failed because the
     * loop is gone (refused submissions, ops of a loop that died) would never call theirs, and a listener
     * that releases a buffer would leak it.
     */
    @Override
    protected EventExecutor executor() {
        return loop.isShutdown() ? GlobalEventExecutor.INSTANCE : loop;
    }

    /** Records which table slot runs this promise's operation, for cancellation. */
    final void bind(OpSlot op) {
        this.slot = op.index;
        this.generation = op.generation;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(mayInterruptIfRunning)) {
            return false;
        }
        if (slot >= 0) {
            loop.cancelOp(slot, generation);
        }
        return true;
    }
}
