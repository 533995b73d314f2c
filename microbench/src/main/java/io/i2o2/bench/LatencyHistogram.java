package io.i2o2.bench;

/**
 * A log-linear histogram of nanosecond latencies: 32 buckets per power of two, so a percentile is within
 * about 3% of the true value. Recording is one array increment; not thread-safe (one per thread, then
 * {@link #merge}). The C peer buckets the same way, so their percentiles compare bucket for bucket.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = 60 * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;

    /**
     * Records one latency.
     *
     * @param nanos the latency in nanoseconds (negative values count as 0)
     */
    public void record(long nanos) {
        counts[bucketOf(Math.max(0, nanos))]++;
        total++;
    }

    /**
     * Records {@code n} ops that all had the same latency (a batch that completed together).
     *
     * @param nanos the latency in nanoseconds
     * @param n     how many ops
     */
    public void record(long nanos, long n) {
        counts[bucketOf(Math.max(0, nanos))] += n;
        total += n;
    }

    /**
     * Adds another histogram's counts to this one.
     *
     * @param other the histogram to add
     */
    public void merge(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    /** How many latencies were recorded. */
    public long count() {
        return total;
    }

    /**
     * The latency below which the fraction {@code q} of the recorded ones lie.
     *
     * @param q a fraction in [0, 1], e.g. 0.99
     * @return nanoseconds (the middle of the bucket), or -1 if nothing was recorded
     */
    public long percentile(double q) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.min(total - 1, (long) (q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen > rank) {
                return bucketValue(i);
            }
        }
        return -1;
    }

    static int bucketOf(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS;
        return (shift + 1) * SUB + (int) ((v >>> shift) & (SUB - 1));
    }

    static long bucketValue(int idx) {
        if (idx < SUB) {
            return idx;
        }
        int shift = idx / SUB - 1;
        long low = (long) (SUB + idx % SUB) << shift;
        return low + ((1L << shift) >> 1);
    }
}
