package io.i2o2.bench.report;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each backend's ops/s over a peer's, round by round: the ratio of two trials of one point run next to each
 * other in the same round, then the median of those ratios over the rounds.
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
     * The paired ratio of every measured trial to the peer's trial at the same point.
     *
     * @param runs per planned trial, its rows round by round (every list as long as the number of rounds)
     * @param peer the backend to divide by
     * @return one line per trial that has a peer trial at its point (the peer's own rows excluded), in plan
     *         order; empty when the peer ran no such point
     */
    public static List<String> render(List<List<ResultRow>> runs, String peer) {
        List<String> lines = new ArrayList<>();
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
            List<Double> ratios = new ArrayList<>();
            for (int round = 0; round < mine.size(); round++) {
                Measurement a = mine.get(round).measurement(), b = theirs.get(round).measurement();
                if (a != null && b != null && b.opsPerSecond() > 0) {
                    ratios.add(a.opsPerSecond() / b.opsPerSecond());
                }
            }
            String what = String.format(Locale.ROOT, "%-14s %-9s %-12s", first.backend(),
                    first.trial().workload().cliName(), first.trial().label());
            if (ratios.isEmpty()) {
                lines.add(what + " -      (no round where both measured)");
                continue;
            }
            ratios.sort(null);
            lines.add(String.format(Locale.ROOT, "%s %.2fx  (rounds %.2f-%.2fx, %d of %d)", what,
                    median(ratios), ratios.getFirst(), ratios.getLast(), ratios.size(), mine.size()));
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
