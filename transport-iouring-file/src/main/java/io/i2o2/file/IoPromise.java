package io.i2o2.file;

import io.netty.util.concurrent.BlockingOperationException;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Promise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The promise an operation method returns: a Netty {@link DefaultPromise} that knows its operation.
 *
 * <p>{@link #cancel} succeeds only while the op has not entered the ring: the loop then drops it without
 * the kernel ever seeing it. Before the loop writes the op into an SQE it takes it through its slot's gate
 * ({@link OpSlot#enterGate()}), so a cancel that comes later returns false and asks the kernel to
 * stop the op instead ({@code IORING_OP_ASYNC_CANCEL}); if the kernel does, the future fails with
 * {@code ECANCELED}. Either way the op's buffers stay pinned until the kernel is done with them.
 */
non-sealed class IoPromise<V> extends DefaultPromise<V> implements Target {
    private static final VarHandle WAITER;

    static {
        try {
            WAITER = MethodHandles.lookup().findVarHandle(IoPromise.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FileIoCore core;
    private int slot = -1;
    private int generation;
    /**
     * The one thread blocked in {@link #await()} and friends, parked rather than in {@code Object.wait()}: a
     * Netty promise's monitor wait inflates a monitor per promise, which for thousands of virtual threads each
     * awaiting its own op cost more than the ops. A second concurrent waiter takes the monitor way.
     */
    @SuppressWarnings("unused")
    private volatile Thread waiter;

    IoPromise(FileIoCore core) {
        // Listeners run on the loop while it is sure to run them, else on GlobalEventExecutor: see
        // ListenerExecutor. A plain loop executor would drop those whose notification the loop refuses or
        // accepts too late as it shuts down, and a listener that releases a buffer would leak it.
        super(core.listenerExecutor);
        this.core = core;
    }

    /** Records which table slot runs this promise's operation, for cancellation. */
    @Override
    public final void bound(OpSlot op) {
        this.slot = op.index;
        this.generation = op.generation;
    }

    @Override
    public final boolean enterRing(OpSlot op) {
        return op.enterGate();
    }

    @Override
    public final void dropped() {
        // The canceller shut the gate and cancels this promise too; whoever gets there first wins.
        cancelPromise(false);
    }

    /** Cancels this promise itself, whatever its op does: true if this call cancelled it. */
    final boolean cancelPromise(boolean mayInterruptIfRunning) {
        return woke(super.cancel(mayInterruptIfRunning));
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
    public final boolean deliverSuccess(OpKind.Result result, int res, Object value, IoCallback callback, long tag) {
        return succeed(res, value);
    }

    @Override
    public final void deliverFailure(int res, Throwable failure, IoCallback callback, long tag) {
        tryFailure(failure);
    }

    // ---- completion wakes the parked waiter ----

    @Override
    public boolean trySuccess(V result) {
        return woke(super.trySuccess(result));
    }

    @Override
    public Promise<V> setSuccess(V result) {
        super.setSuccess(result);
        woke(true);
        return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        return woke(super.tryFailure(cause));
    }

    @Override
    public Promise<V> setFailure(Throwable cause) {
        super.setFailure(cause);
        woke(true);
        return this;
    }

    /** After a completion (a volatile write), looks for a parked waiter: it looked at the state after parking in. */
    private boolean woke(boolean completed) {
        if (completed) {
            Thread t = waiter;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
        return completed;
    }

    // ---- waiting without a monitor ----

    @Override
    public Promise<V> await() throws InterruptedException {
        if (!isDone()) {
            if (Thread.interrupted()) {
                throw new InterruptedException(toString());
            }
            if (!park(true, 0)) {
                return super.await();
            }
        }
        return this;
    }

    @Override
    public Promise<V> awaitUninterruptibly() {
        try {
            if (!isDone() && !park(false, 0)) {
                return super.awaitUninterruptibly();
            }
        } catch (InterruptedException cannot) {
            throw new AssertionError("an uninterruptible park threw", cannot);
        }
        return this;
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        if (isDone()) {
            return true;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException(toString());
        }
        long nanos = unit.toNanos(timeout);
        if (nanos <= 0) {
            return false;
        }
        return park(true, nanos) ? isDone() : super.await(timeout, unit);
    }

    /**
     * Waits until done (or {@code nanos} passed, when {@code > 0}): a short spin first when this thread waits alone
     * ({@link WaiterSpin}), then parked.
     *
     * @return false if another thread is already parked here: the caller waits the monitor way instead
     * @throws InterruptedException if interruptible and interrupted
     */
    private boolean park(boolean interruptible, long nanos) throws InterruptedException {
        if (executor().inEventLoop()) {
            throw new BlockingOperationException(toString());
        }
        long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
        WaiterSpin.started();
        try {
            return WaiterSpin.until(this, deadline) || parkUntil(interruptible, nanos, deadline);
        } finally {
            WaiterSpin.stopped();
        }
    }

    /** {@link #park}'s park, after the spin: false if another thread is already parked here. */
    private boolean parkUntil(boolean interruptible, long nanos, long deadline) throws InterruptedException {
        Thread me = Thread.currentThread();
        if (!WAITER.compareAndSet(this, null, me)) {
            return false;
        }
        boolean interrupted = false;
        try {
            while (!isDone()) {
                if (nanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException(toString());
                    }
                    interrupted = true;
                }
            }
        } finally {
            waiter = null;
            if (interrupted) {
                me.interrupt();
            }
        }
        return true;
    }

    /** True only while {@link #cancel} would still keep the op out of the ring. */
    @Override
    public boolean isCancellable() {
        return slot >= 0 && !isDone() && core.table.slot(slot).gateOpen(generation);
    }

    /**
     * Cancels the op if it has not entered the ring: the loop drops it when it takes it (its slot's gate, not
     * this promise, is what the two race on). Once in the ring: false, and the kernel is asked to stop it.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (slot < 0) {
            // Never bound to a slot: completed already (a refusal) or about to be, never in the ring.
            return false;
        }
        if (core.table.slot(slot).cancelBeforeRing(generation)) {
            cancelPromise(mayInterruptIfRunning);
            // The op will never take effect; the loop may have completed this promise as cancelled first,
            // or a refusal (shutdown) failed it.
            return isCancelled();
        }
        if (!isDone()) {
            core.cancel(slot, generation);
        }
        return false;
    }
}
