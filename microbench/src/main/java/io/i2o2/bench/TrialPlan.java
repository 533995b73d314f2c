package io.i2o2.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The standard sets of trials, so backends of one kind run the same points and their rows line up.
 */
public final class TrialPlan {
    private TrialPlan() {
    }

    /**
     * Trials for a ring backend (one loop thread, ops in flight).
     *
     * <ul>
     *   <li>nop: for each thread count in {@code --threads} (0 = the ring's own thread) and each QD;</li>
     *   <li>randread-xt: for each producer count in {@code --threads} (0 skipped) and each QD;</li>
     *   <li>randread / randread-direct: each QD, plus registered variants with {@code --registered}
     *       (randread-direct registers too);</li>
     *   <li>seqwrite: each QD;</li>
     *   <li>latency: QD1 only.</li>
     * </ul>
     *
     * @param w the workload
     * @param o the command line
     * @return the trials
     */
    public static List<Trial> ring(Workload w, BenchOptions o) {
        List<Trial> out = new ArrayList<>();
        switch (w) {
            case NOP, RANDREAD_XT -> {
                for (BenchOptions.Threads t : o.threads(w)) {
                    // randread-xt is the hand-over only: its loop-thread counterpart is the randread row.
                    if (w == Workload.NOP || t.count() > 0) {
                        for (int qd : o.queueDepths()) {
                            out.add(new Trial(w, qd, t.count(), t.kind(), false));
                        }
                    }
                }
            }
            case RANDREAD, RANDREAD_DIRECT -> {
                for (int qd : o.queueDepths()) {
                    out.add(Trial.ring(w, qd, false));
                    if (o.registered()) {
                        out.add(Trial.ring(w, qd, true));
                    }
                }
            }
            case SEQWRITE -> o.queueDepths().forEach(qd -> out.add(Trial.ring(w, qd, false)));
            case LATENCY -> out.add(Trial.ring(w, 1, false));
        }
        return out;
    }

    /**
     * Trials of the query workloads: each querying thread count in {@code --threads} (0 skipped), every query
     * {@code --query-reads} reads (the trial's {@code qd}). Empty for any other workload.
     *
     * @param w the workload
     * @param o the command line
     * @return the trials
     */
    public static List<Trial> query(Workload w, BenchOptions o) {
        List<Trial> out = new ArrayList<>();
        if (w.query()) {
            for (BenchOptions.Threads t : o.threads(w)) {
                if (t.count() > 0) {
                    out.add(new Trial(w, o.queryReads(), t.count(), t.kind(), false));
                }
            }
        }
        return out;
    }

    /**
     * Trials for a blocking, thread-per-op backend: each thread count in {@code --threads} (0 skipped) for
     * reads; one thread for seqwrite and latency; none for nop.
     *
     * @param w the workload
     * @param o the command line
     * @return the trials
     */
    public static List<Trial> threaded(Workload w, BenchOptions o) {
        List<Trial> out = new ArrayList<>();
        switch (w) {
            case RANDREAD, RANDREAD_DIRECT -> {
                for (BenchOptions.Threads t : o.threads(w)) {
                    if (t.count() > 0) {
                        out.add(new Trial(w, t.count(), t.count(), t.kind(), false));
                    }
                }
            }
            case SEQWRITE, LATENCY -> out.add(new Trial(w, 1, 1, ThreadKind.PLATFORM, false));
            case NOP, RANDREAD_XT -> {
            }
        }
        return out;
    }
}
