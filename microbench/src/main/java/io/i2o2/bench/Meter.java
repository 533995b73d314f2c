package io.i2o2.bench;

import io.i2o2.bench.sys.CpuClock;

/**
 * Wall and process CPU time of one in-JVM trial: start it just before the first submission, finish it
 * after the last completion.
 */
public final class Meter {
    private final long wall0 = System.nanoTime();
    private final long cpu0 = CpuClock.processCpuNanos();

    /** Starts measuring now. */
    public Meter() {
    }

    /**
     * Stops measuring.
     *
     * @param ops       ops completed since the start
     * @param latencies their latencies
     * @return the measurement
     */
    public Measurement finish(long ops, LatencyHistogram latencies) {
        long wall = System.nanoTime() - wall0;
        long cpu = CpuClock.processCpuNanos() - cpu0;
        return Measurement.of(ops, wall, cpu, latencies);
    }
}
