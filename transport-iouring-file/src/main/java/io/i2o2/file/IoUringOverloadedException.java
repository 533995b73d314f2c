package io.i2o2.file;

import java.util.concurrent.RejectedExecutionException;

/**
 * The loop already holds as many operations as it was configured for ({@link IoUringConfig#maxInFlight}):
 * the new one was not accepted and nothing was retained. Retry after some complete, slow down, or raise the
 * bound. Never thrown by blocking, only reported; {@code submitBlocking} variants wait instead.
 */
public class IoUringOverloadedException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * A refused submission.
     *
     * @param message what was refused and why
     */
    public IoUringOverloadedException(String message) {
        super(message);
    }
}
