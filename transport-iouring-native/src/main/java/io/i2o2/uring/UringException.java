package io.i2o2.uring;

import java.io.IOException;

/**
 * A failed io_uring system call: which call, the error number, and what was asked, with the likely
 * cause spelled out for the errors that have a well-known one (io_uring disabled, memlock, a flag or an
 * opcode this kernel lacks).
 */
public class UringException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The call that failed, with its arguments. */
    private final String call;
    /** The positive error number. */
    private final int errno;

    /**
     * A failure of {@code call} with {@code errno}.
     *
     * @param call   the call that failed, with its arguments, e.g. {@code "io_uring_setup(entries=128, flags=SQE128)"}
     * @param errno  the positive error number
     * @param detail what it means here; {@code null} for the plain description
     */
    public UringException(String call, int errno, String detail) {
        super(call + " failed: " + Errno.format(errno) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errno = Math.abs(errno);
    }

    /**
     * The failed call and its arguments.
     *
     * @return the failed call and its arguments
     */
    public String call() {
        return call;
    }

    /**
     * The positive error number.
     *
     * @return the positive error number
     */
    public int errno() {
        return errno;
    }

    /**
     * The error's symbolic name, such as {@code "EINVAL"}.
     *
     * @return the error's symbolic name, such as {@code "EINVAL"}
     */
    public String errnoName() {
        return Errno.name(errno);
    }
}
