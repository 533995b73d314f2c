package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ring#probe()}: what {@code IORING_REGISTER_PROBE} reports on this kernel, and how a
 * {@link KernelFaults} plan hides opcodes to make the ring look like an older kernel.
 */
class ProbeTest {

    @Test
    void theBasicOpcodesAreSupportedAndNothingPastTheLastOne() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).build())) {
            Probe probe = ring.probe();
            for (int op : new int[] {Opcode.NOP, Opcode.READ, Opcode.WRITE, Opcode.READV, Opcode.FSYNC,
                    Opcode.OPENAT, Opcode.CLOSE, Opcode.TIMEOUT, Opcode.ASYNC_CANCEL}) {
                assertTrue(probe.supports(op), Opcode.name(op) + " on " + KernelVersion.running());
            }
            assertTrue(probe.lastOpcode() > Opcode.URING_CMD, "a 5.19+ kernel knows URING_CMD: " + probe.lastOpcode());
            assertFalse(probe.supports(probe.lastOpcode()), "the kernel knows nothing at IORING_OP_LAST");
            assertFalse(probe.supports(255));
            assertFalse(probe.supports(-1));
            assertFalse(probe.supports(256));
            assertTrue(probe.supportedNames().containsAll(java.util.List.of("NOP", "READ", "WRITE")), probe.toString());
            assertSame(probe, ring.probe(), "asked once, then cached");
        }
    }

    @Test
    void aHiddenOpcodeIsNotReported() throws Exception {
        KernelFaults faults = KernelFaults.plan().hideOpcode(Opcode.READ);
        try (Ring ring = Ring.open(RingParams.builder().entries(2).faults(faults).build())) {
            Probe probe = ring.probe();
            assertFalse(probe.supports(Opcode.READ));
            assertTrue(probe.supports(Opcode.WRITE), "only the hidden one disappears");
            assertFalse(probe.supportedNames().contains("READ"));
        }
    }

    @Test
    void simulating515HidesWhatCameLater() throws Exception {
        KernelFaults faults = KernelFaults.plan().simulateKernel("5.15");
        try (Ring ring = Ring.open(RingParams.builder().entries(2).faults(faults).build())) {
            Probe probe = ring.probe();
            for (int op : new int[] {Opcode.URING_CMD, Opcode.FTRUNCATE, Opcode.MSG_RING}) {
                assertFalse(probe.supports(op), Opcode.name(op) + " came after 5.15");
            }
            for (int op : new int[] {Opcode.MKDIRAT, Opcode.READ, Opcode.NOP}) {
                assertTrue(probe.supports(op), Opcode.name(op) + " is in 5.15");
            }
            UringException e = assertThrows(UringException.class, () -> probe.require(Opcode.FTRUNCATE, "ftruncate"));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("IORING_OP_FTRUNCATE") && e.getMessage().contains("6.9"),
                    e.getMessage());
        }
    }

    @Test
    void aSimulatedKernelReportsNothingNewerThanItself() throws Exception {
        KernelFaults faults = KernelFaults.plan().simulateKernel("5.15");
        try (Ring ring = Ring.open(RingParams.builder().entries(2).faults(faults).build())) {
            Probe probe = ring.probe();
            // 5.15's last opcode is LINKAT; everything after it, named by our header or not, came later.
            for (int op = LinuxUring.IORING_OP_LINKAT() + 1; op < 256; op++) {
                assertFalse(probe.supports(op), Opcode.name(op) + " (" + op + ") is newer than 5.15");
            }
        }
        try (Ring real = Ring.open(RingParams.builder().entries(2).build())) {
            // The check above means something only where the real kernel has an opcode newer than 5.15.
            Assumptions.assumeTrue(real.probe().supports(LinuxUring.IORING_OP_LINKAT() + 1),
                    "this kernel (" + KernelVersion.running() + ") has no opcode newer than 5.15's");
        }
    }

    @Test
    void opcodeNamesAndReleases() {
        assertEquals("READ", Opcode.name(Opcode.READ));
        assertEquals("FTRUNCATE", Opcode.name(Opcode.FTRUNCATE));
        assertEquals("OP_200", Opcode.name(200));
        assertEquals("5.19", Opcode.since(Opcode.URING_CMD));
        assertEquals("5.1", Opcode.since(Opcode.NOP));
        assertEquals("6.2", Opcode.since(60), "unnamed and past the 6.1 header: newer than 6.1");
    }
}
