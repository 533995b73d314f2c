package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code io_uring_setup} failing through the {@link KernelFaults} seam: each cause gets a message that
 * names it, a missing required flag is named with the release that added it, and missing optional flags
 * are dropped (and reported) instead of failing the ring.
 */
class SetupFaultTest {
    @Test
    void enosysSaysIoUringIsNotAvailable() {
        UringException e = failedSetup(Errno.ENOSYS);
        assertTrue(e.getMessage().contains("io_uring is not available") && e.getMessage().contains("seccomp"),
                e.getMessage());
    }

    @Test
    void epermSaysIoUringIsForbiddenAndShowsTheSysctl() throws Exception {
        UringException e = failedSetup(Errno.EPERM);
        assertTrue(e.getMessage().contains("forbidden"), e.getMessage());
        if (KernelFeatures.ioUringDisabledSysctl()) {
            String value = Files.readString(KernelFeatures.IO_URING_DISABLED).trim();
            assertTrue(e.getMessage().contains("io_uring_disabled is " + value), e.getMessage());
        } else {
            assertTrue(e.getMessage().contains("has no /proc/sys/kernel/io_uring_disabled"), e.getMessage());
        }
    }

    @Test
    void epermOnASimulatedKernelWithoutTheSysctlSaysSo() {
        KernelFaults faults = KernelFaults.plan().simulateKernel("6.1").failSetup(Errno.EPERM, 1);
        UringException e = assertThrows(UringException.class,
                () -> Ring.open(RingParams.builder().entries(4).faults(faults).build()));
        assertTrue(e.getMessage().contains("forbidden") && e.getMessage().contains("came in Linux 6.6")
                && !e.getMessage().contains("io_uring_disabled is"), e.getMessage());
    }

    @Test
    void enomemPointsAtTheMemlockLimit() {
        UringException e = failedSetup(Errno.ENOMEM);
        assertTrue(e.getMessage().contains("RLIMIT_MEMLOCK") && e.getMessage().contains("ulimit -l"),
                e.getMessage());
    }

    @Test
    void aMissingRequiredFlagIsNamedWithItsRelease() {
        KernelFaults faults = KernelFaults.plan().hideSetupFlag(SetupFlag.SQE128);
        UringException e = assertThrows(UringException.class, () -> Ring.open(RingParams.builder().entries(4)
                .require(SetupFlag.SQE128, SetupFlag.CQE32).faults(faults).build()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("IORING_SETUP_SQE128") && e.getMessage().contains("5.19"),
                e.getMessage());
        assertFalse(e.getMessage().contains("CQE32 ("), "only the missing flag is blamed: " + e.getMessage());
    }

    @Test
    void aMissingOptionalFlagIsDropped() throws Exception {
        KernelFaults faults = KernelFaults.plan().hideSetupFlag(SetupFlag.NO_SQARRAY);
        try (Ring ring = Ring.open(RingParams.builder().entries(4).require(SetupFlag.SQE128, SetupFlag.CQE32)
                .prefer(SetupFlag.NO_SQARRAY).faults(faults).build())) {
            assertEquals(Set.of(SetupFlag.NO_SQARRAY), ring.droppedFlags());
            assertEquals(EnumSet.of(SetupFlag.SQE128, SetupFlag.CQE32), ring.flags());
            assertEquals(0, TestRing.run(ring, 1, Sqe::prepNop).res(), "the ring without it works");
        }
    }

    @Test
    void droppingSingleIssuerDropsDeferTaskrunToo() throws Exception {
        KernelFaults faults = KernelFaults.plan().hideSetupFlag(SetupFlag.SINGLE_ISSUER);
        try (Ring ring = Ring.open(RingParams.builder().entries(4)
                .prefer(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN).faults(faults).build())) {
            assertEquals(EnumSet.of(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN), ring.droppedFlags());
            assertTrue(ring.flags().isEmpty(), ring.flags().toString());
        }
    }

    @Test
    void aSimulated515KernelDropsEveryNewerPreferredFlag() throws Exception {
        KernelFaults faults = KernelFaults.plan().simulateKernel("5.15");
        try (Ring ring = Ring.open(RingParams.builder().entries(4).require(SetupFlag.CLAMP)
                .prefer(SetupFlag.SQE128, SetupFlag.CQE32, SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN,
                        SetupFlag.NO_SQARRAY).faults(faults).build())) {
            assertEquals(EnumSet.of(SetupFlag.SQE128, SetupFlag.CQE32, SetupFlag.SINGLE_ISSUER,
                    SetupFlag.DEFER_TASKRUN, SetupFlag.NO_SQARRAY), ring.droppedFlags());
            assertEquals(EnumSet.of(SetupFlag.CLAMP), ring.flags(), "CLAMP is 5.6: kept");
        }
    }

    private UringException failedSetup(int errno) {
        KernelFaults faults = KernelFaults.plan().failSetup(errno, 1);
        UringException e = assertThrows(UringException.class,
                () -> Ring.open(RingParams.builder().entries(4).faults(faults).build()));
        assertEquals(errno, e.errno());
        assertTrue(e.getMessage().startsWith("io_uring_setup(entries=4"), "names the call: " + e.getMessage());
        assertTrue(e.getMessage().contains(Errno.name(errno)), e.getMessage());
        return e;
    }
}
