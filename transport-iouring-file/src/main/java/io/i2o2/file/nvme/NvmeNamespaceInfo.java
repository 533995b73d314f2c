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
 */
public record NvmeNamespaceInfo(int nsid, long lbaCount, long capacity, int lbaSize, int metadataSize) {

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
        return new NvmeNamespaceInfo(nsid, nsze, ncap, 1 << lbads, (int) (lbaf & 0xffff));
    }
}
