package io.i2o2.bench;

import io.i2o2.bench.report.PairedRatios;
import io.i2o2.bench.report.ResultRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Issue 24's checks (batches), printed under the table of any run that has the rows they need: the runner's
 * summary unless a preset brings its own ({@link BenchRunner#summary}). Each is a ratio of ops/s paired round by
 * round ({@link PairedRatios#pair}), so that drift of a shared host cancels, with the bar where it sets one.
 *
 * <ul>
 *   <li><b>Hand-over.</b> Every randread-xt row (reads handed over from producer threads, one by one or as
 *       batches) over the randread row of the same engine at the same QD (the reads submitted on the loop's own
 *       thread): {@code i2o2}, {@code i2o2-callback} and {@code i2o2-batch} over {@code i2o2},
 *       {@code portable*} over {@code portable}, {@code netty-iouring} over itself. The bars, from one thread at
 *       32 in flight: >= 0.9x one by one, >= 0.95x as batches.</li>
 *   <li><b>Queries.</b> Every {@code i2o2} and {@code portable} query row over {@code filechannel}'s at the same
 *       point (one batch against the reads one after the other; bars at one querying thread: O_DIRECT >= 3x,
 *       page cache >= 1.0x), and over {@code fio}'s (reads/s at the same total depth; bar at 8 threads with
 *       O_DIRECT: >= 0.9x).</li>
 * </ul>
 */
public final class BatchChecks {
    /** Reads handed over one by one, over the loop thread's, from one thread at 32 in flight. */
    static final double HAND_OVER = 0.9;
    /** The same handed over as batches. */
    static final double BATCH_HAND_OVER = 0.95;
    /** One querying thread, O_DIRECT: queries/s over FileChannel's. */
    static final double DIRECT_VS_FILECHANNEL = 3.0;
    /** One querying thread, page cache: queries/s over FileChannel's. */
    static final double CACHED_VS_FILECHANNEL = 1.0;
    /** Eight querying threads, O_DIRECT: reads/s over fio's at the same total depth. */
    static final double DIRECT_VS_FIO = 0.9;
    private static final List<String> QUERY_BACKENDS = List.of("i2o2", "portable");

    private BatchChecks() {
    }

    /**
     * The checks the rounds allow.
     *
     * @param runs per planned trial, its rows round by round
     * @return lines to print (the first a heading), empty when no row has its counterpart
     */
    public static List<String> summary(List<List<ResultRow>> runs) {
        List<String> lines = new ArrayList<>();
        for (List<ResultRow> mine : runs) {
            Trial t = mine.getFirst().trial();
            String backend = mine.getFirst().backend();
            if (t == null) {
                continue;
            }
            if (t.workload() == Workload.RANDREAD_XT) {
                String loop = loopBackend(backend);
                double bar = t.qd() == 32 && t.threads() == 1 ? (t.batch() > 0 ? BATCH_HAND_OVER : HAND_OVER) : Double.NaN;
                find(runs, loop, o -> o.workload() == Workload.RANDREAD && o.threads() == 0 && o.qd() == t.qd()
                        && !o.registered())
                        .ifPresent(r -> lines.add(line(PairedRatios.pair(mine, r),
                                loop + "'s loop-thread randread qd" + t.qd(), bar)));
            } else if (t.workload().query() && QUERY_BACKENDS.contains(backend)) {
                boolean direct = t.workload().direct();
                double fcBar = t.threads() != 1 ? Double.NaN : direct ? DIRECT_VS_FILECHANNEL : CACHED_VS_FILECHANNEL;
                find(runs, "filechannel", o -> samePoint(o, t))
                        .ifPresent(r -> lines.add(line(PairedRatios.pair(mine, r), "filechannel's queries/s", fcBar)));
                double fioBar = direct && t.threads() == 8 ? DIRECT_VS_FIO : Double.NaN;
                find(runs, "fio", o -> samePoint(o, t))
                        .ifPresent(r -> lines.add(line(PairedRatios.pair(mine, r), "fio's reads/s, same depth", fioBar)));
            }
        }
        if (!lines.isEmpty()) {
            lines.addFirst("issue 24's checks (ops/s over the named row's, median of the rounds' paired ratios):");
        }
        return lines;
    }

    /** The backend whose loop-thread reads a hand-over row is held against: the same engine. */
    static String loopBackend(String backend) {
        return backend.replaceFirst("-(callback|batch)$", "");
    }

    private static boolean samePoint(Trial a, Trial b) {
        return a.familyKey().equals(b.familyKey()) && a.concurrencyKey().equals(b.concurrencyKey());
    }

    private static Optional<List<ResultRow>> find(List<List<ResultRow>> runs, String backend, Predicate<Trial> trial) {
        return runs.stream().filter(r -> r.getFirst().backend().equals(backend) && r.getFirst().trial() != null
                && trial.test(r.getFirst().trial())).findFirst();
    }

    private static String line(PairedRatios.Pair p, String over, double bar) {
        String what = String.format(Locale.ROOT, "%-17s %-12s %-12s", p.backend(), p.trial().workload().cliName(),
                p.trial().label());
        if (p.ops().isEmpty()) {
            return what + " -      over " + over + " (no round where both measured)";
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %.2fx over %s", what, p.opsRatio(), over));
        if (p.ops().size() > 1) {
            line.append(String.format(Locale.ROOT, " (rounds %.2f-%.2fx)", p.ops().getFirst(), p.ops().getLast()));
        }
        if (!Double.isNaN(p.cpuRatio())) {
            line.append(String.format(Locale.ROOT, ", CPU/op %.2fx", p.cpuRatio()));
        }
        if (!Double.isNaN(bar)) {
            // Judged on the figure as printed: a median of 0.8999... shows as 0.90x and meets a bar of 0.90x.
            boolean met = Math.round(p.opsRatio() * 100) >= Math.round(bar * 100);
            line.append(String.format(Locale.ROOT, ": bar %.2fx %s", bar, met ? "met" : "MISSED"));
        }
        return line.toString();
    }
}
