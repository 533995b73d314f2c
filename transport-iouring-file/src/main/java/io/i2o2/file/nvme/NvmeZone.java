package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;

/**
 * One zone of a zoned namespace (NVMe Zoned Namespace Command Set), from a zone report.
 *
 * @param type       zone type (2: sequential write required)
 * @param state      the zone's state
 * @param startLba   the zone's first LBA (ZSLBA)
 * @param capacity   writable blocks (ZCAP)
 * @param writePointer the next LBA a write must start at (WP)
 */
public record NvmeZone(int type, State state, long startLba, long capacity, long writePointer) {
    /** Size of a zone descriptor in a report. */
    static final int DESCRIPTOR_SIZE = 64;
    /** Size of the report's header. */
    static final int HEADER_SIZE = 64;

    /** Zone states (ZS), as the descriptor encodes them in bits 4-7 of byte 1. */
    public enum State {
        /** ZSE (1h): nothing written, the write pointer at the zone's start. */
        EMPTY(0x1),
        /** ZSIO (2h): opened by a write, not by Open Zone. */
        IMPLICITLY_OPENED(0x2),
        /** ZSEO (3h): opened by Open Zone. */
        EXPLICITLY_OPENED(0x3),
        /** ZSC (4h): partly written, not open; a write reopens it implicitly. */
        CLOSED(0x4),
        /** ZSRO (Dh): readable only, the device's doing. */
        READ_ONLY(0xd),
        /** ZSF (Eh): written to capacity, or finished; a reset empties it. */
        FULL(0xe),
        /** ZSO (Fh): neither readable nor writable. */
        OFFLINE(0xf),
        /** A state code this library does not know. */
        UNKNOWN(-1);

        private final int code;

        State(int code) {
            this.code = code;
        }

        static State of(int code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return UNKNOWN;
        }
    }

    static NvmeZone parse(ByteBuf report, int index) {
        int o = HEADER_SIZE + index * DESCRIPTOR_SIZE;
        return new NvmeZone(report.getUnsignedByte(o) & 0xf, State.of(report.getUnsignedByte(o + 1) >>> 4),
                report.getLongLE(o + 16), report.getLongLE(o + 8), report.getLongLE(o + 24));
    }
}
