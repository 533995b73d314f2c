package io.i2o2.file;

/**
 * The allocation-free way to learn an operation's result: called once, on the loop's thread, when the
 * operation's CQE arrives (after pinned buffers are released and, for reads and writes, their indexes
 * advanced).
 *
 * <p>Reuse one callback object for many operations and tell them apart by {@code tag}, a number you pass
 * at submission; nothing is allocated per operation on this path. Exceptions thrown here are logged and
 * never reach the loop.
 */
@FunctionalInterface
public interface IoCallback {
    /**
     * Called once with the operation's result, on the loop thread.
     *
     * @param result what the system call returns ({@code pread(2)}'s byte count, ...), or {@code -errno}
     * @param tag    the value given at submission
     */
    void onComplete(int result, long tag);
}
