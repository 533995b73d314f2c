package io.i2o2.bench.report;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each backend's ops/s over a peer's, round by round: the ratio of two trials of one point run next to each
 * other in the same round, then the median of those ratios over the rounds. Beside it, the same for CPU time
 * per op (this backend's CPU s/op over the peer's) and the difference of the median latencies (this backend's
 * p50 minus the peer's, in microseconds: what a hand-over costs one op at a low depth).
 *
 * <p>Why beside the table's ratio of medians: on a shared host the speed of the whole machine drifts
 * (memory bandwidth taken by neighbours swung 4 KiB page-cache reads by 1.3x within minutes, the same in
 * every backend's profile), and the median rounds of two backends may come from different stretches of
 * it. Two trials of one round ran seconds apart (and in the other order the next round), so their ratio
 * cancels most of that drift.
 */
public final class PairedRatios {
    private PairedRatios() {
    }

    /**
     * One backend's trial against the peer's at the same point.
     *
     * @param backend   the backend
     * @param trial     its trial
     * @param ops       per-round ops/s ratios, sorted (empty when no round measured both)
     * @param cpu       per-round CPU-per-op ratios, sorted (rounds where both knew their CPU time)
     * @param p50Micros per-round p50 differences in microseconds, sorted
     * @param cpuMicros per-round differences of CPU time per op in microseconds (this backend's minus the
     *                  peer's), sorted
     * @param rounds    rounds run
     */
    public record Pair(String backend, Trial trial, List<Double> ops, List<Double> cpu, List<Double> p50Micros,
                       List<Double> cpuMicros, int rounds) {
        /** The median ops/s ratio, NaN if none. */
        public double opsRatio() {
            return ops.isEmpty() ? Double.NaN : median(ops);
        }

        /** The median CPU-per-op ratio, NaN if none. */
        public double cpuRatio() {
            return cpu.isEmpty() ? Double.NaN : median(cpu);
        }

        /** The median difference of CPU time per op in microseconds, NaN if none. */
        public double cpuDeltaMicros() {
            return cpuMicros.isEmpty() ? Double.NaN : median(cpuMicros);
        }

        /** The median p50 difference in microseconds, NaN if none. */
        public double p50DeltaMicros() {
            return p50Micros.isEmpty() ? Double.NaN : median(p50Micros);
        }
    }

    /**
     * Every measured trial paired with the peer's trial at the same point.
     *
     * @param runs per planned trial, its rows round by round (every list as long as the number of rounds)
     * @param peer the backend to divide by
     * @return one pair per trial that has a peer trial at its point (the peer's own rows excluded), in plan
     *         order
     */
    public static List<Pair> pairs(List<List<ResultRow>> runs, String peer) {
        List<Pair> out = new ArrayList<>();
        for (List<ResultRow> mine : runs) {
            ResultRow first = mine.getFirst();
            if (first.backend().equals(peer) || first.trial() == null) {
                continue;
            }
            List<ResultRow> theirs = runs.stream()
                    .filter(r -> r.getFirst().backend().equals(peer) && samePoint(r.getFirst().trial(), first.trial()))
                    .findFirst().orElse(null);
            if (theirs == null) {
                continue;
            }
            out.add(pair(mine, theirs));
        }
        return out;
    }

    /**
     * One trial's rows paired with another's, round by round (any two trials: the same point of two backends,
     * or two points that an issue compares, such as a hand-over row and its loop-thread row).
     *
     * @param mine   the trial's rows, round by round
     * @param theirs the rows to divide by, as many rounds
     * @return the pair, named after the first of {@code mine}
     */
    public static Pair pair(List<ResultRow> mine, List<ResultRow> theirs) {
        ResultRow first = mine.getFirst();
        List<Double> ops = new ArrayList<>(), cpu = new ArrayList<>(), p50 = new ArrayList<>();
        List<Double> cpuUs = new ArrayList<>();
        for (int round = 0; round < mine.size(); round++) {
            Measurement a = mine.get(round).measurement(), b = theirs.get(round).measurement();
            if (a == null || b == null || b.opsPerSecond() <= 0) {
                continue;
            }
            ops.add(a.opsPerSecond() / b.opsPerSecond());
            double ca = a.cpuSecondsPerMillionOps(), cb = b.cpuSecondsPerMillionOps();
            if (!Double.isNaN(ca) && !Double.isNaN(cb) && cb > 0) {
                cpu.add(ca / cb);
                cpuUs.add(ca - cb);     // CPU s per Mop = CPU us per op
            }
            if (a.p50Nanos() >= 0 && b.p50Nanos() >= 0) {
                p50.add((a.p50Nanos() - b.p50Nanos()) / 1e3);
            }
        }
        ops.sort(null);
        cpu.sort(null);
        p50.sort(null);
        cpuUs.sort(null);
        return new Pair(first.backend(), first.trial(), ops, cpu, p50, cpuUs, mine.size());
    }

    /**
     * The paired ratio of every measured trial to the peer's trial at the same point.
     *
     * @param runs per planned trial, its rows round by round (every list as long as the number of rounds)
     * @param peer the backend to divide by
     * @return one line per trial that has a peer trial at its point (the peer's own rows excluded), in plan
     *         order; empty when the peer ran no such point
     */
    public static List<String> render(List<List<ResultRow>> runs, String peer) {
        List<String> lines = new ArrayList<>();
        for (Pair p : pairs(runs, peer)) {
            String what = String.format(Locale.ROOT, "%-14s %-15s %-12s", p.backend(),
                    p.trial().workload().cliName(), p.trial().label());
            if (p.ops().isEmpty()) {
                lines.add(what + " -      (no round where both measured)");
                continue;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %.2fx  (rounds %.2f-%.2fx, %d of %d)",
                    what, p.opsRatio(), p.ops().getFirst(), p.ops().getLast(), p.ops().size(), p.rounds()));
            if (!p.cpu().isEmpty()) {
                line.append(String.format(Locale.ROOT, "  CPU/op %.2fx (%.2f-%.2f)", p.cpuRatio(), p.cpu().getFirst(),
                        p.cpu().getLast()));
            }
            if (!p.p50Micros().isEmpty()) {
                line.append(String.format(Locale.ROOT, "  p50 %+.1f us", p.p50DeltaMicros()));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** The median of sorted values (the mean of the middle two for an even count). */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static boolean samePoint(Trial a, Trial b) {
        return a != null && a.familyKey().equals(b.familyKey()) && a.concurrencyKey().equals(b.concurrencyKey());
    }
}
