package io.i2o2.uring;

/**
 * Receives completion queue entries from {@link CompletionQueue#reap}. Called on the reaping thread for
 * each CQE in order; the entry is consumed whether or not the call returns normally.
 */
@FunctionalInterface
public interface CompletionHandler {
    /**
     * One completion.
     *
     * @param userData the {@code user_data} of the request
     * @param res      the result: what the equivalent system call returns, or {@code -errno}
     * @param flags    {@code IORING_CQE_F_*}
     * @param extra0   first 8 of the 16 extra bytes of a 32-byte CQE ({@link SetupFlag#CQE32}); 0 otherwise
     * @param extra1   last 8 of the 16 extra bytes; 0 otherwise
     */
    void onCompletion(long userData, int res, int flags, long extra0, long extra1);
}
