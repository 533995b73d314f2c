package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;

/**
 * What Identify Namespace (CNS 00h) says about a namespace: its size and current LBA format.
 *
 * @param nsid         the namespace id
 * @param lbaCount     size in logical blocks (NSZE)
 * @param capacity     blocks that may be allocated (NCAP)
 * @param lbaSize      bytes per logical block, from the formatted LBA format (FLBAS, LBAF)
 * @param metadataSize metadata bytes per block of that format
 * @param copyLimits   Copy's limits (MSSRL, MCL, MSRC); all 0 where the namespace takes no Copy
 */
public record NvmeNamespaceInfo(int nsid, long lbaCount, long capacity, int lbaSize, int metadataSize,
                                CopyLimits copyLimits) {
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
        return new NvmeNamespaceInfo(nsid, nsze, ncap, 1 << lbads, (int) (lbaf & 0xffff), copy);
    }
}
