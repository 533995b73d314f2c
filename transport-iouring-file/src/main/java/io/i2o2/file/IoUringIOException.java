package io.i2o2.file;

import io.i2o2.uring.Errno;

import java.io.IOException;

/**
 * An operation the kernel failed: which operation, on which file descriptor and offset, and the error
 * number it returned. Deprecated: the library throws {@link FileIoException}, which extends this class.
 *
 * @deprecated catch {@link FileIoException}; this old name is its superclass until it is removed, so catch
 *             blocks on it keep working
 */
@Deprecated(since = "0.1.0")
public class IoUringIOException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The operation that failed. */
    private final String op;
    /** The positive error number. */
    private final int errno;
    /** The file descriptor or registered slot, -1 for none. */
    private final int fd;
    /** The file offset, -1 for none. */
    private final long offset;

    /**
     * A failed operation.
     *
     * @param op     the operation, e.g. {@code "read"}
     * @param errno  the positive error number
     * @param fd     the file descriptor (or registered slot), -1 for none
     * @param offset the file offset, -1 for none
     * @param detail what the operation was about (a path), or null
     */
    public IoUringIOException(String op, int errno, int fd, long offset, String detail) {
        super(op + "(" + (fd >= 0 ? "fd=" + fd : "") + (offset >= 0 ? (fd >= 0 ? ", " : "") + "offset=" + offset : "")
                + (detail == null ? "" : (fd >= 0 || offset >= 0 ? ", " : "") + detail) + ") failed: "
                + Errno.format(errno));
        this.op = op;
        this.errno = Math.abs(errno);
        this.fd = fd;
        this.offset = offset;
    }

    /**
     * The operation that failed, e.g. {@code "read"}.
     *
     * @return the operation that failed, e.g. {@code "read"}
     */
    public String op() {
        return op;
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
     * The error's symbolic name, e.g. {@code "EBADF"}.
     *
     * @return the error's symbolic name, e.g. {@code "EBADF"}
     */
    public String errnoName() {
        return Errno.name(errno);
    }

    /**
     * The file descriptor or registered slot, or -1.
     *
     * @return the file descriptor or registered slot, or -1
     */
    public int fd() {
        return fd;
    }

    /**
     * The file offset, or -1.
     *
     * @return the file offset, or -1
     */
    public long offset() {
        return offset;
    }
}
