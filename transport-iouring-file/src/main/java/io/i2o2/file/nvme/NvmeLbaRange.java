package io.i2o2.file.nvme;

/**
 * A run of logical blocks, for commands that take several ({@link NvmeNamespace#trim(java.util.List)}).
 *
 * @param lba    the first block
 * @param blocks how many, at least 1
 */
public record NvmeLbaRange(long lba, int blocks) {
}
