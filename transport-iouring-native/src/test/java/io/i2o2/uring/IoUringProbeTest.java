package io.i2o2.uring;

import io.i2o2.uring.IoUringProbe.Availability;
import io.i2o2.uring.IoUringProbe.Cause;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each reason io_uring can be missing, simulated through the fault seam, gives its own cause and message. */
class IoUringProbeTest {

    @Test
    void thisMachineHasIoUring() {
        Availability a = IoUringProbe.probe(KernelFaults.none());
        assertTrue(a.available(), a.message());
        assertEquals(Cause.NONE, a.cause());
        assertNull(a.toException());
    }

    @Test
    @WithoutIoUring
    void enosysMeansIoUringIsMissing() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().failSetup(Errno.ENOSYS, 10));
        assertEquals(Cause.NOT_IN_KERNEL, a.cause());
        assertEquals(Errno.ENOSYS, a.errno());
        assertTrue(a.message().contains("ENOSYS") && a.message().contains("seccomp"), a.message());
        assertFalse(a.available());
        assertEquals(a.message(), a.toException().getMessage());
    }

    @Test
    @WithoutIoUring
    void disabledTwoMeansNobody() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().simulateIoUringDisabled(2));
        assertEquals(Cause.DISABLED, a.cause());
        assertTrue(a.message().contains("io_uring_disabled = 2"), a.message());
    }

    @Test
    @WithoutIoUring
    void disabledOneMeansOnlyAGroup() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().simulateIoUringDisabled(1));
        assertEquals(Cause.GROUP_ONLY, a.cause());
        assertEquals(Errno.EPERM, a.errno());
        assertTrue(a.message().contains("io_uring_group"), a.message());
    }

    @Test
    @WithoutIoUring
    void epermWithIoUringEnabledIsAPolicy() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().simulateIoUringDisabled(0).failSetup(Errno.EPERM, 10));
        assertEquals(Cause.FORBIDDEN, a.cause());
        assertTrue(a.message().contains("EPERM"), a.message());
    }

    @Test
    @WithoutIoUring
    void enomemIsTheLockedMemoryLimit() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().failSetup(Errno.ENOMEM, 10));
        assertEquals(Cause.MEMLOCK, a.cause());
        assertTrue(a.message().contains("ulimit -l"), a.message());
    }

    @Test
    @WithoutIoUring
    void anOldKernelIsTooOld() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().simulateKernel("5.10"));
        assertEquals(Cause.KERNEL_TOO_OLD, a.cause());
        assertTrue(a.message().contains(IoUringProbe.MIN_KERNEL) && a.message().contains("5.10"), a.message());
    }

    /**
     * The floor is the oldest kernel the project tests on, 6.1, as the README says: 5.19 and 6.0 (which have
     * URING_CMD and SQE128, the floor before) are refused, saying why.
     */
    @Test
    @WithoutIoUring
    void kernelsBeforeTheOldestTestedOneAreRefused() {
        assertEquals("6.1", IoUringProbe.MIN_KERNEL);
        for (String release : new String[] {"5.19", "6.0"}) {
            Availability a = IoUringProbe.probe(KernelFaults.plan().simulateKernel(release));
            assertEquals(Cause.KERNEL_TOO_OLD, a.cause(), release);
            assertTrue(a.message().contains("needs Linux 6.1 or later (the oldest kernel it is tested on)")
                    && a.message().contains("this kernel is " + release), a.message());
        }
    }

    @Test
    void theOldestTestedKernelRuns() {
        Availability a = IoUringProbe.probe(KernelFaults.plan().simulateKernel("6.1"));
        assertTrue(a.available(), a.message());
    }

    @Test
    @WithoutIoUring
    void otherPlatformsAreNamed() {
        assertEquals(Cause.UNSUPPORTED_PLATFORM, IoUringProbe.probe(KernelFaults.none(), "Mac OS X", "aarch64").cause());
        Availability a = IoUringProbe.probe(KernelFaults.none(), "Linux", "riscv64");
        assertEquals(Cause.UNSUPPORTED_PLATFORM, a.cause());
        assertTrue(a.message().contains("'riscv64'"), a.message());
    }

    @Test
    @WithoutIoUring
    void theSystemPropertySimulatesEachCause() {
        assertEquals(Cause.NOT_IN_KERNEL, IoUringProbe.simulate("enosys").cause());
        assertEquals(Cause.FORBIDDEN, IoUringProbe.simulate("eperm").cause());
        assertEquals(Cause.MEMLOCK, IoUringProbe.simulate("ENOMEM").cause());
        assertEquals(Cause.GROUP_ONLY, IoUringProbe.simulate("disabled=1").cause());
        assertEquals(Cause.DISABLED, IoUringProbe.simulate("disabled=2").cause());
        assertEquals(Cause.KERNEL_TOO_OLD, IoUringProbe.simulate("kernel=5.4").cause());
        assertEquals(Cause.UNSUPPORTED_PLATFORM, IoUringProbe.simulate("arch=s390x").cause());
        assertTrue(IoUringProbe.simulate("enosys").message().contains("[simulated: "));
        assertThrows(IllegalArgumentException.class, () -> IoUringProbe.simulate("nonsense"));
    }

    @Test
    @WithoutIoUring
    void sysctlsAreReadWhole() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("sysctl", "");
        java.nio.file.Files.writeString(f, "-1\n");
        assertEquals("-1", SetupFailure.readSysctl(f.toString()));
        java.nio.file.Path group = java.nio.file.Path.of("/proc/sys/kernel/io_uring_group");
        if (java.nio.file.Files.exists(group)) {   // 6.6+: "-1" (no group) or a gid, never cut short
            assertTrue(SetupFailure.readSysctl(group.toString()).matches("-?\\d+"),
                    SetupFailure.readSysctl(group.toString()));
        }
        assertEquals("unknown", SetupFailure.readSysctl("/nonexistent/io_uring_disabled"));
    }

    @Test
    @WithoutIoUring
    void theOperatorsKillSwitchWinsOverEverything() {
        IoUringProbe.Availability off = IoUringProbe.choose(true, "");
        assertEquals(IoUringProbe.Cause.SWITCHED_OFF, off.cause());
        assertTrue(off.message().contains("-Dio.i2o2.disable=true"), off.message());
        assertEquals(IoUringProbe.Cause.SWITCHED_OFF, IoUringProbe.choose(true, "enosys").cause());
        assertEquals(IoUringProbe.Cause.NOT_IN_KERNEL, IoUringProbe.choose(false, "enosys").cause());
    }
}
