package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A simulated kernel lacks the {@code uring_cmd} sub-commands and flags its real counterpart lacks, and the real
 * kernel fails them: socket commands (6.7) come back {@code -EOPNOTSUPP} on a simulated 6.1, and
 * {@code IORING_URING_CMD_FIXED} (6.1) {@code -EINVAL} on a simulated 6.0.
 */
class UringCmdFaultTest {
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final MethodHandle SOCKET = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("socket"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    private static int tcpSocket() throws Throwable {
        int fd = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM | Linux.O_CLOEXEC, 0);
        assertTrue(fd >= 0, "socket()");
        return fd;
    }

    private static int siocinq(KernelFaults faults, int fd, int cmdFlags) throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).require(SetupFlag.SQE128, SetupFlag.CQE32)
                .faults(faults).build())) {
            return TestRing.run(ring, 7, sqe -> sqe.prepUringCmd(Linux.SOCKET_URING_OP_SIOCINQ, fd)
                    .opFlags(cmdFlags)).res();
        }
    }

    @Test
    void aSimulated61KernelRefusesSocketCommands() throws Throwable {
        int fd = tcpSocket();
        try {
            assertEquals(-Errno.EOPNOTSUPP, siocinq(KernelFaults.plan().simulateKernel("6.1"), fd, 0));
            int real = siocinq(KernelFaults.none(), fd, 0);
            if (KernelVersion.running().isBefore("6.7")) {
                assertEquals(-Errno.EOPNOTSUPP, real, "a real " + KernelVersion.running() + " refuses it too");
            } else {
                assertEquals(0, real, "an unconnected TCP socket has nothing queued: " + Errno.format(real));
            }
            assertEquals(real, siocinq(KernelFaults.plan().simulateKernel("6.7"), fd, 0), "6.7 has it");
        } finally {
            TestLibc.close(fd);
        }
    }

    @Test
    void aHiddenSubCommandFailsAndAnotherDoesNot() throws Throwable {
        int fd = tcpSocket();
        try {
            KernelFaults faults = KernelFaults.plan().hideUringCmd(Linux.SOCKET_URING_OP_SIOCOUTQ);
            int inq = siocinq(faults, fd, 0);
            assertEquals(siocinq(KernelFaults.none(), fd, 0), inq, "SIOCINQ is not hidden");
            try (Ring ring = Ring.open(RingParams.builder().entries(2).require(SetupFlag.SQE128, SetupFlag.CQE32)
                    .faults(faults).build())) {
                int res = TestRing.run(ring, 8, sqe -> sqe.prepUringCmd(Linux.SOCKET_URING_OP_SIOCOUTQ, fd)).res();
                assertEquals(-Errno.EOPNOTSUPP, res);
            }
        } finally {
            TestLibc.close(fd);
        }
    }

    @Test
    void aSimulated60KernelRefusesFixedBufferCommands() throws Throwable {
        int fd = tcpSocket();
        try {
            KernelFaults faults = KernelFaults.plan().simulateKernel("6.0");
            assertTrue(faults.rewritesEntries());
            try (Ring ring = Ring.open(RingParams.builder().entries(2).require(SetupFlag.SQE128, SetupFlag.CQE32)
                    .faults(faults).build())) {
                // A cmd_op no driver knows, so only the flag decides: 6.0 had no uring_cmd_flags.
                int res = TestRing.run(ring, 9, sqe -> sqe.prepUringCmd(0x1234, fd)
                        .opFlags(Linux.IORING_URING_CMD_FIXED)).res();
                assertEquals(-Errno.EINVAL, res, Errno.format(res));
            }
            assertFalse(KernelFaults.plan().simulateKernel("6.18").rewritesEntries(), "nothing to hide on 6.18");
        } finally {
            TestLibc.close(fd);
        }
    }
}
