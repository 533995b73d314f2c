package io.i2o2.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link IoPromise} for {@code int} results that never boxes on the completion path: the value is kept
 * in a field and the promise completes with {@code null} underneath; the {@code Integer} views box on
 * demand. That keeps an operation on the Future API at one allocated object, this promise.
 *
 * <p>The value is written only by whoever wins {@link #SETTING}, before the completion is published, so a
 * completed future's value never changes, however many threads try to complete it.
 */
final class IntPromise extends IoPromise<Integer> implements IntFuture {
    private static final VarHandle SETTING;

    static {
        try {
            SETTING = MethodHandles.lookup().findVarHandle(IntPromise.class, "setting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private int value;
    @SuppressWarnings("unused")
    private volatile int setting;

    IntPromise(FileIoCore core) {
        super(core);
    }

    /** Completes with {@code result}; false if already done (cancelled, failed, or succeeded before). */
    boolean trySucceed(int result) {
        if (isDone() || !SETTING.compareAndSet(this, 0, 1)) {
            return false;
        }
        // Written before the volatile completion, so anyone who sees success sees the value.
        value = result;
        return super.trySuccess(null);
    }

    @Override
    boolean succeed(int res, Object ignored) {
        return trySucceed(res);
    }

    @Override
    public int resultAsInt() {
        if (!isSuccess()) {
            throw new IllegalStateException("no result: " + (isDone() ? "failed: " + cause() : "not done"));
        }
        return value;
    }

    @Override
    public boolean trySuccess(Integer result) {
        return trySucceed(result);
    }

    @Override
    public IntPromise setSuccess(Integer result) {
        if (!trySucceed(result)) {
            throw new IllegalStateException("complete already: " + this);
        }
        return this;
    }

    @Override
    public Integer getNow() {
        return isSuccess() ? value : null;
    }

    @Override
    public Integer get() throws InterruptedException, ExecutionException {
        super.get();
        return value;
    }

    @Override
    public Integer get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
            TimeoutException {
        super.get(timeout, unit);
        return value;
    }

    @Override
    public String toString() {
        return isSuccess() ? "IntFuture(success: " + value + ")" : super.toString();
    }
}
