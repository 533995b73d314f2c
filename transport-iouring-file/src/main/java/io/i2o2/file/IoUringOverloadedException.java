package io.i2o2.file;

import java.util.concurrent.RejectedExecutionException;

/**
 * The loop already holds as many operations as it was configured for ({@link IoUringConfig#maxInFlight}):
 * the new one was not accepted and nothing was retained. Retry after some complete, slow down, or raise the
 * bound. Never thrown by blocking, only reported; {@code submitBlocking} variants wait instead. Deprecated: the
 * library refuses with {@link FileIoOverloadedException}, which extends this class.
 *
 * @deprecated catch {@link FileIoOverloadedException}; this old name is its superclass until it is removed, so
 *             catch blocks on it keep working
 */
@Deprecated(since = "0.1.0")
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
