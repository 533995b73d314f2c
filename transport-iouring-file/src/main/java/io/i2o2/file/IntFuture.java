package io.i2o2.file;

import io.netty.util.concurrent.Future;

/**
 * The future of an operation whose result is an {@code int} (a byte count, 0, a descriptor): a Netty
 * {@link Future Future&lt;Integer&gt;} that also hands the result out unboxed, so reading it allocates
 * nothing. Listeners run on the loop's thread.
 */
public interface IntFuture extends Future<Integer> {
    /**
     * The result of a successful operation, unboxed.
     *
     * @return the result of a successful operation, unboxed
     * @throws IllegalStateException if the operation has not completed successfully
     */
    int resultAsInt();
}
