package io.i2o2.bench;

import java.util.List;

/**
 * One implementation under test: a peer (the C loop, fio, the JDK's channels, Netty's io_uring loop) or
 * the library itself. A backend is asked which trials it runs for a workload, then runs them one by one;
 * the runner measures nothing itself except what the backend cannot (the progress line, the warm-up).
 *
 * <p>The library's backend implements this in one class: {@link #trials} returns
 * {@link TrialPlan#ring} and {@link #run} switches on the workload (nop / randread / seqwrite / latency).
 */
public interface Backend extends AutoCloseable {

    /** The name shown in the table, e.g. {@code c-liburing}. */
    String name();

    /**
     * Why this backend cannot run at all here (a tool missing, not built yet), or {@code null} if it can.
     * Asked once, before any trial; an unavailable backend gets one row per workload showing the reason.
     *
     * @param env the run's environment
     * @return the reason, or null
     */
    default String unavailable(BenchEnv env) {
        return null;
    }

    /**
     * The trials this backend runs for a workload, from the queue depths and thread counts asked for.
     *
     * @param workload the workload
     * @param options  the command line
     * @return the trials, possibly empty
     */
    List<Trial> trials(Workload workload, BenchOptions options);

    /**
     * Why this backend cannot run one trial (printed as a note below the table), or {@code null}.
     *
     * @param trial the trial
     * @return the reason, or null
     */
    default String unsupported(Trial trial) {
        return null;
    }

    /** Whether the runner should run each trial once, shortly, before measuring it (JIT warm-up). */
    default boolean needsWarmup() {
        return true;
    }

    /**
     * Runs one trial for {@link BenchEnv#duration()} and reports what it measured.
     *
     * @param trial the trial
     * @param env   files and duration
     * @return the measurement
     * @throws Exception if the trial failed; the runner shows the message in the row and goes on
     */
    Measurement run(Trial trial, BenchEnv env) throws Exception;

    /** Releases what the backend kept between trials. */
    @Override
    default void close() {
    }
}
