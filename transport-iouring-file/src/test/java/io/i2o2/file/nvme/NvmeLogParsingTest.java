package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The byte layouts of the log pages and the zone report, on pages built by hand from the NVMe specification's
 * offsets (QEMU's controller leaves the error log empty, so the guest cannot check that parser).
 */
class NvmeLogParsingTest {
    @Test
    void anErrorLogEntry() {
        ByteBuf page = Unpooled.buffer(2 * NvmeErrorLogEntry.SIZE);
        page.writerIndex(page.capacity());
        int o = NvmeErrorLogEntry.SIZE;
        page.setLongLE(o, 42).setShortLE(o + 8, 3).setShortLE(o + 10, 0x1234)
                .setShortLE(o + 12, 0x4080 << 1 | 1).setShortLE(o + 14, 0xffff).setLongLE(o + 16, 777)
                .setIntLE(o + 24, 1);
        NvmeErrorLogEntry e = NvmeErrorLogEntry.parse(page, 1);
        assertEquals(new NvmeErrorLogEntry(42, 3, 0x1234, 0x4080, 0xffff, 777, 1), e);
        assertEquals("LBA Out of Range (status 0x4080, sct 0, sc 0x80, dnr)", e.describeStatus(), "phase bit dropped");
        assertEquals(0, NvmeErrorLogEntry.parse(page, 0).errorCount(), "an empty entry");
    }

    @Test
    void theSmartLog() {
        ByteBuf page = Unpooled.buffer(NvmeSmartLog.SIZE);
        page.writerIndex(page.capacity());
        page.setByte(0, 0x2).setShortLE(1, 323).setByte(3, 100).setByte(4, 10).setByte(5, 3)
                .setLongLE(32, 11).setLongLE(48, 12).setLongLE(64, 13).setLongLE(80, 14).setLongLE(112, 15)
                .setLongLE(128, 16).setLongLE(144, 17).setLongLE(160, 18).setLongLE(176, 19);
        NvmeSmartLog s = NvmeSmartLog.parse(page);
        assertEquals(new NvmeSmartLog(2, 323, 100, 10, 3, 11, 12, 13, 14, 15, 16, 17, 18, 19), s);
        assertEquals(50, s.temperatureCelsius());
    }

    @Test
    void aZoneDescriptor() {
        ByteBuf report = Unpooled.buffer(NvmeZone.HEADER_SIZE + 2 * NvmeZone.DESCRIPTOR_SIZE);
        report.writerIndex(report.capacity());
        int o = NvmeZone.HEADER_SIZE + NvmeZone.DESCRIPTOR_SIZE;
        report.setLongLE(0, 2).setByte(o, 0x2).setByte(o + 1, 0xe << 4).setLongLE(o + 8, 16384)
                .setLongLE(o + 16, 16384).setLongLE(o + 24, 32768);
        assertEquals(new NvmeZone(2, NvmeZone.State.FULL, 16384, 16384, 32768), NvmeZone.parse(report, 1));
        assertEquals(NvmeZone.State.UNKNOWN, NvmeZone.parse(report, 0).state(), "ZS 0 is no state");
    }
}
