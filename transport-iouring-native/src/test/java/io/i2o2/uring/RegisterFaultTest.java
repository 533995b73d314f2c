package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code io_uring_register} failing through the {@link KernelFaults} seam, and register calls that a
 * simulated older kernel does not have.
 */
class RegisterFaultTest {
    @Test
    void aRegisterFailureNamesTheOperation() throws Exception {
        KernelFaults faults = KernelFaults.plan().failRegister(RegisterOp.BUFFERS, Errno.ENOMEM, 1);
        try (Ring ring = Ring.open(RingParams.builder().entries(4).faults(faults).build());
             Arena arena = Arena.ofConfined()) {
            List<MemorySegment> bufs = List.of(arena.allocate(4096, 4096));
            UringException e = assertThrows(UringException.class, () -> ring.registerBuffers(bufs));
            assertEquals(Errno.ENOMEM, e.errno());
            assertTrue(e.getMessage().contains("BUFFERS, nr=1"), e.getMessage());
            ring.registerBuffers(bufs);
        }
    }

    @Test
    void aFailedProbeIsThrownAndNotCached() throws Exception {
        KernelFaults faults = KernelFaults.plan().failRegister(RegisterOp.PROBE, Errno.EPERM, 1);
        try (Ring ring = Ring.open(RingParams.builder().entries(4).faults(faults).build())) {
            assertEquals(Errno.EPERM, assertThrows(UringException.class, ring::probe).errno());
            assertTrue(ring.probe().supports(Opcode.NOP), "the next call asks again");
        }
    }

    @Test
    void aSimulatedOldKernelRefusesNewerRegisterCalls() throws Exception {
        KernelFaults faults = KernelFaults.plan().simulateKernel("5.10");
        try (Ring ring = Ring.open(RingParams.builder().entries(4).faults(faults).build())) {
            UringException e = assertThrows(UringException.class, () -> ring.registerBuffersSparse(4));
            assertEquals(Errno.EINVAL, e.errno(), "BUFFERS2 came in 5.13");
            assertFalse(ring.registerRingFd(), "RING_FDS came in 5.18");
        }
    }
}
