package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;

/**
 * What Identify Namespace (CNS 00h) says about a namespace: its size and current LBA format.
 *
 * <p>A format with metadata ({@link #hasMetadata()}) is reported but not served: {@link NvmeNamespace} refuses
 * its data commands (read, write, compare, zone append, vectored or not) with
 * {@link UnsupportedOperationException}, because this library moves no metadata: it has no separate
 * metadata buffer, and with extended LBAs each block on the wire is {@code lbaSize + metadataSize} bytes.
 *
 * @param nsid           the namespace id
 * @param lbaCount       size in logical blocks (NSZE)
 * @param capacity       blocks that may be allocated (NCAP)
 * @param lbaSize        bytes of data per logical block, from the formatted LBA format (FLBAS, LBAF LBADS)
 * @param metadataSize   metadata bytes per block of that format (LBAF MS); 0 when it has none
 * @param extendedLba    whether the metadata is transferred with each block's data, at its end (FLBAS bit 4),
 *                       rather than in a separate buffer; false without metadata
 * @param protectionType the end-to-end protection information type enabled (DPS bits 0-2): 0 none, 1 to 3
 * @param copyLimits     Copy's limits (MSSRL, MCL, MSRC); all 0 where the namespace takes no Copy
 */
public record NvmeNamespaceInfo(int nsid, long lbaCount, long capacity, int lbaSize, int metadataSize,
                                boolean extendedLba, int protectionType, CopyLimits copyLimits) {
    /**
     * Whether the current format has metadata per block (and so no data command of {@link NvmeNamespace}).
     *
     * @return {@code metadataSize() > 0}
     */
    public boolean hasMetadata() {
        return metadataSize > 0;
    }

    /**
     * The current format in words, e.g. {@code "512 + 8 B per block (extended LBA, PI type 1)"}.
     *
     * @return the data size per block, and the metadata and protection information if any
     */
    public String formatDescription() {
        if (!hasMetadata()) {
            return lbaSize + " B per block, no metadata";
        }
        return lbaSize + " + " + metadataSize + " B per block (" + (extendedLba ? "extended LBA" : "separate metadata")
                + (protectionType == 0 ? ", no PI" : ", PI type " + protectionType) + ")";
    }

    /**
     * What one Copy may carry.
     *
     * @param maxRangeBlocks blocks in one source range (MSSRL)
     * @param maxBlocks      blocks in all (MCL)
     * @param maxRanges      source ranges (MSRC + 1; 0 when MSSRL or MCL is 0)
     */
    public record CopyLimits(int maxRangeBlocks, long maxBlocks, int maxRanges) {
    }


    /** Parses the 4096-byte Identify Namespace data structure. */
    static NvmeNamespaceInfo parse(int nsid, ByteBuf data) {
        long nsze = data.getLongLE(0);
        long ncap = data.getLongLE(8);
        int flbas = data.getUnsignedByte(26);
        int format = (flbas & 0xf) | ((flbas >>> 5 & 0x3) << 4);
        long lbaf = data.getUnsignedIntLE(128 + format * 4);
        int lbads = (int) (lbaf >>> 16 & 0xff);
        if (nsze == 0 || lbads < 9) {
            throw new IllegalStateException("namespace " + nsid + " is inactive or reports an unusable LBA format"
                    + " (nsze=" + nsze + ", lbads=" + lbads + ")");
        }
        int mssrl = data.getUnsignedShortLE(74);
        long mcl = data.getUnsignedIntLE(76);
        int msrc = data.getUnsignedByte(80);
        CopyLimits copy = new CopyLimits(mssrl, mcl, mssrl == 0 || mcl == 0 ? 0 : msrc + 1);
        int ms = (int) (lbaf & 0xffff);
        boolean extended = ms > 0 && (flbas & 0x10) != 0;
        int dps = data.getUnsignedByte(29);
        return new NvmeNamespaceInfo(nsid, nsze, ncap, 1 << lbads, ms, extended, dps & 0x7, copy);
    }
}
