package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Errno} and {@link UringException}: names, descriptions and messages for error numbers. */
@WithoutIoUring
class ErrnoTest {

    @Test
    void namesComeFromTheHeader() {
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN), "EWOULDBLOCK is an alias; the classic name wins");
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("ECANCELED", Errno.name(-Errno.ECANCELED), "a negative CQE result works too");
        assertEquals(11, Errno.EAGAIN);
        assertEquals(125, Errno.ECANCELED);
    }

    @Test
    void descriptionsComeFromLibc() {
        assertEquals("No such file or directory", Errno.describe(Errno.ENOENT));
        assertEquals("Timer expired", Errno.describe(-Errno.ETIME));
        assertEquals("EINVAL (Invalid argument)", Errno.format(Errno.EINVAL));
    }

    @Test
    void unknownNumbersAreSaidAsNumbers() {
        assertEquals("errno 4000", Errno.name(4000));
        assertEquals("errno 99999", Errno.name(99999));
        assertEquals("Unknown error 4000", Errno.describe(4000));
    }

    @Test
    void anExceptionCarriesTheCallTheErrnoAndTheDetail() {
        UringException e = new UringException("io_uring_enter(fd=3)", -Errno.EBUSY, "try again");
        assertEquals(Errno.EBUSY, e.errno(), "stored positive");
        assertEquals("EBUSY", e.errnoName());
        assertEquals("io_uring_enter(fd=3)", e.call());
        assertEquals("io_uring_enter(fd=3) failed: EBUSY (Device or resource busy): try again", e.getMessage());
        assertTrue(new UringException("x", Errno.EIO, null).getMessage().endsWith("EIO (Input/output error)"));
    }
}
