package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@link KernelFaults} plan object itself: what it accepts and how long a fault lasts. */
class KernelFaultsTest {
    @Test
    void theSharedInertPlanCannotBeChanged() {
        assertThrows(IllegalStateException.class, () -> KernelFaults.none().failEnter(Errno.EINTR, 1));
    }

    @Test
    void aFaultNeedsAPositiveErrno() {
        assertThrows(IllegalArgumentException.class, () -> KernelFaults.plan().failEnter(0, 1));
        assertThrows(IllegalArgumentException.class, () -> KernelFaults.plan().failSetup(Errno.EINTR, -1));
    }

    @Test
    void aFailureOnlyLastsAsOftenAsAsked() throws Exception {
        KernelFaults faults = KernelFaults.plan().failSetup(Errno.ENOMEM, 1);
        RingParams params = RingParams.builder().entries(4).faults(faults).build();
        assertThrows(UringException.class, () -> Ring.open(params));
        Ring.open(params).close();
    }
}
