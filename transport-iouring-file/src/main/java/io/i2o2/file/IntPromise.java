package io.i2o2.file;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link IoPromise} for {@code int} results that never boxes on the completion path: the loop keeps the
 * value in a field and completes the promise with {@code null} underneath; the {@code Integer} views box on
 * demand. That keeps an operation on the Future API at one allocated object, this promise.
 *
 * <p>A completed future's value never changes, with no extra atomic on the loop's path: the loop writes
 * {@link #value} and then completes with {@code null}; anyone else completing it (through
 * {@code trySuccess(Integer)} on a cast) completes it with the boxed value itself. Whichever completion wins
 * decides what every reader sees: a non-null boxed result is someone else's value, a null one is
 * {@link #value}, which only the loop writes and only before its own completion.
 */
final class IntPromise extends IoPromise<Integer> implements IntFuture {
    private int value;

    IntPromise(FileIoCore core) {
        super(core);
    }

    /** The loop's completion with {@code result}; false if already done (cancelled, failed, completed). */
    boolean trySucceed(int result) {
        if (isDone()) {
            return false;
        }
        // Written before the volatile completion, so anyone who sees it succeed with null sees the value. If
        // another completion wins the race, this write is never read: its result is not null.
        value = result;
        return super.trySuccess(null);
    }

    @Override
    boolean succeed(int res, Object ignored) {
        return trySucceed(res);
    }

    private int valueOf(Integer boxed) {
        return boxed != null ? boxed : value;
    }

    @Override
    public int resultAsInt() {
        if (!isSuccess()) {
            throw new IllegalStateException("no result: " + (isDone() ? "failed: " + cause() : "not done"));
        }
        return valueOf(super.getNow());
    }

    @Override
    public boolean trySuccess(Integer result) {
        return super.trySuccess(java.util.Objects.requireNonNull(result, "result"));
    }

    @Override
    public IntPromise setSuccess(Integer result) {
        if (!trySuccess(result)) {
            throw new IllegalStateException("complete already: " + this);
        }
        return this;
    }

    @Override
    public Integer getNow() {
        return isSuccess() ? valueOf(super.getNow()) : null;
    }

    @Override
    public Integer get() throws InterruptedException, ExecutionException {
        return valueOf(super.get());
    }

    @Override
    public Integer get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
            TimeoutException {
        return valueOf(super.get(timeout, unit));
    }

    @Override
    public String toString() {
        return isSuccess() ? "IntFuture(success: " + getNow() + ")" : super.toString();
    }
}
