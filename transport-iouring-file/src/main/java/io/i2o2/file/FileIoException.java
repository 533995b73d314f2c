package io.i2o2.file;

/**
 * An operation the kernel failed: which operation, on which file descriptor and offset, and the error
 * number it returned. This is what the library throws and fails futures with (its accessors, {@link #errno()}
 * and the rest, come from its superclass). The name says no io_uring because a portable engine, running the
 * same operations as blocking system calls, will fail them with this same type.
 */
@SuppressWarnings("deprecation")    // extends the old name so that catch blocks on IoUringIOException keep working
public class FileIoException extends IoUringIOException {
    private static final long serialVersionUID = 1L;

    /**
     * A failed operation.
     *
     * @param op     the operation, e.g. {@code "read"}
     * @param errno  the positive error number
     * @param fd     the file descriptor (or registered slot), -1 for none
     * @param offset the file offset, -1 for none
     * @param detail what the operation was about (a path), or null
     */
    public FileIoException(String op, int errno, int fd, long offset, String detail) {
        super(op, errno, fd, offset, detail);
    }
}
