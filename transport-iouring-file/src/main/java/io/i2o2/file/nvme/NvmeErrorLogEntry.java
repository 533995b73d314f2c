package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;

/**
 * One entry of the Error Information log page (Log Identifier 01h), 64 bytes; an entry whose
 * {@link #errorCount()} is 0 is empty.
 *
 * @param errorCount       the error's unique, increasing number (0: empty entry)
 * @param submissionQueue  the submission queue of the failed command (0: admin)
 * @param commandId        the failed command's identifier
 * @param status           the status field, as {@link NvmeStatusException#status()} holds it (phase bit dropped)
 * @param parameterLocation where in the command the error was (byte and bit), or 0xffff
 * @param lba              the first LBA that failed, if any
 * @param nsid             the namespace, if any
 */
public record NvmeErrorLogEntry(long errorCount, int submissionQueue, int commandId, int status,
                                int parameterLocation, long lba, int nsid) {
    /** One entry's size. */
    public static final int SIZE = 64;

    static NvmeErrorLogEntry parse(ByteBuf page, int index) {
        int o = index * SIZE;
        return new NvmeErrorLogEntry(page.getLongLE(o), page.getUnsignedShortLE(o + 8),
                page.getUnsignedShortLE(o + 10), page.getUnsignedShortLE(o + 12) >>> 1,
                page.getUnsignedShortLE(o + 14), page.getLongLE(o + 16), page.getIntLE(o + 24));
    }

    /**
     * The status decoded, e.g. {@code "LBA Out of Range (status 0x4080, ...)"}.
     *
     * @return {@link NvmeStatusException#describe(int)} of {@link #status()}
     */
    public String describeStatus() {
        return NvmeStatusException.describe(status);
    }
}
