package io.i2o2.bench;

import io.i2o2.bench.report.PairedRatios;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ./i2o2 bench portable-table [options]}: the portable engine's figures of its issue in one run.
 * FileChannel positional reads from 1, 2 and 32 platform threads (what a user writes by hand today), the
 * portable engine ({@code PortableFileEventLoopGroup}) and the io_uring engine at 1, 2 and 32 reads in flight
 * on one loop, 4 KiB random reads from the locked page cache and with O_DIRECT, three rounds paired with
 * FileChannel ({@code --repeat 3 --peer filechannel}). Below the usual table and paired lines it prints the
 * issue's checks: at 32 in flight the portable engine's ops/s at least 0.9x FileChannel's with CPU per op at
 * most 1.2x; at 1 and 2 what the two hand-overs per op cost (ops/s and CPU ratios, p50 difference).
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
            "--backends", "filechannel,portable,i2o2",
            "--peer", "filechannel",
            "--repeat", "3");
    /** The bar at 32 in flight: ops/s over FileChannel's. */
    static final double MIN_OPS = 0.9;
    /** The bar at 32 in flight: CPU per op over FileChannel's. */
    static final double MAX_CPU = 1.2;
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
     * The checks, from the pairs against FileChannel.
     *
     * @param pairs every backend's trials paired with FileChannel's
     * @return lines to print, empty when FileChannel was not the peer
     */
    public static List<String> summary(List<PairedRatios.Pair> pairs) {
        List<String> lines = new ArrayList<>();
        for (PairedRatios.Pair p : pairs) {
            if (p.ops().isEmpty()) {
                continue;
            }
            int depth = p.trial().qd();
            String what = String.format(Locale.ROOT, "%-9s %-15s %3d in flight: ops/s %.2fx, CPU/op %s, p50 %s",
                    p.backend(), p.trial().workload().cliName(), depth, p.opsRatio(),
                    Double.isNaN(p.cpuRatio()) ? "?" : String.format(Locale.ROOT, "%.2fx", p.cpuRatio()),
                    Double.isNaN(p.p50DeltaMicros()) ? "?" : String.format(Locale.ROOT, "%+.1f us", p.p50DeltaMicros()));
            if (p.backend().equals("portable") && depth == DEEP) {
                boolean ops = p.opsRatio() >= MIN_OPS;
                boolean cpu = !Double.isNaN(p.cpuRatio()) && p.cpuRatio() <= MAX_CPU;
                what += String.format(Locale.ROOT, "  [ops >= %.1fx: %s, CPU/op <= %.1fx: %s]", MIN_OPS,
                        ops ? "met" : "MISSED", MAX_CPU, cpu ? "met" : "MISSED");
            } else if (p.backend().equals("portable")) {
                what += "  (the two hand-overs per op: loop -> worker, worker -> loop)";
            }
            if (p.backend().equals("portable")) {
                PairedRatios.Pair ring = pairs.stream().filter(o -> o.backend().equals("i2o2")
                        && o.trial().equals(p.trial()) && !o.ops().isEmpty()).findFirst().orElse(null);
                if (ring != null) {
                    what += String.format(Locale.ROOT, "; over io_uring's: ops/s %.2fx, CPU/op %.2fx",
                            p.opsRatio() / ring.opsRatio(), p.cpuRatio() / ring.cpuRatio());
                }
            }
            lines.add(what);
        }
        if (!lines.isEmpty()) {
            lines.addFirst("vs FileChannel at the same point (median of the rounds' paired ratios; p50 = this"
                    + " backend's minus FileChannel's):");
        }
        return lines;
    }
}
