package io.i2o2.uring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code io_uring_enter} failing through the {@link KernelFaults} seam: transient refusals ({@code EINTR},
 * {@code EAGAIN}, {@code EBUSY}) report 0 submitted and leave every entry queued for the next call; any
 * other error is thrown, naming the call, and still loses no entry.
 */
class EnterFaultTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"EINTR", "EAGAIN", "EBUSY"})
    void aTransientFailureSubmitsNothingAndLosesNothing(String name) throws Exception {
        int errno = errnoNamed(name);
        KernelFaults faults = KernelFaults.plan().failEnter(errno, 2);
        try (Ring ring = Ring.open(RingParams.builder().entries(8).faults(faults).build())) {
            for (int i = 0; i < 3; i++) {
                ring.sq().next().prepNop().userData(i);
            }
            assertEquals(0, ring.submit(), "refused: reported as nothing submitted");
            assertEquals(3, ring.sq().pending(), "the entries are still queued");
            ring.sq().next().prepNop().userData(3);
            assertEquals(0, ring.submit(), "refused a second time");
            assertEquals(4, ring.submit(), "the third call submits everything written so far");
            List<Long> tags = TestRing.awaitCqes(ring, 4).stream().map(TestRing.Cqe::userData).sorted().toList();
            assertEquals(List.of(0L, 1L, 2L, 3L), tags);
        }
    }

    @Test
    void ebadfIsThrownWithTheCall() throws Exception {
        KernelFaults faults = KernelFaults.plan().failEnter(Errno.EBADF, 1);
        try (Ring ring = Ring.open(RingParams.builder().entries(4).faults(faults).build())) {
            ring.sq().next().prepNop().userData(1);
            UringException e = assertThrows(UringException.class, ring::submit);
            assertEquals(Errno.EBADF, e.errno());
            assertTrue(e.getMessage().startsWith("io_uring_enter(fd=" + ring.fd()), e.getMessage());
            assertEquals(1, TestRing.awaitCqes(ring, 1).getFirst().userData(), "and the entry survives");
        }
    }

    private static int errnoNamed(String name) {
        return switch (name) {
            case "EINTR" -> Errno.EINTR;
            case "EAGAIN" -> Errno.EAGAIN;
            case "EBUSY" -> Errno.EBUSY;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
