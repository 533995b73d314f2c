package io.i2o2.bench;

import io.i2o2.bench.report.PairedRatios;
import io.i2o2.bench.report.ResultRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ./i2o2 bench portable-table [options]}: the portable engine's figures of its issue in one run.
 * FileChannel positional reads from 1, 2 and 32 platform threads on one shared channel (what a user writes by
 * hand today) and with one channel per thread ({@code fc-per-thread}: FileChannel at its best), the
 * portable engine ({@code PortableFileEventLoopGroup}) and the io_uring engine at 1, 2 and 32 reads in flight
 * on one loop, 4 KiB random reads from the locked page cache and with O_DIRECT, three rounds paired with
 * FileChannel ({@code --repeat 3 --peer filechannel}). Below the usual table and paired lines it prints the
 * issue's checks: at 32 in flight the portable engine's ops/s at least 0.9x FileChannel's with CPU per op at
 * most 1.2x (against both FileChannel rows); at 1 and 2 what the two hand-overs per op cost (ops/s and CPU
 * ratios, p50 difference); the io_uring engine beside both, and the portable engine paired with it.
 *
 * <p>The options are {@link #DEFAULTS} followed by the caller's, so any of them can be overridden
 * ({@code --seconds 10}, {@code --repeat 5}, {@code --workload randread}).
 */
public final class PortableTable {
    /** What the mode runs unless told otherwise. */
    public static final List<String> DEFAULTS = List.of(
            "--workload", "randread,randread-direct",
            "--qd", "1,2,32",
            "--threads", "1,2,32",
            "--backends", "filechannel,fc-per-thread,portable,i2o2",
            "--peer", "filechannel",
            "--repeat", "3");
    /** The bar at 32 in flight: ops/s over FileChannel's. */
    static final double MIN_OPS = 0.9;
    /** The bar at 32 in flight: CPU per op over FileChannel's. */
    static final double MAX_CPU = 1.2;
    /** FileChannel as users write it: N threads reading one channel. */
    static final String SHARED = "filechannel";
    /** FileChannel at its best: one channel per thread ({@code FileChannelBackend}). */
    static final String PER_THREAD = "fc-per-thread";
    /** The depth the bars apply at. */
    static final int DEEP = 32;

    private PortableTable() {
    }

    /**
     * The options of a portable-table run: the defaults, then the caller's.
     *
     * @param args the arguments after {@code portable-table}
     * @return the parsed options
     */
    public static BenchOptions options(String... args) {
        return BenchOptions.parse(Stream.concat(DEFAULTS.stream(), Stream.of(args)).toArray(String[]::new));
    }

    /**
     * The checks, from the rounds: the portable and io_uring engines paired with FileChannel on one
     * shared channel (what a user writes by hand today) and with one channel per thread (FileChannel at its
     * best), and the portable engine paired with the io_uring engine.
     *
     * @param runs per planned trial, its rows round by round
     * @return lines to print (the first a heading), empty when FileChannel did not run
     */
    public static List<String> summary(List<List<ResultRow>> runs) {
        List<PairedRatios.Pair> shared = PairedRatios.pairs(runs, SHARED);
        List<PairedRatios.Pair> own = PairedRatios.pairs(runs, PER_THREAD);
        List<PairedRatios.Pair> ring = PairedRatios.pairs(runs, "i2o2");
        List<String> lines = new ArrayList<>();
        for (PairedRatios.Pair p : shared) {
            if (p.ops().isEmpty() || p.backend().equals(PER_THREAD)) {
                continue;
            }
            int depth = p.trial().qd();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s %-15s %3d in flight: vs %s %s",
                    p.backend(), p.trial().workload().cliName(), depth, SHARED, figures(p)));
            PairedRatios.Pair best = find(own, p);
            if (best != null) {
                line.append(String.format(Locale.ROOT, "; vs %s %s", PER_THREAD, figures(best)));
            }
            if (p.backend().equals("portable")) {
                PairedRatios.Pair r = find(ring, p);
                if (r != null) {
                    line.append(String.format(Locale.ROOT, "; vs io_uring %s", figures(r)));
                }
                if (depth == DEEP) {
                    line.append("\n      ").append(verdict(SHARED, p));
                    if (best != null) {
                        line.append("; ").append(verdict(PER_THREAD, best));
                    }
                } else {
                    line.append("\n      the two hand-overs per op (loop -> worker -> loop) at this depth: p50 ")
                            .append(micros(p.p50DeltaMicros())).append(", CPU ").append(micros(p.cpuDeltaMicros()))
                            .append(" per op over ").append(SHARED);
                }
            }
            lines.add(line.toString());
        }
        for (PairedRatios.Pair p : shared) {
            if (p.backend().equals(PER_THREAD) && !p.ops().isEmpty()) {
                lines.add(String.format(Locale.ROOT, "%-13s %-15s %2d threads: vs %s %s", PER_THREAD,
                        p.trial().workload().cliName(), p.trial().threads(), SHARED, figures(p)));
            }
        }
        if (!lines.isEmpty()) {
            lines.addFirst("the issue's figures (medians of the rounds' paired ratios; p50 = this backend's minus the"
                    + " other's):");
        }
        return lines;
    }

    private static PairedRatios.Pair find(List<PairedRatios.Pair> pairs, PairedRatios.Pair like) {
        return pairs.stream().filter(o -> o.backend().equals(like.backend()) && o.trial().equals(like.trial())
                && !o.ops().isEmpty()).findFirst().orElse(null);
    }

    private static String figures(PairedRatios.Pair p) {
        return String.format(Locale.ROOT, "ops/s %.2fx CPU/op %s p50 %s", p.opsRatio(),
                Double.isNaN(p.cpuRatio()) ? "?" : String.format(Locale.ROOT, "%.2fx", p.cpuRatio()),
                micros(p.p50DeltaMicros()));
    }

    private static String micros(double us) {
        return Double.isNaN(us) ? "?" : String.format(Locale.ROOT, "%+.1f us", us);
    }

    private static String verdict(String peer, PairedRatios.Pair p) {
        boolean ops = p.opsRatio() >= MIN_OPS;
        boolean cpu = !Double.isNaN(p.cpuRatio()) && p.cpuRatio() <= MAX_CPU;
        return String.format(Locale.ROOT, "vs %s: ops/s >= %.1fx %s, CPU/op <= %.1fx %s", peer, MIN_OPS,
                ops ? "met" : "MISSED", MAX_CPU, cpu ? "met" : "MISSED");
    }
}
