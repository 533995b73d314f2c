package io.i2o2.file;

/** An operation on an {@link IoUringFile} after {@link IoUringFile#close()}: nothing was submitted. */
public class ClosedFileException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * A closed-file failure.
     *
     * @param message which file
     */
    public ClosedFileException(String message) {
        super(message);
    }
}
