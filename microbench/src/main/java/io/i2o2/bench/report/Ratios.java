package io.i2o2.bench.report;

import io.i2o2.bench.BackendRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns ops/s into ratios to the reference backend measured in the same run: absolute figures on these
 * shared machines swing by 1.5x between runs, ratios within one run hold.
 *
 * <p>Rule: within a family of rows (same workload, same NOP mode, same registered-or-not), the reference
 * is the first of {@link BackendRegistry#REFERENCES} that measured something. A row is divided by the
 * reference's row at the same concurrency (QD N = N threads); where the reference has none, by the
 * reference's best ops/s in the family, and the ratio is marked.
 */
public final class Ratios {
    private Ratios() {
    }

    /**
     * Adds ratios to the rows.
     *
     * @param rows the rows of a run
     * @return the same rows, in the same order, with ratios where a reference exists
     */
    public static List<ResultRow> apply(List<ResultRow> rows) {
        List<ResultRow> out = new ArrayList<>(rows.size());
        for (ResultRow r : rows) {
            out.add(r.measurement() == null ? r : ratioOf(r, rows).map(r::withRatio).orElse(r));
        }
        return out;
    }

    private static Optional<ResultRow.Ratio> ratioOf(ResultRow row, List<ResultRow> rows) {
        String family = row.trial().familyKey();
        for (String ref : BackendRegistry.REFERENCES) {
            List<ResultRow> refRows = rows.stream()
                    .filter(r -> r.backend().equals(ref) && r.measurement() != null
                            && r.trial().familyKey().equals(family))
                    .toList();
            if (refRows.isEmpty()) {
                continue;
            }
            double mine = row.measurement().opsPerSecond();
            Optional<ResultRow> same = refRows.stream()
                    .filter(r -> r.trial().concurrencyKey().equals(row.trial().concurrencyKey())).findFirst();
            if (same.isPresent()) {
                return Optional.of(new ResultRow.Ratio(mine / same.get().measurement().opsPerSecond(), ref, false));
            }
            double best = refRows.stream().mapToDouble(r -> r.measurement().opsPerSecond()).max().orElse(0);
            return best > 0 ? Optional.of(new ResultRow.Ratio(mine / best, ref, true)) : Optional.empty();
        }
        return Optional.empty();
    }
}
