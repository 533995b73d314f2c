package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The NVMe command writer against {@code struct nvme_uring_cmd} as {@code <linux/nvme_ioctl.h>} lays it out;
 * the device side is tested in the guest (testsuite {@code NvmeRingGuestTest}).
 */
@WithoutIoUring
class NvmeUringCmdTest {
    @Test
    void commandOpsAreTheHeadersUnsignedBitPatterns() {
        // _IOWR('N', 0x80, struct nvme_uring_cmd): above Integer.MAX_VALUE, so only the bit pattern fits an int.
        assertEquals(0xC0484E80, NvmeUringCmd.CMD_IO);
        assertEquals(0xC0484E81, NvmeUringCmd.CMD_IO_VEC);
        assertEquals(0xC0484E82, NvmeUringCmd.CMD_ADMIN);
        assertEquals(0xC0484E83, NvmeUringCmd.CMD_ADMIN_VEC);
        assertEquals(72, NvmeUringCmd.SIZE);
    }

    @Test
    void readWriteLandsAtTheHeadersOffsets() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(80);
            NvmeUringCmd.over(area).readWrite(NvmeUringCmd.OPC_WRITE, 1, 0x1122334455667788L, 4096,
                    0x0000_0001_8000_0002L, 8).timeoutMs(500).metadata(0xAAL, 16);
            assertEquals(NvmeUringCmd.OPC_WRITE, area.get(JAVA_BYTE, 0));
            assertEquals(1, area.get(JAVA_INT, 4));
            assertEquals(0xAAL, area.get(JAVA_LONG, 16));
            assertEquals(0x1122334455667788L, area.get(JAVA_LONG, 24));
            assertEquals(16, area.get(JAVA_INT, 32));
            assertEquals(4096, area.get(JAVA_INT, 36));
            assertEquals(0x8000_0002, area.get(JAVA_INT, 40), "cdw10: low half of the starting LBA");
            assertEquals(1, area.get(JAVA_INT, 44), "cdw11: high half of the starting LBA");
            assertEquals(7, area.get(JAVA_INT, 48), "cdw12: block count, 0-based");
            assertEquals(500, area.get(JAVA_INT, 64));
        }
    }

    @Test
    void gettersReadBackWhatTheSettersWrote() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(80);
            NvmeUringCmd cmd = NvmeUringCmd.over(area).readWrite(NvmeUringCmd.OPC_READ, 3, 0x4000L, 7, 9L, 2)
                    .timeoutMs(0xFFFF_FFFF);
            assertEquals(NvmeUringCmd.OPC_READ, cmd.opcodeValue());
            assertEquals(0x4000L, cmd.dataAddress());
            assertEquals(7, cmd.dataLength());
            assertEquals(9, cmd.cdwValue(10));
            assertEquals(1, cmd.cdwValue(12));
            assertEquals(-1, cmd.timeoutMs(), "timeout_ms is unsigned: 2^32-1 ms is the int bit pattern -1");
            assertThrows(IllegalArgumentException.class, () -> cmd.cdwValue(16));
        }
    }

    @Test
    void fixedUringCmdSetsTheFlagAndTheBufferIndex() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = arena.allocate(64);
            Sqe.detached(entry).prepUringCmdFixed(NvmeUringCmd.CMD_IO, 5, 3);
            assertEquals((byte) Opcode.URING_CMD, entry.get(JAVA_BYTE, 0));
            assertEquals(5, entry.get(JAVA_INT, 4));
            assertEquals(NvmeUringCmd.CMD_IO, entry.get(JAVA_INT, 8), "cmd_op");
            assertEquals(Linux.IORING_URING_CMD_FIXED, entry.get(JAVA_INT, 28), "uring_cmd_flags");
            assertEquals(3, entry.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 40), "buf_index");
        }
    }

    @Test
    void identifyAndDwords() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(80);
            NvmeUringCmd.over(area).identify(NvmeUringCmd.CNS_CONTROLLER, 0, 0x1000L).cdw(15, -1);
            assertEquals(0x06, area.get(JAVA_BYTE, 0));
            assertEquals(0x1000L, area.get(JAVA_LONG, 24));
            assertEquals(4096, area.get(JAVA_INT, 36));
            assertEquals(1, area.get(JAVA_INT, 40));
            assertEquals(-1, area.get(JAVA_INT, 60));
            assertThrows(IllegalArgumentException.class, () -> NvmeUringCmd.over(area).cdw(9, 0));
            assertThrows(IllegalArgumentException.class, () -> NvmeUringCmd.over(area).cdw(16, 0));
        }
    }

    @Test
    void refusesTheSixteenByteAreaOfA64ByteSqe() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> NvmeUringCmd.over(arena.allocate(16)));
        }
    }

    @Test
    void describesStatusAndErrno() {
        assertEquals("NVMe status 0x4080 (sct 0, sc 0x80, dnr)", NvmeUringCmd.describe(0x4080));
        assertEquals(0x80, NvmeUringCmd.statusCode(0x4080));
        assertEquals(0, NvmeUringCmd.statusCodeType(0x4080));
        assertEquals(Errno.format(Errno.EINVAL), NvmeUringCmd.describe(-Errno.EINVAL));
    }
}
