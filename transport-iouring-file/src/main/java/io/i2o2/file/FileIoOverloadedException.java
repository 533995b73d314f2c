package io.i2o2.file;

/**
 * The loop already holds as many operations as it was configured for ({@link IoUringConfig#maxInFlight}):
 * the new one was not accepted and nothing was retained. Retry after some complete, slow down, or raise the
 * bound. Never thrown by blocking, only reported; {@code submitBlocking} variants wait instead. This is what
 * the library refuses with; the name says no io_uring because the portable engine to come refuses the same way.
 */
@SuppressWarnings("deprecation")    // extends the old name so that catch blocks on it keep working
public class FileIoOverloadedException extends IoUringOverloadedException {
    private static final long serialVersionUID = 1L;

    /**
     * A refused submission.
     *
     * @param message what was refused and why
     */
    public FileIoOverloadedException(String message) {
        super(message);
    }
}
