package io.i2o2.file;

import io.netty.util.concurrent.DefaultPromise;

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
        super(loop.listenerExecutor());
        this.loop = loop;
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
