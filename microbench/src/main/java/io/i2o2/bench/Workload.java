package io.i2o2.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a trial does. Every backend implements the same few workloads so their rows compare directly.
 */
public enum Workload {
    /** No-op ops: the cost of the submission path itself (same thread, or handed over from producers). */
    NOP("nop", 0, false),
    /** 4 KiB reads at random block-aligned offsets of the data file, served from the (locked) page cache. */
    RANDREAD("randread", 4096, true),
    /** The same reads with O_DIRECT: the disk bounds everyone; no page cache involved. */
    RANDREAD_DIRECT("randread-direct", 4096, false),
    /** Sequential 128 KiB writes to a scratch file with an fdatasync after every few writes. */
    SEQWRITE("seqwrite", 128 * 1024, false),
    /**
     * The {@link #RANDREAD} reads submitted from producer threads rather than the ring's own: the cross-thread
     * submission path with real IO, to hold against the loop-thread row.
     */
    RANDREAD_XT("randread-xt", 4096, true),
    /** 4 KiB random page-cache reads at QD1 / one thread: the latency percentiles are the point. */
    LATENCY("latency", 4096, true),
    /**
     * A search engine's query: {@code --query-reads} (500) reads of 4 KiB at random block-aligned offsets of the
     * data file, all needed at once, run back to back by each of {@code --threads} querying threads; one op is
     * one query. From the (locked) page cache.
     */
    QUERY("query", 4096, true),
    /** The {@link #QUERY} reads with O_DIRECT: the device bounds everyone. */
    QUERY_DIRECT("query-direct", 4096, false);

    private final String cliName;
    private final int blockSize;
    private final boolean pageCacheReads;

    Workload(String cliName, int blockSize, boolean pageCacheReads) {
        this.cliName = cliName;
        this.blockSize = blockSize;
        this.pageCacheReads = pageCacheReads;
    }

    /** The name used on the command line and in the result files. */
    public String cliName() {
        return cliName;
    }

    /** Bytes moved by one op (0 for NOP); for a query, by each of its reads. */
    public int blockSize() {
        return blockSize;
    }

    /** Whether this workload reads the data file through the page cache, so the file must be locked. */
    public boolean readsPageCache() {
        return pageCacheReads;
    }

    /** Whether this workload reads the shared data file at all. */
    public boolean readsDataFile() {
        return this == RANDREAD || this == RANDREAD_DIRECT || this == RANDREAD_XT || this == LATENCY || query();
    }

    /** Whether one op is a query of many reads ({@link #QUERY}, {@link #QUERY_DIRECT}). */
    public boolean query() {
        return this == QUERY || this == QUERY_DIRECT;
    }

    /** Whether the reads bypass the page cache. */
    public boolean direct() {
        return this == RANDREAD_DIRECT || this == QUERY_DIRECT;
    }

    /**
     * The workload a command-line name stands for.
     *
     * @param name a name such as {@code randread-direct}
     * @return the workload
     * @throws IllegalArgumentException if no workload has that name
     */
    public static Workload parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(w -> w.cliName.equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown workload '" + name + "' (one of "
                        + String.join(", ", Arrays.stream(values()).map(Workload::cliName).toList()) + ")"));
    }
}
