package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * What Identify Controller (CNS 01h) says about a controller, the fields this library uses.
 *
 * @param vendorId          PCI vendor id
 * @param serial            serial number
 * @param model             model number, e.g. {@code "QEMU NVMe Ctrl"}
 * @param firmware          firmware revision
 * @param maxTransferBytes  largest transfer of one command (MDTS, assuming 4 KiB minimum pages); 0: no limit
 * @param namespaceCount    number of namespaces (NN)
 * @param writeZeroes       whether Write Zeroes is supported (ONCS bit 3)
 * @param datasetManagement whether Dataset Management (deallocate, "trim") is supported (ONCS bit 2)
 * @param optionalCommands  ONCS itself: bit 0 Compare, 2 Dataset Management, 3 Write Zeroes, 7 Verify, 8 Copy
 */
public record NvmeControllerInfo(int vendorId, String serial, String model, String firmware, long maxTransferBytes,
                                 int namespaceCount, boolean writeZeroes, boolean datasetManagement,
                                 int optionalCommands) {
    /**
     * Whether Compare is supported (ONCS bit 0).
     *
     * @return true when the controller takes Compare
     */
    public boolean compare() {
        return (optionalCommands & 0x1) != 0;
    }

    /**
     * Whether Verify is supported (ONCS bit 7).
     *
     * @return true when the controller takes Verify
     */
    public boolean verify() {
        return (optionalCommands & 0x80) != 0;
    }

    /**
     * Whether Copy is supported (ONCS bit 8).
     *
     * @return true when the controller takes Copy
     */
    public boolean copy() {
        return (optionalCommands & 0x100) != 0;
    }


    /** Parses the 4096-byte Identify Controller data structure. */
    static NvmeControllerInfo parse(ByteBuf data) {
        int mdts = data.getUnsignedByte(77);
        int oncs = data.getUnsignedShortLE(520);
        return new NvmeControllerInfo(data.getUnsignedShortLE(0), ascii(data, 4, 20), ascii(data, 24, 40),
                ascii(data, 64, 8), mdts == 0 ? 0 : 4096L << mdts, (int) data.getUnsignedIntLE(516),
                (oncs & 0x8) != 0, (oncs & 0x4) != 0, oncs);
    }

    private static String ascii(ByteBuf data, int offset, int length) {
        return data.toString(offset, length, StandardCharsets.US_ASCII).trim();
    }
}
