package io.i2o2.bench.peer;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Meter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loop-thread drivers on several loops at once, measured as one trial (a group of N loops against N cores'
 * worth of threads): each driver keeps its own ops in flight from its own loop's thread, exactly as a one-loop
 * trial's driver does, and the measurement is theirs together: the ops summed, the wall time from before the
 * first starts to after the last has drained, the process's CPU time over that same span (so CPU per op is
 * counted once, not once per loop), and the latencies of all of them.
 */
final class LoopGroupRun {
    private LoopGroupRun() {
    }

    /**
     * Starts every driver from a task on its loop, waits for all, and sums them.
     *
     * @param drivers one per loop, each on its own loop
     * @param env     the trial's length
     * @return the group's measurement
     * @throws Exception if a driver failed (a short read, a failed op) or did not finish in time
     */
    static Measurement run(List<? extends I2o2LoopDriver> drivers, BenchEnv env) throws Exception {
        Meter meter = new Meter();
        for (I2o2LoopDriver d : drivers) {
            d.loop().executor().execute(() -> d.begin(env.durationNanos()));
        }
        long limit = env.durationNanos() + TimeUnit.SECONDS.toNanos(60);
        long ops = 0;
        LatencyHistogram latencies = new LatencyHistogram();
        for (I2o2LoopDriver d : drivers) {
            ops += d.done().get(limit, TimeUnit.NANOSECONDS).ops();
            // Its loop wrote the histogram before completing done(): that completion publishes it here.
            latencies.merge(d.hist);
        }
        return meter.finish(ops, latencies);
    }
}
