package io.i2o2.bench;

/**
 * What one trial measured.
 *
 * @param ops       ops completed (successful NOPs, reads or writes; fdatasyncs are not counted)
 * @param wallNanos wall time from the first submission to the last completion
 * @param cpuNanos  CPU time the backend's process spent in that time (user + system), or -1 if unknown
 * @param p50Nanos  median per-op latency, submission to completion, or -1 if unknown
 * @param p99Nanos  99th percentile latency, or -1
 * @param p999Nanos 99.9th percentile latency, or -1
 * @param note      anything the reader must know about this row (empty if nothing)
 */
public record Measurement(long ops, long wallNanos, long cpuNanos, long p50Nanos, long p99Nanos, long p999Nanos,
                          String note) {

    /**
     * A measurement from in-process counters.
     *
     * @param ops       ops completed
     * @param wallNanos wall time
     * @param cpuNanos  process CPU time
     * @param latencies the per-op latencies
     * @return the measurement
     */
    public static Measurement of(long ops, long wallNanos, long cpuNanos, LatencyHistogram latencies) {
        return new Measurement(ops, wallNanos, cpuNanos, latencies.percentile(0.50), latencies.percentile(0.99),
                latencies.percentile(0.999), "");
    }

    /** Ops per second. */
    public double opsPerSecond() {
        return wallNanos <= 0 ? 0 : ops * 1e9 / wallNanos;
    }

    /** CPU seconds per million ops, or NaN when the CPU time is unknown. */
    public double cpuSecondsPerMillionOps() {
        return cpuNanos < 0 || ops == 0 ? Double.NaN : (cpuNanos / 1e9) / (ops / 1e6);
    }

    /**
     * The same measurement with a note appended.
     *
     * @param more the note to add
     * @return a copy with the note
     */
    public Measurement withNote(String more) {
        return new Measurement(ops, wallNanos, cpuNanos, p50Nanos, p99Nanos, p999Nanos,
                note.isEmpty() ? more : note + "; " + more);
    }
}
