package io.i2o2.uring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The {@link Sqe} writer itself: each entry handed out is zeroed (a field left over from the entry's last
 * use would change the next request), the raw field setters land where the kernel reads them, and the
 * command area has the size of the ring's entries.
 */
class SqeTest {

    @Test
    @WithoutIoUring
    void theGettersReadBackWhatThePrepsWrote() {
        Sqe sqe = Sqe.detached(Arena.ofAuto().allocate(64, 64));
        sqe.prepRenameat(-100, 0x1000, 7, 0x2000, 3).flags(SqeFlags.FIXED_FILE | SqeFlags.IO_LINK)
                .bufIndex(0xffff).fileIndex(9).addr3(0xabc);
        assertEquals(Opcode.RENAMEAT, sqe.opcode());
        assertEquals(SqeFlags.FIXED_FILE | SqeFlags.IO_LINK, sqe.flags());
        assertEquals(-100, sqe.fd());
        assertEquals(0x1000, sqe.addr());
        assertEquals(7, sqe.len());
        assertEquals(0x2000, sqe.off());
        assertEquals(3, sqe.opFlags());
        assertEquals(0xffff, sqe.bufIndex(), "unsigned");
        assertEquals(9, sqe.fileIndex());
        assertEquals(0xabc, sqe.addr3());
        sqe.clear();
        sqe.prepFallocate(5, 1, 4096, 1L << 40).opcode(0xfe);
        assertEquals(0xfe, sqe.opcode(), "unsigned");
        assertEquals(1L << 40, sqe.addr(), "fallocate's length is in addr");
        assertEquals(1, sqe.len(), "and its mode in len");
        assertEquals(4096, sqe.off());
        sqe.clear();
        sqe.prepRead(1, 2, -1, -1);
        assertEquals(0xffff_ffffL, Integer.toUnsignedLong(sqe.len()));
        assertEquals(-1, sqe.off());
    }

    @Test
    @WithoutIoUring
    void aDetached128ByteEntryHasTheBigCommandArea() {
        Sqe big = Sqe.detached(Arena.ofAuto().allocate(128, 64), 128);
        assertEquals(128, big.size());
        assertEquals(80, big.commandArea().byteSize());
        big.prepUringCmd(NvmeUringCmd.CMD_IO, 3);
        assertEquals(0xC0484E80, big.cmdOp(), "the bit pattern, not sign-extended to a long anywhere");
        assertEquals(Opcode.URING_CMD, big.opcode());
        assertEquals(16, Sqe.detached(Arena.ofAuto().allocate(128, 64)).commandArea().byteSize(),
                "detached(entry) stays a 64-byte entry");
        assertThrows(IllegalArgumentException.class,
                () -> Sqe.detached(Arena.ofAuto().allocate(64, 64), 128));
        assertThrows(IllegalArgumentException.class,
                () -> Sqe.detached(Arena.ofAuto().allocate(96, 64), 96));
    }

    @ParameterizedTest(name = "sqe128={0}")
    @ValueSource(booleans = {false, true})
    void aReusedEntryStartsFromZero(boolean big) throws Exception {
        RingParams.Builder b = RingParams.builder().entries(1);
        if (big) {
            b.require(SetupFlag.SQE128, SetupFlag.CQE32);
        }
        try (Ring ring = Ring.open(b.build())) {
            // Fill the one slot with every field set; the kernel refuses it (no such personality).
            Sqe dirty = ring.sq().next().prepRw(Opcode.NOP, 7, 0x1000, 3, 99).opFlags(0x7fff_ffff).ioprio(1)
                    .personality(0x7fff).bufIndex(3).fileIndex(5).addr3(0xdead).flags(SqeFlags.ASYNC).userData(1);
            dirty.commandArea().fill((byte) 0x5a);
            assertEquals(-Errno.EINVAL, TestRing.awaitCqes(ring, 1).getFirst().res());
            // The same slot again: a plain NOP must see none of it.
            assertEquals(0, TestRing.run(ring, 2, Sqe::prepNop).res());
        }
    }

    @Test
    void personalityAndIoprioReachTheKernel(@TempDir Path dir) throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).build())) {
            assertEquals(-Errno.EINVAL, TestRing.run(ring, 1, s -> s.prepNop().personality(12345)).res(),
                    "no personality 12345 is registered");
            int fd = TestLibc.open(Files.write(dir.resolve("f"), new byte[16]), Linux.O_RDONLY);
            try {
                // Class 7 is not an I/O priority class the kernel knows.
                assertEquals(-Errno.EINVAL, TestRing.run(ring, 2, s -> s.prepRead(fd, 0, 0, 0).ioprio(7 << 13)).res());
            } finally {
                TestLibc.close(fd);
            }
        }
    }

    @ParameterizedTest(name = "sqe128={0}")
    @ValueSource(booleans = {false, true})
    void commandAreaFillsTheRestOfTheEntry(boolean big) throws Exception {
        RingParams.Builder b = RingParams.builder().entries(1);
        if (big) {
            b.require(SetupFlag.SQE128, SetupFlag.CQE32);
        }
        try (Ring ring = Ring.open(b.build())) {
            Sqe sqe = ring.sq().next();
            assertEquals(big ? 128 : 64, sqe.size());
            assertEquals(big ? 80 : 16, sqe.commandArea().byteSize());
        }
    }

    @Test
    void uringCmdOnAPlainFileIsNotSupported(@TempDir Path dir) throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(2).require(SetupFlag.SQE128, SetupFlag.CQE32)
                .build())) {
            int fd = TestLibc.open(Files.write(dir.resolve("f"), new byte[16]), Linux.O_RDONLY);
            try {
                // The kernel took the opcode and the fd and asked the file for ->uring_cmd: a regular file has none.
                assertEquals(-Errno.EOPNOTSUPP, TestRing.run(ring, 1, s -> s.prepUringCmd(0xC0484E80, fd)).res());
            } finally {
                TestLibc.close(fd);
            }
        }
    }
}
