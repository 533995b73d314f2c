package io.i2o2.bench.sys;

import java.lang.management.ManagementFactory;

/**
 * CPU time of this whole process (every thread: loop threads, pools, JIT and GC), which is the honest cost
 * of an in-JVM backend: a backend that hands work to a pool must pay for the pool.
 */
public final class CpuClock {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuClock() {
    }

    /** Process CPU time, user + system, in nanoseconds. */
    public static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }
}
